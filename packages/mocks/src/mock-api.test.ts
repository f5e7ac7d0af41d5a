import { contract, listRoutes, routeMeta } from '@cims/contracts';
import { unwrap } from '@cims/sdk';
import { initContract } from '@ts-rest/core';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRouteHandlers } from './route-handler.js';
import { MOCK_USERS } from './state.js';
import { BASE_URL as baseUrl, pngFile, useTestWorld } from './test-world.js';

const w = useTestWorld();
const { client, mocks, server } = w;
const { ceo } = MOCK_USERS;

describe('createMockApi', () => {
  it('has one handler per contract route, plus the malformed-path guard, the media route and the catch-all', () => {
    expect(mocks.handlers).toHaveLength(listRoutes(contract).length + 3);
    const paths = mocks.handlers.map((h) => String((h.info as { path: unknown }).path));
    for (const { route } of listRoutes(contract)) expect(paths).toContain(`${baseUrl}${route.path}`);
  });

  it('implements every contract route: none falls through to 404 or fails', async () => {
    for (const { name, route } of listRoutes(contract)) {
      const res = await fetch(`${baseUrl}${route.path.replace(/:\w+/g, '1')}`, { method: route.method });
      // Every route that needs credentials (a token, the intake key, a signed URL) refuses a bare request.
      const expected = routeMeta(route).auth === 'public' ? [200, 422] : [401];
      expect(expected, `${name}: ${route.method} ${route.path} answered ${res.status}`).toContain(res.status);
    }
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

describe('scenarios and switches', () => {
  it('refresh-fails: every refresh answers 401 REFRESH_TOKEN_INVALID, other routes work', async () => {
    const pair = await w.login(ceo.email, ceo.password);
    mocks.useScenario('refresh-fails');
    for (let i = 0; i < 2; i++) {
      const res = await client.auth.refresh({ body: { refresh_token: pair.refresh_token } });
      expect(res).toMatchObject({ status: 401, body: { code: 'REFRESH_TOKEN_INVALID' } });
    }
    expect((await client.auth.me(w.bearer(pair.access_token))).status).toBe(200);
    mocks.useScenario('healthy');
    expect((await client.auth.refresh({ body: { refresh_token: pair.refresh_token } })).status).toBe(200);
  });

  it('rate-limited: public auth routes answer 429 with Retry-After, signed-in routes and health do not', async () => {
    const pair = await w.login(ceo.email, ceo.password);
    mocks.useScenario('rate-limited');
    const login = await client.auth.login({ body: { username: ceo.email, password: ceo.password } });
    expect(login).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } });
    expect(login.headers.get('retry-after')).toBe('60');
    const forgot = await client.auth.forgotPassword({ body: { email: ceo.email } });
    expect(forgot.status).toBe(429);
    const refresh = await client.auth.refresh({ body: { refresh_token: pair.refresh_token } });
    expect(refresh.status).toBe(429);
    expect((await client.auth.me(w.bearer(pair.access_token))).status).toBe(200);
    expect((await client.health.liveness()).status).toBe(200);
  });

  it('registration-closed: register answers 403 REGISTRATION_CLOSED', async () => {
    mocks.useScenario('registration-closed');
    const res = await client.auth.register({
      body: { email: 'late@cims.local', name: 'Late', surname: 'Comer', password: 'long-enough-1' },
    });
    expect(res).toMatchObject({ status: 403, body: { code: 'REGISTRATION_CLOSED' } });
    expect(mocks.mailbox.messages).toHaveLength(0);
  });

  it('failNextRefresh fails exactly one refresh', async () => {
    const pair = await w.login(ceo.email, ceo.password);
    mocks.failNextRefresh();
    const failed = await client.auth.refresh({ body: { refresh_token: pair.refresh_token } });
    expect(failed).toMatchObject({ status: 401, body: { code: 'REFRESH_TOKEN_INVALID' } });
    expect((await client.auth.refresh({ body: { refresh_token: pair.refresh_token } })).status).toBe(200);
  });

  it('expireAccessTokens makes the next bearer request 401 while the refresh token still works', async () => {
    const pair = await w.login(ceo.email, ceo.password);
    mocks.expireAccessTokens();
    expect((await client.auth.me(w.bearer(pair.access_token))).status).toBe(401);
    const fresh = unwrap(await client.auth.refresh({ body: { refresh_token: pair.refresh_token } }));
    expect((await client.auth.me(w.bearer(fresh.access_token))).status).toBe(200);
  });

  it('reset() restores the seed: users, sessions, mail, scenario and ids', async () => {
    const pair = await w.login(ceo.email, ceo.password);
    await client.auth.register({
      body: { email: 'temp@cims.local', name: 'Temp', surname: 'User', password: 'long-enough-1' },
    });
    mocks.users.update(ceo.email, { name: 'Renamed' });
    mocks.useScenario('rate-limited');
    mocks.reset();
    expect(mocks.state.scenario).toBe('healthy');
    expect(mocks.users.find('temp@cims.local')).toBeUndefined();
    expect(mocks.users.find(ceo.email)?.name).toBe('Demo');
    expect(mocks.mailbox.messages).toHaveLength(0);
    expect((await client.auth.me(w.bearer(pair.access_token))).status).toBe(401);
    const again = await w.login(ceo.email, ceo.password);
    expect(again.access_token).not.toBe(pair.access_token);
    const added = mocks.users.add({ email: 'fourth@cims.local', password: 'long-enough-1' });
    expect(added.id).toBe(4);
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
      ...createRouteHandlers(drifting, { thing: () => ({ status: 201, body: { id: 'one' } as never }) }, { baseUrl }),
    );
    const res = await fetch(`${baseUrl}/thing`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x' }),
    });
    expect(res.status).toBe(500);
    expect(await res.text()).toMatch(/does not match the contract/);
  });

  it('answers a path parameter that is not valid percent-encoding with a 422, also under a base that is a path', async () => {
    const items = c.router({
      item: {
        method: 'GET',
        path: '/items/:key',
        metadata: { auth: 'public' },
        pathParams: z.object({ key: z.string() }),
        responses: { 200: z.object({ key: z.string() }) },
      },
    });
    const handlers = (base: string) =>
      createRouteHandlers(
        items,
        { item: ({ params }) => ({ status: 200, body: { key: params.key } }) },
        { baseUrl: base },
      );
    // A base such as `/api` is on the page's origin: whatever the origin, a URL below it is matched.
    server.use(...handlers('/relative-base'));
    for (const url of [`${baseUrl}/relative-base/items/%ff`, 'http://other.test/relative-base/items/%']) {
      const res = await fetch(url);
      expect(res.status, url).toBe(422);
      expect(await res.json()).toEqual({
        detail: [{ loc: ['path', 'key'], msg: expect.any(String), type: 'url_decoding' }],
        code: 'VALIDATION_FAILED',
      });
    }
    server.use(...handlers(baseUrl));
    expect((await fetch(`${baseUrl}/items/%ff`)).status).toBe(422);
    expect(await (await fetch(`${baseUrl}/items/a%20b`)).json()).toEqual({ key: 'a b' });
    expect((await fetch(`${baseUrl}/itemz/%ff`)).status).toBe(404);
  });

  it('parses the request with the route schema and answers 422 in the server shape', async () => {
    server.use(...createRouteHandlers(drifting, { thing: () => ({ status: 201, body: { id: 1 } }) }, { baseUrl }));
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

  it('hands uploaded files to the implementation and checks them against metadata.files', async () => {
    const upload = c.router({
      upload: {
        method: 'POST',
        path: '/upload',
        contentType: 'multipart/form-data',
        metadata: {
          auth: 'public',
          files: { doc: { required: true, description: 'A picture', mediaTypes: ['image/png'], maxBytes: 100 } },
        },
        body: z.union([z.instanceof(FormData), z.object({ title: z.string() })]),
        responses: { 200: z.object({ title: z.string(), size: z.number(), type: z.string() }) },
      },
    });
    server.use(
      ...createRouteHandlers(
        upload,
        {
          upload: ({ body, files }) => ({
            status: 200,
            body: { title: body.title, size: files.doc?.size ?? -1, type: files.doc?.type ?? '' },
          }),
        },
        { baseUrl },
      ),
    );
    const send = (fields: Record<string, string | File>) => {
      const data = new FormData();
      for (const [key, value] of Object.entries(fields)) data.append(key, value);
      return fetch(`${baseUrl}/upload`, { method: 'POST', body: data });
    };
    const ok = await send({ title: 'scan', doc: pngFile(10) });
    expect(await ok.json()).toEqual({ title: 'scan', size: 10, type: 'image/png' });
    const invalid = await send({ doc: pngFile(10) });
    expect(invalid.status).toBe(422);
    expect((await invalid.json()).detail).toEqual([{ loc: ['body', 'title'], msg: 'Field required', type: 'missing' }]);
    const missing = await send({ title: 'no file' });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ code: 'INVALID_FILE' });
    expect((await send({ title: 'two', doc: pngFile(10), other: pngFile(10) })).status).toBe(400);
    expect((await send({ title: 'big', doc: pngFile(101) })).status).toBe(413);
    const wrongType = await send({ title: 'gif', doc: new File(['GIF89a...'], 'x.gif', { type: 'image/gif' }) });
    expect(wrongType.status).toBe(400);
    expect(await wrongType.json()).toMatchObject({ code: 'INVALID_FILE' });
  });

  it('serves the health routes through the SDK', async () => {
    expect(unwrap(await client.health.liveness())).toMatchObject({ status: 'ok', version: 'mock' });
  });
});
