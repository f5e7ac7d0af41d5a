import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startServer } from '../../src/runtime.js';
import { serverBuild } from '../cli.js';
import { createFreshDatabase } from '../fresh-database.js';
import { canStartTlsPostgres, startTlsPostgres, type TlsPostgres } from '../tls-postgres.js';

const serverDir = fileURLToPath(new URL('../..', import.meta.url));
const adminUrl = process.env.TEST_DATABASE_URL;

/** Runs `pnpm cims …` in its own process; resolves its exit code and output. */
function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; text: string }> {
  const child = spawn(process.execPath, [serverBuild().cli, ...args], {
    cwd: serverDir,
    env: { ...process.env, NODE_ENV: 'development', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout.on('data', (d) => {
    text += String(d);
  });
  child.stderr.on('data', (d) => {
    text += String(d);
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, text })));
}

describe.runIf(adminUrl)('DATABASE_SSL against a server without TLS', () => {
  it('require fails with the server’s answer instead of falling back to plain TCP', async () => {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    const serverSsl = (await admin.query<{ ssl: string }>('show ssl')).rows[0]?.ssl;
    await admin.end();
    const fresh = await createFreshDatabase(adminUrl as string, 'cims_tls');
    try {
      const result = await cli(['migrate'], { DATABASE_URL: fresh.url, DATABASE_SSL: 'require' });
      const check = new pg.Client({ connectionString: fresh.url });
      await check.connect();
      const tables = await check.query("select 1 from information_schema.tables where table_schema = 'public'");
      await check.end();
      if (serverSsl === 'on') {
        // A server with TLS on simply accepts it.
        expect(result.code).toBe(0);
        return;
      }
      expect(result.code).toBe(1);
      expect(result.text).toContain('The server does not support SSL connections');
      // Nothing was migrated over an unencrypted connection.
      expect(tables.rowCount).toBe(0);
    } finally {
      await fresh.drop();
    }
  });
});

describe.runIf(canStartTlsPostgres())('DATABASE_SSL against a PostgreSQL server that accepts TLS only', () => {
  let cluster: TlsPostgres;
  beforeAll(async () => {
    cluster = await startTlsPostgres();
  }, 120_000);
  afterAll(() => cluster?.stop());

  const start = async (env: Record<string, string>) => {
    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: '0',
      LOG_LEVEL: 'silent',
      INSTAGRAM_SCHEDULER: 'false',
      DB_POOL_ACQUIRE_TIMEOUT_MS: '20000',
      ...env,
    });
    return startServer(config, createLogger(config));
  };

  it('verify-full with the CA file serves, every pool over TLS', async () => {
    // pg_hba accepts only TLS connections: a pool that connected without it would fail its readiness check.
    const server = await start({
      DATABASE_URL: cluster.url,
      DATABASE_SSL: 'verify-full',
      DATABASE_SSL_CA_FILE: cluster.caFile,
    });
    try {
      const res = await fetch(`${server.url}/readyz?verbose=true`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        checks: { database: { status: 'ok' }, database_reads: { status: 'ok' }, database_auth: { status: 'ok' } },
      });
    } finally {
      await server.stop();
    }
  });

  it('sslmode=verify-full in the URL works the same; require connects without checking the certificate', async () => {
    const settings: Record<string, string>[] = [
      { DATABASE_URL: `${cluster.url}?sslmode=verify-full`, DATABASE_SSL_CA_FILE: cluster.caFile },
      { DATABASE_URL: cluster.url, DATABASE_SSL: 'require' },
    ];
    for (const env of settings) {
      const server = await start({ ...env, DB_MIGRATE_ON_START: 'false' });
      expect((await fetch(`${server.url}/readyz?verbose=true`)).status).toBe(200);
      await server.stop();
    }
  });

  it('regression: verify-full refuses an unknown CA, and a certificate for another host name even by IP address', async () => {
    await expect(start({ DATABASE_URL: cluster.url, DATABASE_SSL: 'verify-full' })).rejects.toThrow(
      /unable to verify the first certificate|self[- ]signed certificate/,
    );
    const byAddress = cluster.url.replace('localhost', '127.0.0.1');
    await expect(
      start({ DATABASE_URL: byAddress, DATABASE_SSL: 'verify-full', DATABASE_SSL_CA_FILE: cluster.caFile }),
    ).rejects.toThrow(/Hostname\/IP does not match certificate's altnames/);
  });

  it('disable (the default) is refused by a server that requires TLS: nothing is sent in the clear', async () => {
    await expect(start({ DATABASE_URL: cluster.url })).rejects.toThrow(/no pg_hba.conf entry .* no encryption/);
  });
});
