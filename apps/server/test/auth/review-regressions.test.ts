import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { query } from '../../src/db/sql.js';
import { createLogger } from '../../src/logger.js';
import { startServer } from '../../src/runtime.js';
import { createTestApp } from '../harness.js';
import { bearer, CEO, getJson, login, sendJson, tokens } from './helpers.js';

describe('regressions found in review', () => {
  it('parallel wrong passwords cannot overtake the per-account limit', async () => {
    await using t = await createTestApp({ env: { RATE_LIMIT_ACCOUNT_MAX: '10', BCRYPT_COST: '8' } });
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => login(t, CEO.email, `wrong-${i}`)));
    const statuses = results.map((r) => r.res.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30);
  });

  it('a successful login does not use up the account’s failure budget', async () => {
    await using t = await createTestApp({ env: { RATE_LIMIT_ACCOUNT_MAX: '2' } });
    for (let i = 0; i < 5; i++) expect((await login(t, CEO.email, CEO.password)).res.status).toBe(200);
  });

  it('registering an address first does not let anyone keep a password on it: the owner reclaims it with the mailed code', async () => {
    await using t = await createTestApp();
    const email = 'victim@corp.io';
    await sendJson(t, 'POST', '/auth/register', {
      email,
      name: 'Attacker',
      surname: 'X',
      password: 'attacker-password',
    });
    const owner = await sendJson(t, 'POST', '/auth/register', {
      email,
      name: 'Owner',
      surname: 'Y',
      password: 'owner-password',
    });
    expect(owner.res.status).toBe(201);
    // The second registration changes nothing; the mailbox gets a code to choose the password with.
    const { code, subject } = await t.inbox.nth(email, 2);
    expect(subject).toBe('Finish your CIMS registration');
    const reset = await sendJson(t, 'POST', '/auth/reset-password', { email, code, new_password: 'owner-password' });
    expect(reset.res.status).toBe(200);
    expect((await login(t, email, 'owner-password')).res.status).toBe(200);
    expect((await login(t, email, 'attacker-password')).res.status).toBe(401);
    // Once verified, the address is taken.
    const late = await sendJson(t, 'POST', '/auth/register', {
      email,
      name: 'Late',
      surname: 'Z',
      password: 'late-password',
    });
    expect(late.res.status).toBe(409);
  });

  it('demo data is off by default in production (its passwords are public)', () => {
    const production = loadConfig({
      NODE_ENV: 'production',
      JWT_SECRET: 'x'.repeat(40),
      SMTP_URL: 'smtp://mail.example.com',
      CIMS_ENCRYPTION_KEY: 'a'.repeat(64),
    });
    expect(production.demoData).toBe(false);
    expect(loadConfig({}).demoData).toBe(true);
  });

  it('with a hop count, a forged X-Forwarded-For is never stored or used', async () => {
    await using t = await createTestApp({ env: { TRUST_PROXY: '1' } });
    const res = await fetch(`${t.url}/auth/login`, {
      method: 'POST',
      headers: { 'x-forwarded-for': `${'x'.repeat(400)}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: CEO.email, password: CEO.password }),
    });
    expect(res.status).toBe(200);
    const [session] = await query(t.server.app.context.db.orm.em.fork(), 'select ip_address from auth_session');
    expect(session?.ip_address).toBeNull();
    const proxied = await fetch(`${t.url}/auth/login`, {
      method: 'POST',
      headers: { 'x-forwarded-for': '203.0.113.7', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: CEO.email, password: CEO.password }),
    });
    const pair = await proxied.json();
    const sessions = await getJson(t, '/auth/sessions', bearer(pair.access_token));
    expect(sessions.body.find((s: { current: boolean }) => s.current).ip_address).toBe('203.0.113.7');
  });

  it('values that pass the contract fit the columns: a long route path or a huge order is a 422, not a 500', async () => {
    await using t = await createTestApp();
    const asCeo = bearer((await tokens(t, CEO.email, CEO.password)).access_token);
    const long = await sendJson(
      t,
      'POST',
      '/management/pages',
      { name: 'p1', display_name: 'P', route_path: 'a'.repeat(255) },
      asCeo,
    );
    expect(long.res.status).toBe(422);
    const huge = await sendJson(
      t,
      'POST',
      '/management/pages',
      { name: 'p2', display_name: 'P', order: 2 ** 31 },
      asCeo,
    );
    expect(huge.res.status).toBe(422);
  });

  it('concurrent changes of two CEOs never deadlock into a 500, and one active CEO always remains', async () => {
    await using t = await createTestApp();
    const asCeo = bearer((await tokens(t, CEO.email, CEO.password)).access_token);
    for (let round = 0; round < 5; round++) {
      const ids: number[] = [];
      for (const n of [1, 2]) {
        const created = await sendJson(
          t,
          'POST',
          '/ceo/users',
          { email: `c${round}-${n}@x.io`, name: 'C', password: 'ceo-password-x', role: 'CEO' },
          asCeo,
        );
        ids.push(created.body.id);
      }
      const results = await Promise.all(
        ids.map((id) => fetch(`${t.url}/ceo/users/${id}/toggle-active`, { method: 'PATCH', headers: asCeo })),
      );
      expect(results.map((r) => r.status)).toEqual([200, 200]);
    }
    const [active] = await query(
      t.server.app.context.db.orm.em.fork(),
      `select count(*) as n from app_user where role = 'CEO' and is_active`,
    );
    expect(Number(active?.n)).toBeGreaterThanOrEqual(1);
  });

  it('profile pictures may be shown by a frontend on another origin', async () => {
    await using t = await createTestApp();
    const res = await fetch(`${t.url}/media/profile-images/missing.png`);
    expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
  });

  it('refuses to start when the bootstrap CEO address belongs to an existing account', {
    timeout: 60_000,
  }, async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'cims-bootstrap-'));
    try {
      const base = {
        CIMS_DATA_DIR: dataDir,
        PORT: '0',
        LOG_LEVEL: 'silent',
        NODE_ENV: 'test',
        CIMS_DEMO_DATA: 'false',
      };
      const first = await startServer(loadConfig(base), createLogger({ logLevel: 'silent' }));
      try {
        const res = await fetch(`${first.url}/auth/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'boss@x.io', name: 'B', surname: 'X', password: 'someone-else-pw' }),
        });
        expect(res.status).toBe(201);
      } finally {
        await first.stop();
      }
      const config = loadConfig({
        ...base,
        CIMS_BOOTSTRAP_CEO_EMAIL: 'boss@x.io',
        CIMS_BOOTSTRAP_CEO_PASSWORD: 'bootstrap-password',
      });
      await expect(startServer(config, createLogger({ logLevel: 'silent' }))).rejects.toThrow(
        /belongs to an existing account/,
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
