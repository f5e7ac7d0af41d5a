import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_GRAPH_DEMO } from './demo-account.js';
import { type FakeGraphServer, startFakeGraphApi } from './fake-graph-server.js';

/** A GET over a real socket with node:http, which MSW does not intercept here (no MSW server in this file). */
function rawGet(url: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    httpRequest(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    })
      .on('error', reject)
      .end();
  });
}

describe('startFakeGraphApi', () => {
  let fake: FakeGraphServer;
  let time = Date.parse('2026-06-01T09:00:00.000Z');

  beforeAll(async () => {
    fake = await startFakeGraphApi({ now: () => time });
  });
  afterAll(() => fake.close());

  it('listens on 127.0.0.1 on a free port and answers the fake’s endpoints over HTTP', async () => {
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await rawGet(
      `${fake.url}/v25.0/${FAKE_GRAPH_DEMO.accountId}?fields=username,followers_count&access_token=${FAKE_GRAPH_DEMO.token}`,
    );
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.headers['x-app-usage']).toBeDefined();
    expect(JSON.parse(res.body)).toEqual({
      username: FAKE_GRAPH_DEMO.username,
      followers_count: fake.graph.accounts.get(FAKE_GRAPH_DEMO.accountId)?.followers_count,
      id: FAKE_GRAPH_DEMO.accountId,
    });
    expect(fake.graph.requests.at(-1)).toEqual({
      method: 'GET',
      path: `/v25.0/${FAKE_GRAPH_DEMO.accountId}`,
      query: { fields: 'username,followers_count', access_token: '***' },
      status: 200,
    });
  });

  it('follows the fake’s scenario, its headers included, and its clock', async () => {
    fake.graph.useScenario('rate-limited');
    const limited = await rawGet(
      `${fake.url}/v25.0/${FAKE_GRAPH_DEMO.accountId}?access_token=${FAKE_GRAPH_DEMO.token}`,
    );
    expect(limited.status).toBe(400);
    expect(JSON.parse(limited.body).error.code).toBe(4);
    expect(String(limited.headers['x-business-use-case-usage'])).toContain('estimated_time_to_regain_access');
    fake.graph.reset();
    time += 61 * 86_400_000;
    const expired = await fetch(`${fake.url}/v25.0/${FAKE_GRAPH_DEMO.accountId}?access_token=${FAKE_GRAPH_DEMO.token}`);
    expect(expired.status).toBe(400);
    expect(await expired.json()).toMatchObject({ error: { code: 190, error_subcode: 463 } });
  });

  it('answers methods with a body, and a second server gets another port', async () => {
    const second = await startFakeGraphApi();
    try {
      expect(second.url).not.toBe(fake.url);
      const res = await fetch(`${second.url}/v25.0/${FAKE_GRAPH_DEMO.accountId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'fields=username',
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 100 } });
    } finally {
      await second.close();
    }
  });

  it('close() stops listening', async () => {
    const other = await startFakeGraphApi();
    await other.close();
    await expect(fetch(`${other.url}/v25.0/debug_token`)).rejects.toThrow();
  });
});
