import { describe, expect, it } from 'vitest';
import { createTestApp } from '../harness.js';

describe('health probes', () => {
  it('GET /healthz answers 200 with the version, through the SDK', async () => {
    await using t = await createTestApp();
    const res = await t.client.health.liveness();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', version: expect.any(String) });
  });

  it('GET /readyz checks the database, and lists the checks only when asked', async () => {
    await using t = await createTestApp();
    const plain = await t.client.health.readiness();
    expect(plain.status).toBe(200);
    expect(plain.body).toEqual({ status: 'ok' });
    const verbose = await t.client.health.readiness({ query: { verbose: 'true' } });
    expect(verbose.status).toBe(200);
    expect(verbose.body).toMatchObject({
      status: 'ok',
      checks: { database: { status: 'ok', latency_ms: expect.any(Number) }, shutdown: { status: 'ok' } },
    });
  });

  it('GET /readyz answers 503 once the database is gone', async () => {
    await using t = await createTestApp();
    await t.server.app.context.db.orm.close(true);
    const res = await fetch(`${t.url}/readyz?verbose=true`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: 'unavailable', checks: { database: { status: 'error' } } });
  });

  it('GET /readyz answers 503 while the server drains for shutdown', async () => {
    await using t = await createTestApp();
    t.server.app.context.lifecycle.draining = true;
    const res = await fetch(`${t.url}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'unavailable' });
  });
});
