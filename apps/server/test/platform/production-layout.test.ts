import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createFreshDatabase } from '../fresh-database.js';

/**
 * The layout the Dockerfile ships: `pnpm --filter @cims/server deploy --prod` into a folder outside the workspace
 * (so nothing can resolve from the repository's node_modules), then `node dist/cli.js` and `node dist/server.js`
 * there, with a clean environment, against a fresh PostgreSQL database. It catches a runtime import of a
 * devDependency, a workspace package whose build is not in its `files`, and a CLI or server that only works from the
 * sources. PostgreSQL only: that is what production runs, and what CI's PostgreSQL pass provides.
 */
const adminUrl = process.env.TEST_DATABASE_URL;
const repoRoot = fileURLToPath(new URL('../../../..', import.meta.url));
/** A hang guard only: building and deploying on a busy 2-core machine can take minutes. */
const LAYOUT_TIMEOUT = 900_000;

const exec = promisify(execFile);
const temps: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Runs `node <args>` in the deployed folder with only the given environment; collects its output and exit code. */
function node(cwd: string, args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let text = '';
  let done = false;
  child.stdout?.on('data', (d) => {
    text += String(d);
  });
  child.stderr?.on('data', (d) => {
    text += String(d);
  });
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      done = true;
      resolve(code);
    }),
  );
  return { child, exited, text: () => text, hasExited: () => done };
}

/** Waits until the process prints what `pattern` matches; fails with its output if it exits first. */
async function waitFor(out: ReturnType<typeof node>, pattern: RegExp): Promise<RegExpMatchArray> {
  for (;;) {
    const match = out.text().match(pattern);
    if (match) return match;
    if (out.hasExited()) throw new Error(`The process exited before printing ${pattern}:\n${out.text()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.runIf(adminUrl)('the production layout (pnpm deploy --prod)', () => {
  it('migrates with dist/cli.js, serves sign-in and the CRM from dist/server.js, and exits 0 on SIGTERM', {
    timeout: LAYOUT_TIMEOUT,
  }, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cims-layout-'));
    temps.push(dir);
    const app = path.join(dir, 'app');
    // Exactly the Dockerfile's steps: build the server and what it imports, then deploy it with production
    // dependencies only. turbo reuses an unchanged build (`pnpm start` does the same).
    await exec('pnpm', ['exec', 'turbo', 'run', 'build', '--filter=@cims/server', '--output-logs=errors-only'], {
      cwd: repoRoot,
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', TURBO_NO_UPDATE_NOTIFIER: '1' },
    });
    await exec('pnpm', ['--filter', '@cims/server', 'deploy', '--prod', app], { cwd: repoRoot });

    expect(existsSync(path.join(app, 'dist', 'server.js'))).toBe(true);
    expect(existsSync(path.join(app, 'dist', 'cli.js'))).toBe(true);
    expect(existsSync(path.join(app, 'node_modules', '@cims', 'contracts', 'dist', 'index.js'))).toBe(true);
    // Only the built server ships, and none of its development tools or test-only packages.
    expect(existsSync(path.join(app, 'src'))).toBe(false);
    expect(existsSync(path.join(app, 'test'))).toBe(false);
    for (const dev of ['tsup', 'vitest', 'tsx', '@cims/sdk', '@cims/mocks', 'smtp-server', 'playwright-core'])
      expect(existsSync(path.join(app, 'node_modules', dev)), dev).toBe(false);

    const db = await createFreshDatabase(adminUrl as string, 'cims_layout');
    try {
      // What a container gets: production mode and its secrets, nothing inherited from the test run.
      const env: Record<string, string> = {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        NODE_ENV: 'production',
        DATABASE_URL: db.url,
        JWT_SECRET: randomBytes(32).toString('base64'),
        CIMS_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
        // Required in production; no mail is sent on this path.
        SMTP_URL: 'smtp://127.0.0.1:9',
        CIMS_DATA_DIR: path.join(dir, 'data'),
        LOG_LEVEL: 'info',
      };

      const migrate = node(app, ['dist/cli.js', 'migrate'], env);
      expect(await migrate.exited, migrate.text()).toBe(0);
      expect(migrate.text()).toMatch(/Applied: Migration\d+/);
      const again = node(app, ['dist/cli.js', 'migrate'], env);
      expect(await again.exited, again.text()).toBe(0);
      expect(again.text()).toContain('Database is up to date.');

      const password = `layout-${randomBytes(8).toString('hex')}`;
      const createUser = node(
        app,
        ['dist/cli.js', 'create-user', '--email', 'ceo@layout.example', '--password', password, '--role', 'CEO'],
        env,
      );
      expect(await createUser.exited, createUser.text()).toBe(0);

      const server = node(app, ['dist/server.js'], {
        ...env,
        HOST: '127.0.0.1',
        PORT: '0',
        DB_MIGRATE_ON_START: 'false',
        SHUTDOWN_DRAIN_MS: '0',
      });
      const [, url] = await waitFor(server, /CIMS server ready at (http:\/\/\S+)/);
      expect((await fetch(`${url}/readyz`)).status).toBe(200);

      const login = await fetch(`${url}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username: 'ceo@layout.example', password }),
      });
      expect(login.status).toBe(200);
      const { access_token: token } = (await login.json()) as { access_token: string };
      const dashboard = await fetch(`${url}/crm/dashboard`, { headers: { authorization: `Bearer ${token}` } });
      expect(dashboard.status).toBe(200);
      expect(await dashboard.json()).toMatchObject({ customers: [], total_items: 0 });

      server.child.kill('SIGTERM');
      expect(await server.exited, server.text()).toBe(0);
      expect(server.text()).toContain('Shutdown complete');
    } finally {
      await db.drop();
    }
  });
});
