import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { demoFollowersOn, FAKE_GRAPH_DEMO } from './demo-account.js';
import { createFakeGraphApi, FAKE_GRAPH_SCOPES, GRAPH_SCENARIOS } from './fake-graph-api.js';

const T0 = Date.parse('2026-06-01T09:00:00.000Z');
const DAY = 86_400_000;
const GRAPH = 'https://graph.facebook.com';
const FIELDS = 'followers_count,follows_count,media_count,username';
const APP_TOKEN = `${FAKE_GRAPH_DEMO.appId}|${FAKE_GRAPH_DEMO.appSecret}`;

let time = T0;
const graph = createFakeGraphApi({ now: () => time });
const server = setupServer(...graph.handlers);

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  graph.reset();
  time = T0;
});
afterAll(() => server.close());

/** What the tests read from Graph answers: an error, `debug_token` data, a token, or an IG User's fields. */
interface GraphJson {
  error: { code: number; error_subcode?: number; message: string; type: string; is_transient?: boolean };
  data: { is_valid: boolean; expires_at?: number; error?: { code: number; subcode?: number } };
  access_token: string;
  followers_count: number;
  [field: string]: unknown;
}

/** A GET through `fetch` (intercepted by MSW), with its JSON body. */
async function get(path: string, query: Record<string, string> = {}, init?: RequestInit) {
  const url = new URL(`${GRAPH}${path}`);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  const res = await fetch(url, init);
  return { status: res.status, headers: res.headers, body: (await res.json()) as GraphJson };
}

const readDemo = (token: string = FAKE_GRAPH_DEMO.token, version = 'v25.0') =>
  get(`/${version}/${FAKE_GRAPH_DEMO.accountId}`, { fields: FIELDS, access_token: token });

describe('reading an IG User', () => {
  it('answers the requested fields plus id, the demo counts of the day the fake started', async () => {
    const res = await readDemo();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: FAKE_GRAPH_DEMO.accountId,
      username: FAKE_GRAPH_DEMO.username,
      ...demoFollowersOn('2026-06-01'),
    });
    const usage = JSON.parse(res.headers.get('x-app-usage') ?? '{}');
    expect(usage).toEqual({
      call_count: expect.any(Number),
      total_cputime: expect.any(Number),
      total_time: expect.any(Number),
    });
  });

  it('answers any version vN.N and only the fields asked for; id alone without fields', async () => {
    const some = await get(`/v19.0/${FAKE_GRAPH_DEMO.accountId}`, {
      fields: 'followers_count',
      access_token: FAKE_GRAPH_DEMO.token,
    });
    expect(some.body).toEqual({ followers_count: expect.any(Number), id: FAKE_GRAPH_DEMO.accountId });
    const bare = await get(`/v26.0/${FAKE_GRAPH_DEMO.accountId}`, { access_token: FAKE_GRAPH_DEMO.token });
    expect(bare.body).toEqual({ id: FAKE_GRAPH_DEMO.accountId });
  });

  it('takes the token from an Authorization header too', async () => {
    const res = await get(
      `/v25.0/${FAKE_GRAPH_DEMO.accountId}`,
      { fields: 'username' },
      { headers: { authorization: `Bearer ${FAKE_GRAPH_DEMO.token}` } },
    );
    expect(res.body).toEqual({ username: FAKE_GRAPH_DEMO.username, id: FAKE_GRAPH_DEMO.accountId });
  });

  it('serves counts the test changed', async () => {
    const account = graph.accounts.get(FAKE_GRAPH_DEMO.accountId);
    if (!account) throw new Error('no demo account');
    account.followers_count = 4242;
    expect((await readDemo()).body.followers_count).toBe(4242);
    graph.reset();
    expect((await readDemo()).body.followers_count).toBe(demoFollowersOn('2026-06-01').followers_count);
  });

  it('refuses an unknown token with code 190 in Meta’s error shape', async () => {
    const res = await readDemo('EAAUnknownToken000000000');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        message: 'Invalid OAuth access token - Cannot parse access token',
        type: 'OAuthException',
        code: 190,
        fbtrace_id: expect.any(String),
      },
    });
  });

  it('refuses a missing token with code 104', async () => {
    const res = await get(`/v25.0/${FAKE_GRAPH_DEMO.accountId}`, { fields: FIELDS });
    expect([res.status, res.body.error.code]).toEqual([400, 104]);
  });

  it('expires the demo token 60 days after the fake started (code 190, subcode 463)', async () => {
    time = T0 + 60 * DAY - 1000;
    expect((await readDemo()).status).toBe(200);
    time = T0 + 60 * DAY;
    const res = await readDemo();
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 190, error_subcode: 463, type: 'OAuthException' });
    expect(res.body.error.message).toMatch(/^Error validating access token: Session has expired/);
  });

  it('answers code 100 subcode 33 for an id the token may not read, or that does not exist', async () => {
    graph.accounts.set('17841400000000002', {
      id: '17841400000000002',
      username: 'other',
      followers_count: 1,
      follows_count: 1,
      media_count: 1,
    });
    for (const id of ['17841400000000002', '17841499999999999']) {
      const res = await get(`/v25.0/${id}`, { fields: FIELDS, access_token: FAKE_GRAPH_DEMO.token });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 100, error_subcode: 33, type: 'GraphMethodException' });
      expect(res.body.error.message).toContain(`Object with ID '${id}' does not exist`);
    }
  });

  it('serves a registered token for its account until it expires; 0 never expires', async () => {
    graph.accounts.set('17841400000000002', {
      id: '17841400000000002',
      username: 'second',
      followers_count: 10,
      follows_count: 2,
      media_count: 3,
    });
    graph.addToken({ token: 'EAASecondToken00000001', accountId: '17841400000000002', expiresAt: T0 / 1000 + 60 });
    graph.addToken({ token: 'EAAForeverToken0000001', accountId: '17841400000000002', expiresAt: 0 });
    const read = (token: string) =>
      get('/v25.0/17841400000000002', { fields: 'username,followers_count', access_token: token });
    expect((await read('EAASecondToken00000001')).body).toEqual({
      username: 'second',
      followers_count: 10,
      id: '17841400000000002',
    });
    time = T0 + 61_000;
    expect((await read('EAASecondToken00000001')).body.error.error_subcode).toBe(463);
    time = T0 + 10_000 * DAY;
    expect((await read('EAAForeverToken0000001')).status).toBe(200);
  });

  it('refuses a field an IG User does not have, and paths it does not know', async () => {
    const field = await get(`/v25.0/${FAKE_GRAPH_DEMO.accountId}`, {
      fields: 'followers_count,secrets',
      access_token: FAKE_GRAPH_DEMO.token,
    });
    expect([field.status, field.body.error.code]).toEqual([400, 100]);
    expect(field.body.error.message).toContain('(secrets)');
    const unversioned = await get(`/${FAKE_GRAPH_DEMO.accountId}`, { access_token: FAKE_GRAPH_DEMO.token });
    expect([unversioned.status, unversioned.body.error.code]).toEqual([400, 2500]);
    const edge = await get(`/v25.0/${FAKE_GRAPH_DEMO.accountId}/media`, { access_token: FAKE_GRAPH_DEMO.token });
    expect([edge.status, edge.body.error.code]).toEqual([400, 2500]);
  });
});

describe('debug_token', () => {
  it('reports a valid token with its expiry, scopes and app', async () => {
    const res = await get('/v25.0/debug_token', { input_token: FAKE_GRAPH_DEMO.token, access_token: APP_TOKEN });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: {
        app_id: FAKE_GRAPH_DEMO.appId,
        type: 'USER',
        application: 'CIMS',
        expires_at: T0 / 1000 + 60 * 86_400,
        is_valid: true,
        scopes: [...FAKE_GRAPH_SCOPES],
        user_id: expect.stringMatching(/^\d+$/),
      },
    });
  });

  it('reports an unknown or expired token as not valid, with a 200', async () => {
    const unknown = await get('/v25.0/debug_token', { input_token: 'EAANope0000000000', access_token: APP_TOKEN });
    expect(unknown.status).toBe(200);
    expect(unknown.body.data).toMatchObject({ is_valid: false, error: { code: 190 } });
    time = T0 + 61 * DAY;
    const expired = await get('/v25.0/debug_token', { input_token: FAKE_GRAPH_DEMO.token, access_token: APP_TOKEN });
    expect(expired.status).toBe(200);
    expect(expired.body.data).toMatchObject({ is_valid: false, expires_at: T0 / 1000 + 60 * 86_400 });
    expect(expired.body.data.error).toMatchObject({ code: 190, subcode: 463 });
  });

  it('refuses a wrong app token with 400 code 190, and is not affected by the scenario', async () => {
    const wrong = await get('/v25.0/debug_token', {
      input_token: FAKE_GRAPH_DEMO.token,
      access_token: `${FAKE_GRAPH_DEMO.appId}|wrong`,
    });
    expect([wrong.status, wrong.body.error.code]).toEqual([400, 190]);
    graph.useScenario('server-error');
    const res = await get('/v25.0/debug_token', { input_token: FAKE_GRAPH_DEMO.token, access_token: APP_TOKEN });
    expect(res.body.data.is_valid).toBe(true);
  });

  it('uses the app credentials it was created with', async () => {
    const other = createFakeGraphApi({ appId: 'app-2', appSecret: 'secret-2', now: () => time });
    const ask = (appToken: string) =>
      other.handle(
        new Request(`${GRAPH}/v25.0/debug_token?input_token=${FAKE_GRAPH_DEMO.token}&access_token=${appToken}`),
      );
    expect((await ask(APP_TOKEN)).status).toBe(400);
    expect(await (await ask('app-2|secret-2')).json()).toMatchObject({ data: { app_id: 'app-2', is_valid: true } });
  });
});

describe('exchanging a token (fb_exchange_token)', () => {
  const exchange = (token: string, secret: string = FAKE_GRAPH_DEMO.appSecret) =>
    get('/v25.0/oauth/access_token', {
      grant_type: 'fb_exchange_token',
      client_id: FAKE_GRAPH_DEMO.appId,
      client_secret: secret,
      fb_exchange_token: token,
    });

  it('returns a new 60-day token for the same account', async () => {
    time = T0 + 10 * DAY;
    const res = await exchange(FAKE_GRAPH_DEMO.token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'bearer', expires_in: 5_183_944 });
    const fresh = res.body.access_token as string;
    expect(fresh).not.toBe(FAKE_GRAPH_DEMO.token);
    expect((await readDemo(fresh)).status).toBe(200);
    const debug = await get('/v25.0/debug_token', { input_token: fresh, access_token: APP_TOKEN });
    expect(debug.body.data.expires_at).toBe((T0 + 10 * DAY) / 1000 + 5_183_944);
    // The new token outlives the old one.
    time = T0 + 65 * DAY;
    expect((await readDemo(FAKE_GRAPH_DEMO.token)).status).toBe(400);
    expect((await readDemo(fresh)).status).toBe(200);
  });

  it('refuses an expired token (190/463), an unknown one (190) and a wrong client secret (code 1)', async () => {
    expect((await exchange('EAANope000000000000')).body.error).toMatchObject({ code: 190 });
    const secret = await exchange(FAKE_GRAPH_DEMO.token, 'wrong-secret');
    expect([secret.status, secret.body.error]).toEqual([
      400,
      expect.objectContaining({ code: 1, type: 'OAuthException', message: 'Error validating client secret.' }),
    ]);
    time = T0 + 61 * DAY;
    const expired = await exchange(FAKE_GRAPH_DEMO.token);
    expect([expired.status, expired.body.error.code, expired.body.error.error_subcode]).toEqual([400, 190, 463]);
  });
});

describe('scenarios', () => {
  it('lists the five scenarios and refuses others', () => {
    expect(GRAPH_SCENARIOS).toEqual(['healthy', 'expired-token', 'permission-revoked', 'rate-limited', 'server-error']);
    expect(() => graph.useScenario('nope' as never)).toThrow(/Unknown Graph scenario/);
  });

  it('expired-token: 400 code 190 subcode 463 for a valid token', async () => {
    graph.useScenario('expired-token');
    expect(graph.scenario).toBe('expired-token');
    const res = await readDemo();
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 190, error_subcode: 463, type: 'OAuthException' });
  });

  it('permission-revoked: 400 code 10', async () => {
    graph.useScenario('permission-revoked');
    const res = await readDemo();
    expect([res.status, res.body.error]).toEqual([
      400,
      expect.objectContaining({
        code: 10,
        type: 'OAuthException',
        message: 'Application does not have permission for this action',
      }),
    ]);
  });

  it('rate-limited: 400 code 4 with the usage headers at 100% and the time to regain access', async () => {
    graph.useScenario('rate-limited');
    const res = await readDemo();
    expect([res.status, res.body.error.code, res.body.error.message]).toEqual([
      400,
      4,
      'Application request limit reached',
    ]);
    expect(JSON.parse(res.headers.get('x-app-usage') ?? '{}')).toMatchObject({ call_count: 100 });
    expect(JSON.parse(res.headers.get('x-business-use-case-usage') ?? '{}')).toEqual({
      [FAKE_GRAPH_DEMO.accountId]: [
        {
          type: 'instagram',
          call_count: 100,
          total_cputime: 20,
          total_time: 30,
          estimated_time_to_regain_access: 5,
        },
      ],
    });
  });

  it('server-error: HTTP 500 code 1, transient', async () => {
    graph.useScenario('server-error');
    const res = await readDemo();
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      error: {
        message: 'An unknown error has occurred.',
        type: 'OAuthException',
        code: 1,
        is_transient: true,
        fbtrace_id: expect.any(String),
      },
    });
  });

  it('applies to token exchange too, and reset() returns to the starting scenario', async () => {
    graph.useScenario('permission-revoked');
    const res = await get('/v25.0/oauth/access_token', {
      grant_type: 'fb_exchange_token',
      client_id: FAKE_GRAPH_DEMO.appId,
      client_secret: FAKE_GRAPH_DEMO.appSecret,
      fb_exchange_token: FAKE_GRAPH_DEMO.token,
    });
    expect(res.body.error.code).toBe(10);
    graph.reset();
    expect(graph.scenario).toBe('healthy');
    expect((await readDemo()).status).toBe(200);
  });

  it('a fake may start in another scenario, and reset() keeps it', async () => {
    const other = createFakeGraphApi({ scenario: 'server-error' });
    other.useScenario('healthy');
    other.reset();
    expect(other.scenario).toBe('server-error');
    const res = await other.handle(
      new Request(`${GRAPH}/v25.0/${FAKE_GRAPH_DEMO.accountId}?access_token=${FAKE_GRAPH_DEMO.token}`),
    );
    expect(res.status).toBe(500);
  });
});

describe('failNext', () => {
  it('fails the next request once with the given error, then answers normally', async () => {
    graph.failNext({ status: 503, code: 2 });
    const failed = await readDemo();
    expect(failed.status).toBe(503);
    expect(failed.body.error).toMatchObject({ code: 2, type: 'OAuthException', is_transient: true });
    expect((await readDemo()).status).toBe(200);
  });

  it('fails `times` requests, with the subcode, message, type and headers given, before the scenario', async () => {
    graph.useScenario('server-error');
    graph.failNext(
      {
        status: 400,
        code: 17,
        subcode: 2446079,
        message: 'User request limit reached',
        type: 'OAuthException',
        headers: { 'X-App-Usage': '{"call_count":95,"total_cputime":5,"total_time":5}' },
      },
      2,
    );
    for (let i = 0; i < 2; i += 1) {
      const res = await readDemo();
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 17, error_subcode: 2446079, message: 'User request limit reached' });
      expect(JSON.parse(res.headers.get('x-app-usage') ?? '{}').call_count).toBe(95);
    }
    expect((await readDemo()).status).toBe(500);
  });

  it('reset() forgets queued failures', async () => {
    graph.failNext({ status: 500, code: 1 }, 3);
    graph.reset();
    expect((await readDemo()).status).toBe(200);
  });
});

describe('the request log', () => {
  it('records every request oldest first with its status, secrets replaced by ***', async () => {
    await readDemo();
    await get('/v25.0/debug_token', { input_token: FAKE_GRAPH_DEMO.token, access_token: APP_TOKEN });
    await get('/v25.0/oauth/access_token', {
      grant_type: 'fb_exchange_token',
      client_id: FAKE_GRAPH_DEMO.appId,
      client_secret: FAKE_GRAPH_DEMO.appSecret,
      fb_exchange_token: FAKE_GRAPH_DEMO.token,
    });
    await readDemo('EAAUnknownToken000000000');
    expect(graph.requests).toEqual([
      {
        method: 'GET',
        path: `/v25.0/${FAKE_GRAPH_DEMO.accountId}`,
        query: { fields: FIELDS, access_token: '***' },
        status: 200,
      },
      { method: 'GET', path: '/v25.0/debug_token', query: { input_token: '***', access_token: '***' }, status: 200 },
      {
        method: 'GET',
        path: '/v25.0/oauth/access_token',
        query: {
          grant_type: 'fb_exchange_token',
          client_id: FAKE_GRAPH_DEMO.appId,
          client_secret: '***',
          fb_exchange_token: '***',
        },
        status: 200,
      },
      {
        method: 'GET',
        path: `/v25.0/${FAKE_GRAPH_DEMO.accountId}`,
        query: { fields: FIELDS, access_token: '***' },
        status: 400,
      },
    ]);
    const logged = JSON.stringify(graph.requests);
    expect(logged).not.toContain(FAKE_GRAPH_DEMO.token);
    expect(logged).not.toContain(FAKE_GRAPH_DEMO.appSecret);
    graph.reset();
    expect(graph.requests).toEqual([]);
  });
});

describe('handle() and baseUrl', () => {
  it('answers without MSW, at a custom base URL with a path', async () => {
    const local = createFakeGraphApi({ baseUrl: 'http://graph.test/proxy/', now: () => time });
    const res = await local.handle(
      new Request(`http://graph.test/proxy/v25.0/${FAKE_GRAPH_DEMO.accountId}?fields=username`, {
        headers: { authorization: `OAuth ${FAKE_GRAPH_DEMO.token}` },
      }),
    );
    expect(await res.json()).toEqual({ username: FAKE_GRAPH_DEMO.username, id: FAKE_GRAPH_DEMO.accountId });
    expect(local.requests).toEqual([
      { method: 'GET', path: `/v25.0/${FAKE_GRAPH_DEMO.accountId}`, query: { fields: 'username' }, status: 200 },
    ]);
  });

  it('refuses other methods than GET', async () => {
    const res = await fetch(`${GRAPH}/v25.0/${FAKE_GRAPH_DEMO.accountId}?access_token=${FAKE_GRAPH_DEMO.token}`, {
      method: 'POST',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: number } }).error.code).toBe(100);
  });
});

describe('demoFollowersOn', () => {
  it('is deterministic, rises over a year, and sometimes drops from one day to the next', () => {
    expect(demoFollowersOn('2026-03-10')).toEqual(demoFollowersOn('2026-03-10'));
    const year = Array.from({ length: 365 }, (_, i) =>
      demoFollowersOn(new Date(Date.parse('2025-06-01') + i * DAY).toISOString().slice(0, 10)),
    );
    const first = year[0]?.followers_count ?? 0;
    const last = year.at(-1)?.followers_count ?? 0;
    expect(last - first).toBeGreaterThan(4000);
    const drops = year.slice(1).filter((day, i) => day.followers_count < (year[i]?.followers_count ?? 0));
    expect(drops.length).toBeGreaterThan(0);
    for (const day of year) {
      expect(Object.values(day).every((n) => Number.isInteger(n) && n >= 0)).toBe(true);
    }
  });

  it('refuses what is not a date', () => {
    expect(() => demoFollowersOn('yesterday')).toThrow(/YYYY-MM-DD/);
  });
});
