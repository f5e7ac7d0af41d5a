import { contract, listRoutes } from '@cims/contracts';
import { createCimsClient, unwrap } from '@cims/sdk';
import { initContract } from '@ts-rest/core';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createMockApi } from './mock-api.js';
import { createRouteHandlers } from './route-handler.js';

const baseUrl = 'http://cims.test';
const mocks = createMockApi({ baseUrl });
const server = setupServer(...mocks.handlers);
const client = createCimsClient({ baseUrl });

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  mocks.useScenario('healthy');
});
afterAll(() => server.close());

describe('createMockApi', () => {
  it('has one handler per contract route, plus the catch-all', () => {
    expect(mocks.handlers).toHaveLength(listRoutes(contract).length + 1);
    const paths = mocks.handlers.map((h) => String((h.info as { path: unknown }).path));
    for (const { route } of listRoutes(contract)) expect(paths).toContain(`${baseUrl}${route.path}`);
  });

  it('switches scenarios at run time', async () => {
    expect((await client.health.readiness()).status).toBe(200);
    mocks.useScenario('database-down');
    const down = await client.health.readiness({ query: { verbose: 'true' } });
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ status: 'unavailable', checks: { database: { status: 'error' } } });
    expect(() => mocks.useScenario('nope' as never)).toThrow(/Unknown scenario/);
  });

  it('leaves requests outside the base URL alone', async () => {
    server.use(http.get('http://elsewhere.test/ping', () => HttpResponse.text('pong')));
    expect(await (await fetch('http://elsewhere.test/ping')).text()).toBe('pong');
  });
});

describe('createRouteHandlers', () => {
  const c = initContract();
  const drifting = c.router({
    thing: {
      method: 'POST',
      path: '/thing',
      metadata: { auth: 'public' },
      body: z.object({ name: z.string() }),
      responses: { 201: z.object({ id: z.number().int() }) },
    },
  });

  it('fails loudly when a mock answers a body that does not match the contract', async () => {
    server.use(
      ...createRouteHandlers(drifting, { thing: () => ({ status: 201, body: { id: 'one' } as never }) }, baseUrl),
    );
    const res = await fetch(`${baseUrl}/thing`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x' }),
    });
    expect(res.status).toBe(500);
    expect(await res.text()).toMatch(/does not match the contract/);
  });

  it('parses the request with the route schema and answers 422 in the server shape', async () => {
    server.use(...createRouteHandlers(drifting, { thing: () => ({ status: 201, body: { id: 1 } }) }, baseUrl));
    const bad = await fetch(`${baseUrl}/thing`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({}),
    });
    expect(bad.status).toBe(422);
    expect(await bad.json()).toEqual({
      detail: [{ loc: ['body', 'name'], msg: 'Field required', type: 'missing' }],
      code: 'VALIDATION_FAILED',
    });
    const malformed = await fetch(`${baseUrl}/thing`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ code: 'MALFORMED_BODY' });
  });

  it('serves the health routes through the SDK', async () => {
    expect(unwrap(await client.health.liveness())).toMatchObject({ status: 'ok', version: 'mock' });
  });
});
