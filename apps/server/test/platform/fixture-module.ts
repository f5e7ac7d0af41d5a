import { errorResponses, meta } from '@cims/contracts';
import { initContract } from '@ts-rest/core';
import { initServer } from '@ts-rest/express';
import { z } from 'zod';
import type { ServerModule } from '../../src/modules/index.js';
import { modules } from '../../src/modules/index.js';

/**
 * A small contract used only to exercise the HTTP machinery (parsing, validation, errors, shutdown) with bodies of
 * each kind. It is mounted next to the real modules in the tests that need it, never in the server.
 */
const c = initContract();
export const fixtureContract = c.router(
  {
    echo: {
      method: 'POST',
      path: '/fixture/echo',
      summary: 'Echo a JSON body',
      metadata: meta({ auth: 'public' }),
      body: z.object({ name: z.string().min(1), count: z.number().int() }),
      responses: { 200: z.object({ name: z.string(), count: z.number() }), ...errorResponses(400, 413, 415, 422) },
    },
    form: {
      method: 'POST',
      path: '/fixture/form',
      contentType: 'application/x-www-form-urlencoded',
      summary: 'Echo a form',
      metadata: meta({ auth: 'public' }),
      body: z.object({ username: z.string() }),
      responses: { 200: z.object({ username: z.string() }), ...errorResponses(415, 422) },
    },
    boom: {
      method: 'GET',
      path: '/fixture/boom',
      summary: 'Fail unexpectedly',
      metadata: meta({ auth: 'public' }),
      responses: { 200: z.object({}), ...errorResponses(500) },
    },
    slow: {
      method: 'GET',
      path: '/fixture/slow',
      summary: 'Answer when released',
      metadata: meta({ auth: 'public' }),
      responses: { 200: z.object({ done: z.literal(true) }) },
    },
  },
  { strictStatusCodes: true },
);

/** Lets a test hold `/fixture/slow` in flight and release it. */
export function createFixtureModules() {
  let release: () => void = () => {};
  let entered: () => void = () => {};
  const started = new Promise<void>((resolve) => {
    entered = resolve;
  });
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const s = initServer();
  const fixture: ServerModule = {
    contract: fixtureContract,
    router: () =>
      s.router(fixtureContract, {
        echo: async ({ body }) => ({ status: 200, body }),
        form: async ({ body }) => ({ status: 200, body }),
        boom: async () => {
          throw new Error('connection string postgres://admin:hunter2@db leaked');
        },
        slow: async () => {
          entered();
          await released;
          return { status: 200, body: { done: true as const } };
        },
      }),
  };
  return { modules: [...modules, fixture], release, started };
}
