import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { query } from '../../src/db/sql.js';
import { createLogger } from '../../src/logger.js';
import { startServer } from '../../src/runtime.js';
import { serverBuild } from '../cli.js';
import { createTestApp, postgresPass } from '../harness.js';
import { bearer, CEO, getJson, login, SALES, tokens } from './helpers.js';

const serverDir = fileURLToPath(new URL('../..', import.meta.url));

function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [serverBuild().cli, ...args], {
      cwd: serverDir,
      env: { ...process.env, NODE_ENV: 'development', BCRYPT_COST: '4', ...env },
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += String(d);
    });
    child.stderr.on('data', (d) => {
      out += String(d);
    });
    child.on('exit', (code) => resolve({ code, out }));
  });
}

describe('first accounts', () => {
  it('seeds the demo users into an empty database (unless CIMS_DEMO_DATA=false)', async () => {
    await using t = await createTestApp();
    expect(t.server.demoUsers.map((u) => u.email)).toEqual([
      'ceo@cims.local',
      'sales1@cims.local',
      'sales2@cims.local',
    ]);
    expect((await login(t, SALES.email, SALES.password)).res.status).toBe(200);
    await using none = await createTestApp({ env: { CIMS_DEMO_DATA: 'false' } });
    expect(none.server.demoUsers).toEqual([]);
    expect((await login(none, CEO.email, CEO.password)).res.status).toBe(401);
  });

  it('creates the first CEO from CIMS_BOOTSTRAP_CEO_EMAIL/PASSWORD when there is no CEO', async () => {
    await using t = await createTestApp({
      env: {
        CIMS_DEMO_DATA: 'false',
        CIMS_BOOTSTRAP_CEO_EMAIL: 'Boss@Example.com',
        CIMS_BOOTSTRAP_CEO_PASSWORD: 'bootstrap-password',
      },
    });
    const pair = await tokens(t, 'boss@example.com', 'bootstrap-password');
    const me = await getJson(t, '/auth/me', bearer(pair.access_token));
    expect(me.body).toMatchObject({ role: 'CEO', email: 'boss@example.com' });
    expect(me.body.permissions.crm).toBe(true);
  });

  // Each command is a process opening the embedded database on disk (a few seconds each).
  it.skipIf(postgresPass)(
    '`pnpm cims create-user` creates a verified CEO who can sign in, and refuses bad options',
    {
      timeout: 120_000,
    },
    async () => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'cims-cli-'));
      try {
        const env = { CIMS_DATA_DIR: dataDir };
        const created = await cli(
          ['create-user', '--role', 'CEO', '--email', 'Chief@Example.com', '--password', 'chief-password'],
          env,
        );
        expect(created.out).toContain('Created CEO chief@example.com');
        expect(created.code).toBe(0);
        const dup = await cli(['create-user', '--email', 'chief@example.com', '--password', 'chief-password'], env);
        expect(dup.code).toBe(1);
        expect(dup.out).toContain('already exists');
        const bad = await cli(['create-user', '--role', 'Emperor', '--email', 'x', '--password', 'short'], env);
        expect(bad.code).toBe(1);
        expect(bad.out).toMatch(/--email/);
        expect(bad.out).toMatch(/--password/);
        expect(bad.out).toMatch(/--role/);
        const housekeeping = await cli(['housekeeping'], env);
        expect(housekeeping.out).toContain('Deleted ended sessions');
        expect(housekeeping.code).toBe(0);
        // The account works on a server that opens this folder.
        const config = loadConfig({ CIMS_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', NODE_ENV: 'test' });
        const server = await startServer(config, createLogger(config));
        try {
          const res = await fetch(`${server.url}/auth/login`, {
            method: 'POST',
            body: new URLSearchParams({ username: 'chief@example.com', password: 'chief-password' }),
          });
          expect(res.status).toBe(200);
          expect(server.demoUsers).toEqual([]);
        } finally {
          await server.stop();
        }
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  );
});

describe('rate limits', () => {
  it('limits failed logins per account: then even the right password gets 429 with Retry-After', async () => {
    await using t = await createTestApp({ env: { RATE_LIMIT_ACCOUNT_MAX: '3' } });
    for (let i = 0; i < 3; i++) expect((await login(t, CEO.email, 'wrong-password')).res.status).toBe(401);
    const limited = await login(t, CEO.email, CEO.password);
    expect(limited.res.status).toBe(429);
    expect(limited.body.code).toBe('RATE_LIMITED');
    expect(Number(limited.res.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another account from the same address is unaffected: an office behind one NAT keeps working.
    expect((await login(t, SALES.email, SALES.password)).res.status).toBe(200);
  });

  it('limits requests per IP address across the public auth routes', async () => {
    await using t = await createTestApp({ env: { RATE_LIMIT_IP_MAX: '5' } });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await login(t, SALES.email, SALES.password)).res.status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
  });

  it('keeps the counters in the database: the window survives in the shared table', async () => {
    await using t = await createTestApp({ env: { RATE_LIMIT_ACCOUNT_MAX: '2' } });
    await login(t, CEO.email, 'wrong-password');
    const rows = await query(
      t.server.app.context.db.orm.em.fork(),
      'select key, count from rate_limit_hit order by key',
    );
    expect(rows.map((r) => [r.key, Number(r.count)])).toContainEqual(['login-failed:ceo@cims.local', 1]);
  });

  describe.runIf(process.env.TEST_DATABASE_URL)('two instances on one PostgreSQL database', () => {
    it('enforce one limit together', async () => {
      await using a = await createTestApp({ database: 'postgres', env: { RATE_LIMIT_ACCOUNT_MAX: '4' } });
      await using b = await createTestApp({ shareDatabaseWith: a, env: { RATE_LIMIT_ACCOUNT_MAX: '4' } });
      expect((await login(a, CEO.email, 'wrong-1')).res.status).toBe(401);
      expect((await login(b, CEO.email, 'wrong-2')).res.status).toBe(401);
      expect((await login(a, CEO.email, 'wrong-3')).res.status).toBe(401);
      expect((await login(b, CEO.email, 'wrong-4')).res.status).toBe(401);
      expect((await login(a, CEO.email, CEO.password)).res.status).toBe(429);
      expect((await login(b, CEO.email, CEO.password)).res.status).toBe(429);
    });
  });
});
