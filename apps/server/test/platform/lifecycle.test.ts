import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { DataDirLockedError } from '../../src/db/data-dir-lock.js';
import { createLogger } from '../../src/logger.js';
import { startServer } from '../../src/runtime.js';
import { serverBuild } from '../cli.js';
import { createTestApp, postgresPass } from '../harness.js';
import { createFixtureModules } from './fixture-module.js';

const serverDir = fileURLToPath(new URL('../..', import.meta.url));
/**
 * The tests that start server processes: each runs the compiled server (test/server-build.ts) and opens a database on
 * disk.
 * A hang guard only (the waits below end when the process answers or exits), generous because a busy 2-core machine
 * can make a start take a minute.
 */
const PROCESS_TIMEOUT = 300_000;
const temps: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cims-test-'));
  temps.push(dir);
  return dir;
}
/** Server processes started by a test: one still running when the test ends (it failed or timed out) is killed. */
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Runs a server entry point (`server`, `cli`) in its own process, as `pnpm start`/`pnpm cims` do. */
function run(entry: 'server' | 'cli', args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [serverBuild()[entry], ...args], {
    cwd: serverDir,
    env: { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return child;
}

function collect(child: ChildProcess): {
  text: () => string;
  exited: Promise<number | null>;
  hasExited: () => boolean;
  /** Runs `listener` on every chunk the process prints and when it exits; returns how to stop that. */
  watch: (listener: () => void) => () => void;
} {
  let text = '';
  let exited = false;
  const listeners = new Set<() => void>();
  const tell = () => {
    for (const listener of [...listeners]) listener();
  };
  child.stdout?.on('data', (d) => {
    text += String(d);
    tell();
  });
  child.stderr?.on('data', (d) => {
    text += String(d);
    tell();
  });
  const exit = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      exited = true;
      resolve(code);
    }),
  );
  // Output may still arrive after `exit`: a wait gives up only once the streams have closed.
  child.on('close', tell);
  return {
    text: () => text,
    exited: exit,
    hasExited: () => exited,
    watch: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/**
 * Waits until the process prints what `pattern` matches; fails at once, with everything it printed, if it exits
 * first. Checked on each chunk it prints, with no deadline of its own: how long a start takes depends on the machine,
 * and the test's timeout ends a hang.
 */
function waitFor(out: ReturnType<typeof collect>, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = out.text().match(pattern);
      if (match) {
        stop();
        resolve(match);
      } else if (out.hasExited()) {
        stop();
        reject(new Error(`The process exited before printing ${pattern}:\n${out.text()}`));
      }
    };
    const stop = out.watch(check);
    check();
  });
}

const READY = /CIMS server ready at (http:\/\/\S+)/;

/** GET on a connection of its own (no keep-alive reuse), so that a refused connection shows. Resolves the status. */
function getFresh(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', reject);
  });
}

/**
 * The longest drain delay there is (10 minutes): the checks made during it finish inside it however slow the machine,
 * and the tests end it themselves (`endDrain`, a second signal) once they have seen it, instead of waiting it out.
 */
const DRAIN_MS = '600000';

describe('graceful shutdown', () => {
  it('drains first: /readyz answers 503 while new connections are still served, then they are refused', async () => {
    await using t = await createTestApp({ env: { SHUTDOWN_DRAIN_MS: DRAIN_MS } });
    expect(await getFresh(`${t.url}/readyz`)).toBe(200);
    let done = false;
    const stopped = t.server.stop().then(() => {
      done = true;
    });
    // During the delay: not ready, yet every new connection is accepted and served.
    expect(await getFresh(`${t.url}/readyz`)).toBe(503);
    expect(await getFresh(`${t.url}/healthz`)).toBe(200);
    expect(await getFresh(`${t.url}/readyz`)).toBe(503);
    // Still draining after all that: the stop waits for the delay, not for the requests.
    expect(done).toBe(false);
    t.server.endDrain();
    await stopped;
    await expect(getFresh(`${t.url}/healthz`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('a drain delay ends by itself', async () => {
    await using t = await createTestApp({ env: { SHUTDOWN_DRAIN_MS: '1' } });
    await t.server.stop();
    await expect(getFresh(`${t.url}/healthz`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('finishes a request in flight, refuses new connections, then closes the database', async () => {
    const fixture = createFixtureModules();
    await using t = await createTestApp({ modules: fixture.modules });
    const inFlight = fetch(`${t.url}/fixture/slow`);
    await fixture.started;
    const stopped = t.server.stop();
    // New connections are refused at once, while the slow request is still running.
    await expect(fetch(`${t.url}/healthz`)).rejects.toThrow();
    expect(t.server.app.context.lifecycle.draining).toBe(true);
    fixture.release();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ done: true });
    await stopped;
    expect(await t.server.app.context.db.orm.isConnected()).toBe(false);
  });

  it.skipIf(postgresPass)(
    'a real process drains on SIGTERM until a second one, exits 0 and releases its data folder',
    {
      timeout: PROCESS_TIMEOUT,
    },
    async () => {
      const dataDir = tempDir();
      const child = run('server', [], { CIMS_DATA_DIR: dataDir, PORT: '0', SHUTDOWN_DRAIN_MS: DRAIN_MS });
      const out = collect(child);
      const [, url] = await waitFor(out, READY);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect(existsSync(path.join(dataDir, 'server.lock'))).toBe(true);
      child.kill('SIGTERM');
      await waitFor(out, /Shutting down: \/readyz answers 503/);
      expect(await getFresh(`${url}/readyz`)).toBe(503);
      expect(await getFresh(`${url}/healthz`)).toBe(200);
      // A second signal ends the drain now: the process still stops cleanly.
      child.kill('SIGTERM');
      expect(await out.exited).toBe(0);
      expect(out.text()).toContain('Second signal: ending the drain delay now');
      expect(out.text()).toContain('Shutdown complete');
      expect(existsSync(path.join(dataDir, 'server.lock'))).toBe(false);
    },
  );
});

describe.skipIf(postgresPass)('the bundle `pnpm build` makes', () => {
  it('starts on an empty folder with the demo logins, serves, and stops on SIGTERM; its CLI answers', {
    timeout: PROCESS_TIMEOUT,
  }, async () => {
    // The compiled server every process test here runs is made with the server's own tsup options (tsup.config.ts),
    // as `pnpm build` makes dist/ (test/server-build.ts says how it differs: the workspace packages are bundled in).
    const child = spawn(process.execPath, [serverBuild().server], {
      cwd: serverDir,
      env: { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'info', CIMS_DATA_DIR: tempDir(), PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const out = collect(child);
    const [, url] = await waitFor(out, READY);
    expect(out.text()).toContain('ceo@cims.local');
    const login = await fetch(`${url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'ceo@cims.local', password: 'ceo-demo-password' }),
    });
    expect(login.status).toBe(200);
    child.kill('SIGTERM');
    expect(await out.exited).toBe(0);
    const help = collect(spawn(process.execPath, [serverBuild().cli, 'help'], { cwd: serverDir }));
    expect(await help.exited).toBe(0);
    expect(help.text()).toContain('instagram:sync');
  });
});

describe.skipIf(postgresPass)('the embedded database folder', () => {
  it('refuses a second server on the same folder with a clear message', async () => {
    const dataDir = tempDir();
    const config = loadConfig({ CIMS_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent' });
    const logger = createLogger(config);
    const first = await startServer(config, logger);
    try {
      await expect(startServer(config, logger)).rejects.toBeInstanceOf(DataDirLockedError);
      await expect(startServer(config, logger)).rejects.toThrow(/in use by another CIMS server/);
    } finally {
      await first.stop();
    }
    // Released: the folder can be opened again, and it kept its data.
    const second = await startServer(config, logger);
    await second.stop();
  });

  it('regression: a lock left by a dead incarnation with our own pid (PID 1 in a container) is taken over', async () => {
    // After kill -9 the next process can get the same pid: it must not wait for itself. The lock formats of older
    // servers (a bare pid; pid, start time and boot id) and a lock from another container (same pid and boot, another
    // pid namespace) are left as a crash leaves them: none is refreshed, so each is taken over after three heartbeats.
    const config = (dataDir: string) =>
      loadConfig({ CIMS_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', CIMS_LOCK_HEARTBEAT_MS: '20' });
    const bootId = existsSync('/proc/sys/kernel/random/boot_id')
      ? readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()
      : undefined;
    // One folder for the three (only the first start migrates it), with each lock left in it in turn.
    const dataDir = tempDir();
    for (const left of [
      String(process.pid),
      JSON.stringify({ pid: process.pid, start: '1', boot: bootId }),
      JSON.stringify({ pid: process.pid, start: '1', boot: bootId, pidns: 'pid:[1]', heartbeatMs: 20 }),
    ]) {
      writeFileSync(path.join(dataDir, 'server.lock'), left);
      const server = await startServer(config(dataDir), createLogger(config(dataDir)));
      expect(JSON.parse(readFileSync(path.join(dataDir, 'server.lock'), 'utf8')).pid).toBe(process.pid);
      await server.stop();
      expect(existsSync(path.join(dataDir, 'server.lock'))).toBe(false);
    }
  });

  it.runIf(existsSync('/proc/self/stat'))('a lock whose pid now belongs to another process is taken over', async () => {
    // The recorded start time tells the process that wrote the lock from a later one that got its pid: within one boot
    // and pid namespace that proves the writer dead, so the lock is taken over at once, without watching it.
    const dataDir = tempDir();
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
      const pidns = readlinkSync('/proc/self/ns/pid');
      writeFileSync(
        path.join(dataDir, 'server.lock'),
        JSON.stringify({ pid: other.pid, start: '1', boot: bootId, pidns }),
      );
      const config = loadConfig({ CIMS_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' });
      let logged = '';
      const sink = new Writable({
        write(chunk, _encoding, done) {
          logged += String(chunk);
          done();
        },
      });
      const server = await startServer(config, createLogger(config, sink));
      expect(JSON.parse(readFileSync(path.join(dataDir, 'server.lock'), 'utf8')).pid).toBe(process.pid);
      await server.stop();
      // Proven dead, not waited out: a lock nobody can judge would have been watched for three heartbeats first.
      expect(logged).not.toContain('waiting to see whether it refreshes its lock');
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('after kill -9 the server starts again on its folder; a live one in another process is refused', {
    timeout: PROCESS_TIMEOUT,
  }, async () => {
    const dataDir = tempDir();
    const first = run('server', [], { CIMS_DATA_DIR: dataDir, PORT: '0' });
    const firstOut = collect(first);
    await waitFor(firstOut, READY);
    const lock = JSON.parse(readFileSync(path.join(dataDir, 'server.lock'), 'utf8'));
    expect(lock.pid).toBe(first.pid);

    // Two live servers on one folder: the second exits at once with a clear message.
    const second = collect(run('server', [], { CIMS_DATA_DIR: dataDir, PORT: '0' }));
    expect(await second.exited).toBe(1);
    expect(second.text()).toContain(`is in use by another CIMS server (pid ${first.pid})`);

    first.kill('SIGKILL');
    await firstOut.exited;
    expect(existsSync(path.join(dataDir, 'server.lock'))).toBe(true);
    const third = run('server', [], { CIMS_DATA_DIR: dataDir, PORT: '0' });
    const thirdOut = collect(third);
    const [, url] = await waitFor(thirdOut, READY);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    third.kill('SIGTERM');
    expect(await thirdOut.exited).toBe(0);
  });

  it('`pnpm cims migrate` migrates the embedded database and reports when it is up to date', {
    timeout: PROCESS_TIMEOUT,
  }, async () => {
    const dataDir = tempDir();
    const first = collect(run('cli', ['migrate'], { CIMS_DATA_DIR: dataDir }));
    expect(await first.exited).toBe(0);
    expect(first.text()).toMatch(/Applied|up to date/);
    const again = collect(run('cli', ['migrate'], { CIMS_DATA_DIR: dataDir }));
    expect(await again.exited).toBe(0);
    expect(again.text()).toContain('Database is up to date.');
  });

  it('`pnpm cims` explains a bad configuration and exits 1', { timeout: PROCESS_TIMEOUT }, async () => {
    const out = collect(run('cli', ['migrate'], { PORT: 'eighty' }));
    expect(await out.exited).toBe(1);
    expect(out.text()).toContain('PORT="eighty"');
  });
});
