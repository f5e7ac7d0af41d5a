import { errorResponses, meta } from '@cims/contracts';
import { DriverException } from '@mikro-orm/core';
import { initContract } from '@ts-rest/core';
import { initServer } from '@ts-rest/express';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ValidationError } from '../../src/errors.js';
import { modules, type ServerModule } from '../../src/modules/index.js';
import { createTestApp, type TestApp } from '../harness.js';

/** pino's levels. */
const INFO = 30;
const WARN = 40;
const ERROR = 50;

/** A driver error as MikroORM hands it on: node-postgres' error (with its SQLSTATE) converted. */
function driverError(code: string, message: string): DriverException {
  return new DriverException(Object.assign(new Error(message), { code }));
}

const c = initContract();
const faultContract = c.router(
  {
    fault: {
      method: 'GET',
      path: '/fault/:kind',
      summary: 'Fail the way `kind` names',
      metadata: meta({ auth: 'public' }),
      pathParams: z.object({ kind: z.enum(['terminated', 'lock-timeout', 'bad-value', 'validation']) }),
      responses: { 200: z.object({}), ...errorResponses(422, 500) },
    },
  },
  { strictStatusCodes: true },
);
const s = initServer();
const faults: ServerModule = {
  contract: faultContract,
  router: () =>
    s.router(faultContract, {
      fault: async ({ params }) => {
        switch (params.kind) {
          case 'terminated':
            throw driverError('57P01', 'terminating connection due to administrator command');
          case 'lock-timeout':
            throw driverError('55P03', 'canceling statement due to lock timeout');
          case 'bad-value':
            throw driverError('22P02', 'invalid input syntax for type bigint: "x"');
          case 'validation':
            throw new ValidationError([{ loc: ['body', 'name'], msg: 'Unknown name', type: 'value_error' }]);
        }
      },
    }),
};

/** The log lines of one request, by its id. */
function linesOf(t: TestApp, res: Response) {
  const id = res.headers.get('x-request-id');
  return t.logs.filter((line) => line.reqId === id);
}

describe('quiet logs: only a 500 is logged at error', () => {
  it('a request without credentials (401) is one info line', async () => {
    await using t = await createTestApp();
    const res = await fetch(`${t.url}/auth/me`);
    expect(res.status).toBe(401);
    const lines = linesOf(t, res);
    expect(lines.map((line) => line.level)).toEqual([INFO]);
    expect(lines[0]?.msg).toBe('request completed');
  });

  it('regression (an expected 503 was logged at error): the intake API without its key is a 503 at warn', async () => {
    await using t = await createTestApp();
    const res = await fetch(`${t.url}/crm/api/customers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-key': 'any-key-at-all-0000' },
      body: '{}',
    });
    expect(res.status).toBe(503);
    expect((await res.json()).code).toBe('SERVICE_UNAVAILABLE');
    const lines = linesOf(t, res);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((line) => line.level === WARN)).toBe(true);
  });

  it.each([
    ['terminated', '5'],
    ['lock-timeout', '1'],
  ])('database trouble (%s) is a 503 with Retry-After %s, logged at warn', async (kind, retryAfter) => {
    await using t = await createTestApp({ modules: [...modules, faults] });
    const res = await fetch(`${t.url}/fault/${kind}`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe(retryAfter);
    expect(await res.json()).toEqual({ detail: expect.any(String), code: 'DATABASE_UNAVAILABLE' });
    const lines = linesOf(t, res);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((line) => line.level === WARN)).toBe(true);
  });

  it('a bad value in SQL is not database trouble: still a 500, logged at error', async () => {
    await using t = await createTestApp({ modules: [...modules, faults] });
    const res = await fetch(`${t.url}/fault/bad-value`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ detail: 'Internal server error', code: 'INTERNAL' });
    expect(linesOf(t, res).some((line) => line.level === ERROR)).toBe(true);
  });

  it('a validation failure stays a 422, logged at info', async () => {
    await using t = await createTestApp({ modules: [...modules, faults] });
    const res = await fetch(`${t.url}/fault/validation`);
    expect(res.status).toBe(422);
    expect((await res.json()).code).toBe('VALIDATION_FAILED');
    expect(linesOf(t, res).map((line) => line.level)).toEqual([INFO]);
  });
});
