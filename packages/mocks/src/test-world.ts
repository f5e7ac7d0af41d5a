import { createCimsClient } from '@cims/sdk';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { createMockApi, type MockApiOptions } from './mock-api.js';

/** Where the mocks answer in tests. */
export const BASE_URL = 'http://cims.test';
/** The mocks' clock starts here in every test. */
export const T0 = Date.parse('2026-06-01T09:00:00.000Z');

/**
 * One mock API behind MSW in this test file, with a movable clock and an SDK client. The state, the clock, the
 * scenario and any `server.use()` override are reset after each test.
 */
export function useTestWorld(options: Partial<MockApiOptions> = {}) {
  let time = T0;
  const mocks = createMockApi({ baseUrl: BASE_URL, now: () => time, ...options });
  const server = setupServer(...mocks.handlers);
  const client = createCimsClient({ baseUrl: BASE_URL, validateResponses: true });

  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => {
    server.resetHandlers();
    // The clock first: the seed (customers, Instagram history) is relative to it.
    time = T0;
    mocks.reset();
  });
  afterAll(() => server.close());

  return {
    mocks,
    server,
    client,
    /** Moves the mocks' clock forward. */
    advance(ms: number) {
      time += ms;
    },
    /** Call arguments carrying `Authorization: Bearer <token>`. */
    bearer(token: string) {
      return { extraHeaders: { authorization: `Bearer ${token}` } };
    },
    /** Signs in through the SDK and returns the token pair, failing the test otherwise. */
    async login(username: string, password: string, userAgent?: string) {
      const res = await client.auth.login({
        body: { username, password },
        ...(userAgent ? { extraHeaders: { 'user-agent': userAgent } } : {}),
      });
      if (res.status !== 200) expect.fail(`login of ${username} answered ${res.status}: ${JSON.stringify(res.body)}`);
      return res.body;
    },
    /** A raw request to the mocks, for what the SDK cannot send (bad headers, wrong media types). */
    fetch(path: string, init?: RequestInit) {
      return fetch(`${BASE_URL}${path}`, init);
    },
  };
}

/** The claims of a JWT, read the way a client would (no verification). */
export function jwtClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
}

/** A tiny but real PNG signature followed by `size - 8` bytes, as a `File`. */
export function pngFile(size = 64, name = 'me.png'): File {
  const bytes = new Uint8Array(size);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return new File([bytes], name, { type: 'image/png' });
}
