import { describe, expect, it } from 'vitest';
import { bearer, CEO, getJson, login, SALES, sendJson, tokens } from '../auth/helpers.js';
import { createTestApp, type TestApp } from '../harness.js';
import { DEMO_SETUP, instagramWorld, sql } from '../instagram/helpers.js';
import { ManualClock } from '../manual-clock.js';

const TOKEN = 'metrics-test-token-0123456789';

/** One sample of the exposition text: its metric name, labels and value. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses Prometheus's text format (the lines this server writes: no escaped quotes in label values). */
function samples(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`Not a sample line: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
      return { name: match[1] as string, labels, value: Number(match[3]) };
    });
}

/** The value of the sample with this name and (at least) these labels; undefined when there is none. */
function sampleValue(all: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return all.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

async function scrape(t: TestApp): Promise<Sample[]> {
  const res = await fetch(`${t.url}/metrics`, { headers: bearer(TOKEN) });
  expect(res.status).toBe(200);
  return samples(await res.text());
}

describe('GET /metrics', () => {
  it('is not served without METRICS_TOKEN: 404 as any unknown path', async () => {
    await using t = await createTestApp();
    const { res, body } = await getJson(t, '/metrics', bearer(TOKEN));
    expect(res.status).toBe(404);
    expect(body).toEqual({ detail: 'Not Found', code: 'NOT_FOUND' });
  });

  it('needs the bearer token of METRICS_TOKEN, and answers in the Prometheus text format', async () => {
    await using t = await createTestApp({ env: { METRICS_TOKEN: TOKEN } });
    const none = await getJson(t, '/metrics');
    expect(none.res.status).toBe(401);
    expect(none.res.headers.get('www-authenticate')).toBe('Bearer');
    expect(none.body).toMatchObject({ code: 'UNAUTHENTICATED', detail: expect.any(String) });
    const wrong = await getJson(t, '/metrics', bearer(`${TOKEN}x`));
    expect(wrong.res.status).toBe(401);
    expect(wrong.body).toMatchObject({ code: 'UNAUTHENTICATED' });
    // A user's access token is no metrics token.
    const user = await tokens(t, SALES.email, SALES.password);
    expect((await getJson(t, '/metrics', bearer(user.access_token))).res.status).toBe(401);

    const res = await fetch(`${t.url}/metrics`, { headers: bearer(TOKEN) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    // Node's default metrics, under their usual names.
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    const all = samples(text);
    // The refused scrapes were counted, under the path itself.
    expect(sampleValue(all, 'cims_http_requests_total', { route: '/metrics', method: 'GET', status: '401' })).toBe(3);
  });

  it('counts requests by route template, never by URL', async () => {
    await using t = await createTestApp({ env: { METRICS_TOKEN: TOKEN } });
    const { access_token } = await tokens(t, SALES.email, SALES.password);
    for (let i = 0; i < 2; i += 1) {
      expect((await getJson(t, '/auth/me', bearer(access_token))).res.status).toBe(200);
    }
    expect((await getJson(t, '/crm/detail/987654', bearer(access_token))).res.status).toBe(404);
    expect((await getJson(t, '/no/such/path/12345')).res.status).toBe(404);
    expect((await sendJson(t, 'DELETE', '/auth/me', undefined)).res.status).toBe(405);

    const all = await scrape(t);
    const http = (labels: Record<string, string>) => sampleValue(all, 'cims_http_requests_total', labels);
    expect(http({ route: '/auth/me', method: 'GET', status: '200' })).toBe(2);
    expect(http({ route: '/auth/login', method: 'POST', status: '200' })).toBe(1);
    expect(http({ route: '/crm/detail/:id', method: 'GET', status: '404' })).toBe(1);
    expect(http({ route: 'unmatched', method: 'GET', status: '404' })).toBe(1);
    expect(http({ route: 'unmatched', method: 'DELETE', status: '405' })).toBe(1);
    // No series carries a raw path.
    const routes = new Set(all.filter((s) => s.name === 'cims_http_requests_total').map((s) => s.labels.route));
    expect([...routes].some((route) => route?.includes('987654') || route?.includes('no/such'))).toBe(false);
    expect(
      sampleValue(all, 'cims_http_request_duration_seconds_count', { route: '/auth/me', method: 'GET', status: '200' }),
    ).toBe(2);
    expect(
      sampleValue(all, 'cims_http_request_duration_seconds_bucket', {
        route: '/auth/me',
        method: 'GET',
        status: '200',
        le: '+Inf',
      }),
    ).toBe(2);

    // The pools of this database, read when scraped.
    const pools = t.database === 'postgres' ? ['database', 'database_reads', 'database_auth'] : ['database'];
    for (const pool of pools) {
      expect(sampleValue(all, 'cims_db_pool_connections_max', { pool })).toBeGreaterThan(0);
      expect(sampleValue(all, 'cims_db_pool_connections_in_use', { pool })).toBeGreaterThanOrEqual(0);
      expect(sampleValue(all, 'cims_db_pool_connections_idle', { pool })).toBeGreaterThanOrEqual(0);
      expect(sampleValue(all, 'cims_db_pool_waiting', { pool })).toBe(0);
    }
  });

  it('times the waits for a database connection, per pool', async () => {
    await using t = await createTestApp({ env: { METRICS_TOKEN: TOKEN } });
    const before = await scrape(t);
    const { access_token } = await tokens(t, SALES.email, SALES.password);
    // Eight requests at once: on the embedded database they take turns on its single connection.
    const statuses = await Promise.all(
      Array.from({ length: 8 }, async () => (await getJson(t, '/auth/me', bearer(access_token))).res.status),
    );
    expect(statuses).toEqual(Array(8).fill(200));
    const after = await scrape(t);
    // The ORM's pool serves the sign-in's transaction; on PostgreSQL `/auth/me` reads on the authentication pool.
    const pools = t.database === 'postgres' ? ['database', 'database_auth'] : ['database'];
    for (const pool of pools) {
      const count = (samples: Sample[]) => sampleValue(samples, 'cims_db_pool_wait_seconds_count', { pool }) ?? 0;
      expect(count(after)).toBeGreaterThan(count(before));
      const sum = sampleValue(after, 'cims_db_pool_wait_seconds_sum', { pool }) ?? -1;
      expect(sum).toBeGreaterThanOrEqual(0);
      expect(sampleValue(after, 'cims_db_pool_wait_seconds_bucket', { pool, le: '+Inf' })).toBe(count(after));
    }
  });

  it('counts failed sign-ins, refresh outcomes and rate-limit refusals', async () => {
    await using t = await createTestApp({ env: { METRICS_TOKEN: TOKEN, RATE_LIMIT_ACCOUNT_MAX: '1' } });
    expect((await login(t, SALES.email, 'not-the-password')).res.status).toBe(401);
    // The one failure per (account, address) the window allows is spent: the next attempt is refused before it is
    // checked, and is no login failure.
    const limited = await login(t, SALES.email, 'not-the-password');
    expect(limited.res.status).toBe(429);

    // Another account, whose sign-ins the limit above does not touch.
    const first = await tokens(t, CEO.email, CEO.password);
    const rotated = await sendJson(t, 'POST', '/auth/refresh', { refresh_token: first.refresh_token });
    expect(rotated.res.status).toBe(200);
    // Within REFRESH_REUSE_GRACE_SECONDS the spent token gets the same successor again.
    const grace = await sendJson(t, 'POST', '/auth/refresh', { refresh_token: first.refresh_token });
    expect(grace.res.status).toBe(200);
    const unknown = await sendJson(t, 'POST', '/auth/refresh', { refresh_token: 'not-a-refresh-token' });
    expect(unknown.res.status).toBe(401);

    const all = await scrape(t);
    expect(sampleValue(all, 'cims_login_failures_total')).toBe(1);
    expect(sampleValue(all, 'cims_rate_limited_total', { rule: 'login-failed' })).toBe(1);
    expect(sampleValue(all, 'cims_refresh_total', { outcome: 'rotated' })).toBe(1);
    expect(sampleValue(all, 'cims_refresh_total', { outcome: 'grace' })).toBe(1);
    expect(sampleValue(all, 'cims_refresh_total', { outcome: 'invalid' })).toBe(1);
  });

  it('counts a refresh token presented after the grace window as reuse', async () => {
    await using t = await createTestApp({ env: { METRICS_TOKEN: TOKEN, REFRESH_REUSE_GRACE_SECONDS: '0' } });
    const first = await tokens(t, SALES.email, SALES.password);
    expect((await sendJson(t, 'POST', '/auth/refresh', { refresh_token: first.refresh_token })).res.status).toBe(200);
    const reused = await sendJson(t, 'POST', '/auth/refresh', { refresh_token: first.refresh_token });
    expect(reused.body).toMatchObject({ code: 'REFRESH_TOKEN_REUSED' });
    const all = await scrape(t);
    expect(sampleValue(all, 'cims_refresh_total', { outcome: 'rotated' })).toBe(1);
    expect(sampleValue(all, 'cims_refresh_total', { outcome: 'reuse_detected' })).toBe(1);
  });

  it('counts scheduled runs by job and outcome, and Graph API calls by outcome', async () => {
    const clock = new ManualClock(Date.now());
    await using w = await instagramWorld({
      clock,
      env: {
        METRICS_TOKEN: TOKEN,
        INSTAGRAM_SCHEDULER: 'true',
        // The daily sync ticks every 2 s and the retry every second (on the test's clock); the token renewal never.
        INSTAGRAM_SYNC_CRON: '*/2 * * * * *',
        INSTAGRAM_SYNC_RETRY_CRON: '* * * * * *',
        INSTAGRAM_TOKEN_RENEWAL_CRON: '0 0 1 1 *',
        GRAPH_API_MAX_ATTEMPTS: '1',
      },
    });
    const runs = (all: Sample[], job: string, outcome: string) =>
      sampleValue(all, 'cims_scheduler_runs_total', { job, outcome }) ?? 0;
    const tick = (job: string) => clock.tick(job, [w.t.server.app.context.scheduler]);
    // Nothing connected: the daily sync's ticks are claimed and skipped.
    await tick('instagram-sync');
    expect(runs(await scrape(w.t), 'instagram-sync', 'skipped')).toBe(1);

    // Connected with a token the server believes expired, so no retry runs until the Graph API is made to fail.
    expect(
      (await w.ceo.instagram.setup({ body: { ...DEMO_SETUP, token_expires_at: '2020-01-01T00:00:00Z' } })).status,
    ).toBe(200);
    w.fake.graph.useScenario('server-error');
    await sql(w.t, "update instagram_account set token_expires_at = now() + interval '30 days'");
    await tick('instagram-sync-retry');
    const afterFailure = await scrape(w.t);
    expect(runs(afterFailure, 'instagram-sync-retry', 'failed')).toBe(1);
    const graph = (all: Sample[], outcome: string) => sampleValue(all, 'cims_graph_api_calls_total', { outcome }) ?? 0;
    expect(graph(afterFailure, 'ok')).toBeGreaterThan(0);
    expect(graph(afterFailure, 'unavailable')).toBeGreaterThan(0);

    w.fake.graph.useScenario('expired-token');
    expect((await w.ceo.instagram.sync()).status).toBe(409);
    expect(graph(await scrape(w.t), 'token')).toBeGreaterThan(0);
  });
});
