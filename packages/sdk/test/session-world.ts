import { type SetupServer, setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, vi } from 'vitest';
import {
  type AuthTokens,
  createCimsClient,
  memoryTokenStore,
  type RefreshLock,
  type SessionExpiredError,
  type TokenStore,
} from '../src/index.js';
import { BASE, createFakeAuth } from './fake-auth-server.js';

/**
 * An MSW server for the test file that calls this (at its top level): listening for its tests, refusing requests no
 * handler takes, its handlers and stubbed globals reset after each test.
 */
export function useMswServer(): SetupServer {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => {
    server.resetHandlers();
    vi.unstubAllGlobals();
  });
  afterAll(() => server.close());
  return server;
}

/** What a session world may be given instead of its defaults. */
export interface SessionWorldOptions {
  store?: TokenStore;
  onSessionExpired?: (error: SessionExpiredError) => void;
}

/** A fake server, and a client signed in with a pair it issued whose access token the server already rejects. */
export function sessionWorld(server: SetupServer, options: SessionWorldOptions = {}) {
  const fake = createFakeAuth();
  server.use(...fake.handlers);
  const pair = fake.issue();
  fake.revoke(pair.access_token);
  const store = options.store ?? memoryTokenStore();
  const tokens: AuthTokens = { accessToken: pair.access_token, refreshToken: pair.refresh_token };
  const cims = createCimsClient({ baseUrl: BASE, tokenStore: store, onSessionExpired: options.onSessionExpired });
  return { fake, store, cims, tokens, stale: `Bearer ${pair.access_token}` };
}

/**
 * Waits until `condition` holds, looking again every few milliseconds. It sets no deadline of its own, so a busy
 * machine only makes it wait longer; a condition that never comes true fails the test at its timeout.
 */
export async function until(condition: () => boolean) {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** The text of a request body the fake server received. */
export const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** An in-process mutex standing in for Web Locks across the "tabs" of one test; `handOverMs` delays each holder. */
export function mutex(handOverMs = 0): RefreshLock {
  let tail: Promise<unknown> = Promise.resolve();
  return (task) => {
    const run = tail.then(async () => {
      if (handOverMs) await new Promise((resolve) => setTimeout(resolve, handOverMs));
      return task();
    });
    tail = run.then(
      () => {},
      () => {},
    );
    return run;
  };
}
