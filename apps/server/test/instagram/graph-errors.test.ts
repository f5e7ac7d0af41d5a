import { unwrap } from '@cims/sdk';
import { describe, expect, it } from 'vitest';
import {
  closedPort,
  countSnapshots,
  DEMO_SETUP,
  FAKE_GRAPH_DEMO,
  instagramWorld,
  sql,
  startFaultyRelay,
} from './helpers.js';

const READ = `/${FAKE_GRAPH_DEMO.accountId}`;

/** `X-Business-Use-Case-Usage` saying access returns in `minutes`. */
function bucUsage(minutes: number): Record<string, string> {
  return {
    'X-App-Usage': JSON.stringify({ call_count: 100, total_cputime: 10, total_time: 10 }),
    'X-Business-Use-Case-Usage': JSON.stringify({
      [FAKE_GRAPH_DEMO.accountId]: [
        {
          type: 'instagram',
          call_count: 100,
          total_cputime: 5,
          total_time: 5,
          estimated_time_to_regain_access: minutes,
        },
      ],
    }),
  };
}

describe('Graph API failures at setup', () => {
  it('a token or id the Graph API refuses (190, 10, 200–299, 100) is 400 INSTAGRAM_TOKEN_REJECTED, nothing saved', async () => {
    await using w = await instagramWorld();
    const cases = [
      {
        name: 'unknown token (190)',
        body: { ...DEMO_SETUP, access_token: 'EAAUnknownTokenForTheFake000001' },
        graph: 190,
      },
      {
        name: 'wrong account id (100)',
        body: { ...DEMO_SETUP, instagram_business_account_id: '17841499999999999' },
        graph: 100,
      },
    ];
    for (const { name, body, graph } of cases) {
      const res = await w.ceo.instagram.setup({ body });
      expect(res.status, name).toBe(400);
      expect(res.body, name).toMatchObject({ code: 'INSTAGRAM_TOKEN_REJECTED', graph_error: { code: graph } });
    }
    for (const code of [10, 200, 299]) {
      w.fake.graph.failNext({ status: 403, code });
      const res = await w.ceo.instagram.setup({ body: DEMO_SETUP });
      expect(res.status, `code ${code}`).toBe(400);
      expect(res.body).toMatchObject({ code: 'INSTAGRAM_TOKEN_REJECTED', graph_error: { code } });
      expect((res.body as { detail: string }).detail).toMatch(/permission/);
    }
    // An expired token, as debug_token reports it, is refused too.
    w.fake.graph.addToken({
      token: 'EAAFakeExpiredToken0000000001',
      accountId: FAKE_GRAPH_DEMO.accountId,
      expiresAt: 1,
    });
    const expired = await w.ceo.instagram.setup({
      body: { ...DEMO_SETUP, access_token: 'EAAFakeExpiredToken0000000001' },
    });
    expect(expired.status).toBe(400);
    expect(expired.body).toMatchObject({ code: 'INSTAGRAM_TOKEN_REJECTED', graph_error: { code: 190, subcode: 463 } });
    // None of them was retried, and nothing was stored.
    expect(w.graphCalls()).toBe(6);
    expect(await sql(w.t, 'select id from instagram_account')).toEqual([]);
    expect(unwrap(await w.ceo.instagram.account()).connected).toBe(false);
  });

  it('a throttled or failing Graph API at setup is 503 / 502, nothing saved', async () => {
    await using w = await instagramWorld();
    w.fake.graph.useScenario('rate-limited');
    const limited = await w.ceo.instagram.setup({ body: DEMO_SETUP });
    expect(limited.status).toBe(503);
    expect(limited.body).toMatchObject({ code: 'UPSTREAM_RATE_LIMITED', retry_after_seconds: 300 });
    w.fake.graph.useScenario('server-error');
    const failing = await w.ceo.instagram.setup({ body: DEMO_SETUP });
    expect(failing.status).toBe(502);
    expect(failing.body).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', graph_error: { code: 1 } });
    expect(await sql(w.t, 'select id from instagram_account')).toEqual([]);
  });

  it('wrong app credentials make debug_token fail: 502 naming the configuration, nothing saved', async () => {
    await using w = await instagramWorld({ env: { META_APP_SECRET: 'not-the-fake-app-secret' } });
    const res = await w.ceo.instagram.setup({ body: DEMO_SETUP });
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', graph_error: { code: 190 } });
    expect((res.body as { detail: string }).detail).toContain('META_APP_ID, META_APP_SECRET');
    expect(await sql(w.t, 'select id from instagram_account')).toEqual([]);
  });
});

describe('Graph API failures when syncing', () => {
  it('190 (expired or revoked token): 409 INSTAGRAM_RECONNECT_REQUIRED, no retry, the account flagged until a new setup', async () => {
    await using w = await instagramWorld();
    unwrap(await w.ceo.instagram.setup({ body: DEMO_SETUP }));
    w.fake.graph.useScenario('expired-token');
    const before = w.graphCalls(READ);
    const res = await w.ceo.instagram.sync();
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      code: 'INSTAGRAM_RECONNECT_REQUIRED',
      graph_error: { code: 190, subcode: 463, type: 'OAuthException' },
    });
    expect(w.graphCalls(READ) - before).toBe(1);
    const account = unwrap(await w.ceo.instagram.account()).account;
    expect(account).toMatchObject({
      reconnect_required: true,
      last_error: { code: 'INSTAGRAM_RECONNECT_REQUIRED', graph_code: 190 },
    });
    expect(account?.last_error?.message).toMatch(/expired or was revoked/);

    // Setting the account up again with a working token clears the flag and the error.
    w.fake.graph.useScenario('healthy');
    const again = unwrap(await w.ceo.instagram.setup({ body: DEMO_SETUP }));
    expect(again.account).toMatchObject({ reconnect_required: false, last_error: null });
    expect((await w.ceo.instagram.sync()).status).toBe(200);
  });

  it('10 and 200–299 (missing permission): 409 saying a permission is missing, no retry', async () => {
    await using w = await instagramWorld();
    unwrap(await w.ceo.instagram.setup({ body: DEMO_SETUP }));
    w.fake.graph.useScenario('permission-revoked');
    const revoked = await w.ceo.instagram.sync();
    expect(revoked.status).toBe(409);
    expect(revoked.body).toMatchObject({ code: 'INSTAGRAM_RECONNECT_REQUIRED', graph_error: { code: 10 } });
    expect((revoked.body as { detail: string }).detail).toMatch(/permission .*missing/);
    w.fake.graph.useScenario('healthy');
    for (const code of [200, 250, 299]) {
      const before = w.graphCalls(READ);
      w.fake.graph.failNext({ status: 403, code, message: '(#200) Requires instagram_basic permission' });
      const res = await w.ceo.instagram.sync();
      expect(res.status, `code ${code}`).toBe(409);
      expect(res.body).toMatchObject({ code: 'INSTAGRAM_RECONNECT_REQUIRED', graph_error: { code } });
      expect(w.graphCalls(READ) - before).toBe(1);
    }
    expect(unwrap(await w.ceo.instagram.account()).account?.reconnect_required).toBe(true);
  });

  it.each([4, 17, 32, 613, 80000, 80001, 80002, 80014])(
    'rate limit %i: a short wait is waited out and retried; a long one is 503 with Retry-After',
    async (code) => {
      await using w = await instagramWorld({ env: { GRAPH_API_RATE_LIMIT_MAX_WAIT_MS: '5000' } });
      unwrap(await w.ceo.instagram.setup({ body: DEMO_SETUP }));
      // No time to regain given (0): a short backoff, then the call goes through.
      w.fake.graph.failNext({ status: 400, code, headers: bucUsage(0) });
      let before = w.graphCalls(READ);
      expect((await w.ceo.instagram.sync()).status).toBe(200);
      expect(w.graphCalls(READ) - before).toBe(2);

      // Access returns in 2 minutes, beyond the 5 s the server waits: stop calling, tell the client when.
      w.fake.graph.failNext({ status: 400, code, headers: bucUsage(2) });
      before = w.graphCalls(READ);
      const res = await w.ceo.instagram.sync();
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('120');
      expect(res.body).toMatchObject({
        code: 'UPSTREAM_RATE_LIMITED',
        retry_after_seconds: 120,
        graph_error: { code },
      });
      expect(w.graphCalls(READ) - before).toBe(1);
      const account = unwrap(await w.ceo.instagram.account()).account;
      expect(account).toMatchObject({
        reconnect_required: false,
        last_error: { code: 'UPSTREAM_RATE_LIMITED', graph_code: code },
      });
      // The usage headers of that answer were recorded.
      const [usage] = await sql(w.t, "select graph_usage->'app'->>'call_count' as calls from instagram_account");
      expect(usage?.calls).toBe('100');
    },
  );

  it('a wait the Graph API announces (Retry-After) within the cap is waited out, then retried', async () => {
    await using w = await instagramWorld({ env: { GRAPH_API_RATE_LIMIT_MAX_WAIT_MS: '5000' } });
    unwrap(await w.ceo.instagram.setup({ body: DEMO_SETUP }));
    w.fake.graph.failNext({ status: 400, code: 4, headers: { 'Retry-After': '1' } });
    const before = w.graphCalls(READ);
    const started = Date.now();
    expect((await w.ceo.instagram.sync()).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(w.graphCalls(READ) - before).toBe(2);
  });

  it('transient failures (codes 1 and 2, HTTP 5xx) are retried and then succeed; the last error is cleared', async () => {
    await using w = await instagramWorld();
    unwrap(await w.ceo.instagram.setup({ body: DEMO_SETUP }));
    w.fake.graph.useScenario('rate-limited');
    expect((await w.ceo.instagram.sync()).status).toBe(503);
    w.fake.graph.useScenario('healthy');
    for (const failure of [
      { status: 500, code: 1 },
      { status: 400, code: 2 },
      { status: 503, code: 12345 },
    ]) {
      w.fake.graph.failNext(failure, 2);
      const before = w.graphCalls(READ);
      const res = await w.ceo.instagram.sync();
      expect(res.status, JSON.stringify(failure)).toBe(200);
      expect(w.graphCalls(READ) - before).toBe(3);
    }
    expect(unwrap(await w.ceo.instagram.account()).account?.last_error).toBeNull();
  });

  it('retries are bounded: after GRAPH_API_MAX_ATTEMPTS failures, 502 UPSTREAM_UNAVAILABLE with the Graph error', async () => {
    await using w = await instagramWorld({ env: { GRAPH_API_MAX_ATTEMPTS: '4' } });
    unwrap(await w.ceo.instagram.setup({ body: DEMO_SETUP }));
    w.fake.graph.useScenario('server-error');
    const before = w.graphCalls(READ);
    const res = await w.ceo.instagram.sync();
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      graph_error: { code: 1, message: 'An unknown error has occurred.', type: 'OAuthException' },
    });
    expect((res.body as { detail: string }).detail).toContain('4 attempts');
    expect(w.graphCalls(READ) - before).toBe(4);
    expect(unwrap(await w.ceo.instagram.account()).account).toMatchObject({
      reconnect_required: false,
      last_error: { code: 'UPSTREAM_UNAVAILABLE', graph_code: 1 },
    });
  });

  it('any other Graph error is 502 with graph_error, not retried', async () => {
    await using w = await instagramWorld();
    unwrap(await w.ceo.instagram.setup({ body: DEMO_SETUP }));
    w.fake.graph.failNext({ status: 400, code: 100, subcode: 33, type: 'GraphMethodException' });
    const before = w.graphCalls(READ);
    const res = await w.ceo.instagram.sync();
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      graph_error: { code: 100, subcode: 33, type: 'GraphMethodException' },
    });
    expect(w.graphCalls(READ) - before).toBe(1);
    expect(await countSnapshots(w.t)).toBe(0);
  });

  it('a timeout and a dropped connection are retried, then 502', async () => {
    const fake = await import('@cims/mocks/node').then((m) => m.startFakeGraphApi());
    const relay = await startFaultyRelay(fake.url);
    try {
      await using w = await instagramWorld({ graphUrl: relay.url, env: { GRAPH_API_TIMEOUT_MS: '300' } });
      // The world's own fake is not the one behind the relay: use the relay's.
      unwrap(await w.ceo.instagram.setup({ body: DEMO_SETUP }));
      relay.mode = 'hang';
      const started = Date.now();
      const slow = await w.ceo.instagram.sync();
      expect(slow.status).toBe(502);
      expect(slow.body).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
      expect((slow.body as { detail: string; graph_error?: unknown }).detail).toMatch(
        /did not answer within 300 ms \(3 attempts\)/,
      );
      expect((slow.body as { graph_error?: unknown }).graph_error).toBeUndefined();
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);

      relay.mode = 'drop';
      const dropped = await w.ceo.instagram.sync();
      expect(dropped.status).toBe(502);
      expect((dropped.body as { detail: string }).detail).toMatch(/could not be reached/);

      relay.mode = 'pass';
      expect((await w.ceo.instagram.sync()).status).toBe(200);
    } finally {
      await relay.close();
      await fake.close();
    }
  });

  it('a closed port (network error) at setup is 502, after the retries', async () => {
    const port = await closedPort();
    await using w = await instagramWorld({ graphUrl: `http://127.0.0.1:${port}` });
    const res = await w.ceo.instagram.setup({ body: DEMO_SETUP });
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect((res.body as { detail: string }).detail).toMatch(/could not be reached \(ECONNREFUSED\) \(3 attempts\)/);
    expect(await sql(w.t, 'select id from instagram_account')).toEqual([]);
  });
});
