import { createFakeGraphApi, FAKE_GRAPH_DEMO } from '@cims/mocks';
import { describe, expect, it } from 'vitest';
import { GraphApiError, GraphClient, type GraphClientOptions, regainAccessSeconds } from './graph-client.js';
import { redactUrl } from './graph-url.js';

const BASE = 'https://graph.example.test';

/** A client answering from an in-process fake Graph API; its waits are recorded, not slept. */
function setup(options: Partial<GraphClientOptions> = {}) {
  const graph = createFakeGraphApi({ baseUrl: BASE });
  const waits: number[] = [];
  const client = new GraphClient({
    baseUrl: BASE,
    version: 'v25.0',
    timeoutMs: 1000,
    maxAttempts: 4,
    retryBaseMs: 100,
    retryMaxMs: 1000,
    rateLimitMaxWaitMs: 5000,
    app: { id: FAKE_GRAPH_DEMO.appId, secret: FAKE_GRAPH_DEMO.appSecret },
    fetch: (input, init) => graph.handle(new Request(input, init)),
    sleep: async (ms) => {
      waits.push(ms);
    },
    random: () => 0.5,
    ...options,
  });
  return { graph, client, waits };
}

async function failure(promise: Promise<unknown>): Promise<GraphApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GraphApiError) return error;
    throw error;
  }
  throw new Error('expected a GraphApiError');
}

const buc = (minutes: number) =>
  JSON.stringify({ '1': [{ type: 'instagram', call_count: 100, estimated_time_to_regain_access: minutes }] });

describe('GraphClient', () => {
  it('reads an IG User with the version from the configuration, and its usage headers', async () => {
    const { graph, client } = setup();
    const { data, usage } = await client.user(FAKE_GRAPH_DEMO.accountId, FAKE_GRAPH_DEMO.token);
    expect(data).toMatchObject({ id: FAKE_GRAPH_DEMO.accountId, username: FAKE_GRAPH_DEMO.username });
    expect(typeof data.followers_count).toBe('number');
    expect(usage.app).toMatchObject({ call_count: 1 });
    expect(graph.requests[0]).toMatchObject({
      path: `/v25.0/${FAKE_GRAPH_DEMO.accountId}`,
      query: {
        fields: 'id,username,followers_count,follows_count,media_count',
        access_token: '***',
        appsecret_proof: '***',
      },
    });
  });

  it('does not retry a refused app secret (code 1 over HTTP 400, not transient)', async () => {
    const { graph, client } = setup({ app: { id: FAKE_GRAPH_DEMO.appId, secret: 'not-the-app-secret' } });
    const error = await failure(client.exchangeToken(FAKE_GRAPH_DEMO.token));
    expect(error.failure).toBe('other');
    expect(error.details).toMatchObject({ attempts: 1, status: 400, graph: { code: 1 } });
    expect(graph.requests).toHaveLength(1);
  });

  it('retries transient failures with exponential backoff and full jitter, a bounded number of times', async () => {
    const { graph, client, waits } = setup();
    graph.useScenario('server-error');
    const error = await failure(client.user(FAKE_GRAPH_DEMO.accountId, FAKE_GRAPH_DEMO.token));
    expect(error.failure).toBe('unavailable');
    expect(error.details).toMatchObject({ attempts: 4, status: 500, graph: { code: 1 } });
    expect(graph.requests).toHaveLength(4);
    // Half of min(1000, 100 × 2^(n−1)) with random() = 0.5.
    expect(waits).toEqual([50, 100, 200]);

    const capped = setup({ retryBaseMs: 400, retryMaxMs: 500, random: () => 0.999 });
    capped.graph.useScenario('server-error');
    await failure(capped.client.user(FAKE_GRAPH_DEMO.accountId, FAKE_GRAPH_DEMO.token));
    expect(capped.waits).toEqual([399, 499, 499]);
  });

  it('tells onCall how each call ended, once per call whatever its attempts (the metrics)', async () => {
    const outcomes: string[] = [];
    const { graph, client } = setup({ onCall: (outcome) => outcomes.push(outcome) });
    await client.user(FAKE_GRAPH_DEMO.accountId, FAKE_GRAPH_DEMO.token);
    graph.useScenario('server-error');
    await failure(client.user(FAKE_GRAPH_DEMO.accountId, FAKE_GRAPH_DEMO.token));
    graph.useScenario('expired-token');
    await failure(client.user(FAKE_GRAPH_DEMO.accountId, FAKE_GRAPH_DEMO.token));
    graph.failNext({ status: 400, code: 17, headers: { 'X-Business-Use-Case-Usage': buc(60) } });
    graph.useScenario('healthy');
    await failure(client.user(FAKE_GRAPH_DEMO.accountId, FAKE_GRAPH_DEMO.token));
    expect(outcomes).toEqual(['ok', 'unavailable', 'token', 'rate_limited']);
  });

  it('never retries a refused token or a missing permission', async () => {
    const { graph, client, waits } = setup();
    graph.useScenario('expired-token');
    expect((await failure(client.user(FAKE_GRAPH_DEMO.accountId, FAKE_GRAPH_DEMO.token))).failure).toBe('token');
    graph.useScenario('permission-revoked');
    expect((await failure(client.user(FAKE_GRAPH_DEMO.accountId, FAKE_GRAPH_DEMO.token))).failure).toBe('permission');
    expect(graph.requests).toHaveLength(2);
    expect(waits).toEqual([]);
  });

  it('waits out a throttle when access returns within the cap, and gives up at once when it does not', async () => {
    const { graph, client, waits } = setup({ rateLimitMaxWaitMs: 120_000 });
    graph.failNext({ status: 400, code: 17, headers: { 'X-Business-Use-Case-Usage': buc(1) } });
    await client.user(FAKE_GRAPH_DEMO.accountId, FAKE_GRAPH_DEMO.token);
    expect(waits).toEqual([60_000]);

    graph.failNext({ status: 400, code: 17, headers: { 'X-Business-Use-Case-Usage': buc(3) } });
    const error = await failure(client.user(FAKE_GRAPH_DEMO.accountId, FAKE_GRAPH_DEMO.token));
    expect(error.failure).toBe('rate-limited');
    expect(error.details.retryAfterSeconds).toBe(180);
    expect(waits).toEqual([60_000]);
  });

  it('a throttle that outlasts every attempt is reported with a default wait', async () => {
    const { graph, client, waits } = setup({ maxAttempts: 3 });
    graph.failNext({ status: 400, code: 4 }, 3);
    const error = await failure(client.user(FAKE_GRAPH_DEMO.accountId, FAKE_GRAPH_DEMO.token));
    expect(error).toMatchObject({ failure: 'rate-limited', details: { attempts: 3, retryAfterSeconds: 60 } });
    expect(waits).toEqual([50, 100]);
  });

  it('times out an attempt that does not answer', async () => {
    const waits: number[] = [];
    const client = new GraphClient({
      baseUrl: BASE,
      version: 'v25.0',
      timeoutMs: 20,
      maxAttempts: 2,
      retryBaseMs: 1,
      retryMaxMs: 1,
      rateLimitMaxWaitMs: 0,
      fetch: (_input, init) =>
        new Promise((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(new Error('aborted')))),
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    const error = await failure(client.user('1', 'EAASecretToken0001'));
    expect(error.failure).toBe('unavailable');
    expect(error.message).toBe('The Graph API did not answer within 20 ms (2 attempts)');
    expect(error.message).not.toContain('EAASecretToken0001');
    expect(waits).toHaveLength(1);
  });

  it('debug_token and the token exchange use the app credentials', async () => {
    const { graph, client } = setup();
    const info = await client.debugToken(FAKE_GRAPH_DEMO.token);
    expect(info.data).toMatchObject({ isValid: true, error: null });
    expect(info.data.expiresAt).toBeGreaterThan(Date.now() / 1000);
    const unknown = await client.debugToken('EAANotAToken000000001');
    expect(unknown.data).toMatchObject({ isValid: false, error: { code: 190 } });
    const exchanged = await client.exchangeToken(FAKE_GRAPH_DEMO.token);
    expect(exchanged.data.accessToken).toMatch(/^EAA/);
    expect(exchanged.data.expiresIn).toBe(5_183_944);
    expect(graph.requests.at(-1)?.query).toMatchObject({ client_secret: '***', fb_exchange_token: '***' });
  });
});

describe('Graph API helpers', () => {
  it('redacts every secret query parameter of a URL', () => {
    const url = redactUrl(
      `${BASE}/v25.0/oauth/access_token?grant_type=fb_exchange_token&client_id=1&client_secret=s3cret&fb_exchange_token=EAAx&access_token=EAAy&input_token=EAAz&appsecret_proof=abc`,
    );
    expect(url).not.toMatch(/s3cret|EAAx|EAAy|EAAz|abc/);
    expect(url).toContain('client_id=1');
    expect(url).toContain('access_token=***');
  });

  it('reads when access returns from X-Business-Use-Case-Usage (the longest estimate) or Retry-After', () => {
    const headers = new Headers({
      'X-Business-Use-Case-Usage': JSON.stringify({
        '1': [{ estimated_time_to_regain_access: 2 }],
        '2': [{ estimated_time_to_regain_access: 7 }, { estimated_time_to_regain_access: 0 }],
      }),
    });
    expect(regainAccessSeconds(headers)).toBe(420);
    expect(regainAccessSeconds(new Headers({ 'Retry-After': '9' }))).toBe(9);
    expect(regainAccessSeconds(new Headers({ 'X-Business-Use-Case-Usage': 'not json' }))).toBeNull();
    // The app's hour spent and no estimate: a minute; an estimate of 0 means access is back.
    expect(regainAccessSeconds(new Headers({ 'X-App-Usage': '{"call_count":100,"total_time":20}' }))).toBe(60);
    expect(regainAccessSeconds(new Headers({ 'X-App-Usage': '{"call_count":85}' }))).toBeNull();
    expect(
      regainAccessSeconds(
        new Headers({
          'X-App-Usage': '{"call_count":100}',
          'X-Business-Use-Case-Usage': '{"1":[{"estimated_time_to_regain_access":0}]}',
        }),
      ),
    ).toBeNull();
  });
});
