import { errorResponses, meta } from '@cims/contracts';
import { DeadlockException, DriverException } from '@mikro-orm/core';
import { initContract } from '@ts-rest/core';
import { initServer } from '@ts-rest/express';
import { z } from 'zod';
import type { ServerModule } from '../../src/modules/index.js';
import { modules } from '../../src/modules/index.js';
import { closedPort } from '../instagram/helpers.js';

/**
 * A small contract used only to exercise the HTTP machinery (parsing, validation, errors, shutdown) with bodies of
 * each kind. It is mounted next to the real modules in the tests that need it, never in the server.
 */
const c = initContract();

const ShapeSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  tags: z.array(z.string()),
  owner: z.object({ id: z.number().int(), email: z.string() }).nullable(),
  counts: z.record(z.string(), z.number().int()),
});

/** The bodies `/fixture/shape/:kind` answers with: as declared, with keys the contract does not name, or wrong. */
export const SHAPES = {
  exact: { id: 7, name: 'Seven', tags: ['a', 'b'], owner: { id: 1, email: 'ceo@cims.local' }, counts: { open: 2 } },
  'extra-keys': {
    id: 7,
    name: 'Seven',
    tags: ['a'],
    owner: { id: 1, email: 'ceo@cims.local', password_hash: '$2b$12$secret' },
    counts: { open: 2 },
    internal_flag: true,
  },
  'wrong-type': { id: '7', name: 'Seven', tags: [], owner: null, counts: {} },
  'date-for-object': { id: 7, name: 'Seven', tags: [], owner: null, counts: new Date(0) },
} as const;
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
    shape: {
      method: 'GET',
      path: '/fixture/shape/:kind',
      summary: 'Answer a body that is exactly as declared, or one that drifts from it in the way `kind` names',
      metadata: meta({ auth: 'public' }),
      pathParams: z.object({ kind: z.enum(['exact', 'extra-keys', 'wrong-type', 'date-for-object']) }),
      responses: { 200: ShapeSchema, ...errorResponses(500) },
    },
    fail: {
      method: 'GET',
      path: '/fixture/fail/:kind',
      summary: 'Fail the way `kind` names: another service refusing the connection, or a driver error',
      metadata: meta({ auth: 'public' }),
      pathParams: z.object({
        kind: z.enum(['upstream-refused', 'serialization', 'deadlock', 'not-an-integer', 'surrogate-in-json']),
      }),
      responses: { 200: z.object({}), ...errorResponses(422, 500, 503) },
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
        // The bodies are typed loosely on purpose: a drift the types would catch can still come from SQL rows.
        shape: async ({ params }) => ({ status: 200, body: SHAPES[params.kind] as never }),
        fail: async ({ params }) => {
          if (params.kind === 'upstream-refused') {
            // A real connection refused by another service (as a Graph API or SMTP call can be), left unhandled.
            await fetch(`http://127.0.0.1:${await closedPort()}/`);
            return { status: 200, body: {} };
          }
          if (params.kind === 'not-an-integer' || params.kind === 'surrogate-in-json') {
            // What MikroORM makes of node-postgres' error for a bad value of a cast (a bug of the handler) and for
            // a lone surrogate in JSON text.
            const json = params.kind === 'surrogate-in-json';
            const message = json
              ? 'invalid input syntax for type json'
              : 'invalid input syntax for type integer: "abc"';
            throw new DriverException(Object.assign(new Error(message), { severity: 'ERROR', code: '22P02' }));
          }
          // What MikroORM makes of node-postgres' error when a concurrent transaction wins.
          const cause = Object.assign(
            new Error(params.kind === 'deadlock' ? 'deadlock detected' : 'could not serialize access'),
            {
              severity: 'ERROR',
              code: params.kind === 'deadlock' ? '40P01' : '40001',
            },
          );
          throw new DeadlockException(cause);
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
