/**
 * How long the server takes from launch to its first successful `GET /readyz`, in the two ways operators restart it:
 *
 * - **`pnpm start` again, sources unchanged** (budget 5 s): turbo finds the build cached, then the bundle starts on
 *   the embedded database it left in its data folder;
 * - **a cold `node dist/server.js` on PostgreSQL** (budget 1.5 s): a new process (a container, a new replica) on an
 *   already-migrated database, in production mode.
 *
 * Beside them, in the same rounds and alternating the order, a **baseline**: a bare `node` process that answers
 * `/readyz` from `node:http`, launched and polled the same way. It is what launching a Node process and polling it
 * costs on this machine right now, so a slow run shows as a slow baseline too. Each row also gives the server
 * process's CPU time at readiness (`/proc/<pid>/stat`), which depends far less on other work than wall time.
 *
 *   pnpm --filter @cims/bench bench:start            # prints the table
 *   pnpm --filter @cims/bench bench:start --check    # exits 1 when a median misses its budget
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createFreshDatabase } from './lib/database.js';

const check = process.argv.includes('--check');
const rounds = Number(process.env.BENCH_START_ROUNDS ?? 5);
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const serverDir = path.join(repoRoot, 'apps', 'server');
/** How often readiness is polled: the resolution of every figure below. */
const POLL_MS = 20;
const CLOCK_TICKS_PER_SECOND = 100;

interface Target {
  name: string;
  /** Median wall time to readiness may not exceed this (ms); the baseline has none. */
  budgetMs?: number;
  launch(port: number): ChildProcess;
  /** The process whose CPU time is reported (the server itself, not `pnpm` around it). */
  serverPid?(child: ChildProcess): number | undefined;
}

interface Sample {
  ms: number;
  cpuMs?: number;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  if (!address || typeof address === 'string') throw new Error('No port');
  return address.port;
}

/** User + system CPU of a process so far, in ms (Linux `/proc`). */
function cpuMs(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** The process among `pid`'s descendants whose command line ends with `entry` (what `pnpm start` ends up running). */
function descendantRunning(pid: number, entry: string): number | undefined {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]);
      parents.set(Number(name), ppid);
    } catch {}
  }
  for (const [candidate] of parents) {
    let ancestor: number | undefined = candidate;
    while (ancestor !== undefined && ancestor > 1 && ancestor !== pid) ancestor = parents.get(ancestor);
    if (ancestor !== pid) continue;
    try {
      // `node …/dist/server.js` itself, not the shell running the script line that ends with the same words.
      const args = readFileSync(`/proc/${candidate}/cmdline`, 'utf8').split('\0');
      if (path.basename(args[0] ?? '') === 'node' && args.some((arg) => arg.endsWith(entry))) return candidate;
    } catch {}
  }
  return undefined;
}

/** Launches a target in its own process group, polls `/readyz` until it answers 200, then stops the whole group. */
async function measure(target: Target): Promise<Sample> {
  const port = await freePort();
  const started = performance.now();
  const child = target.launch(port);
  let output = '';
  child.stdout?.on('data', (d) => {
    output += String(d);
  });
  child.stderr?.on('data', (d) => {
    output += String(d);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
  });
  try {
    for (;;) {
      if (exitCode !== undefined)
        throw new Error(`${target.name} exited (${exitCode}) before it was ready:\n${output}`);
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (res) => res.status === 200,
        () => false,
      );
      if (ok) break;
      await sleep(POLL_MS);
    }
    const ms = performance.now() - started;
    const pid = target.serverPid ? target.serverPid(child) : child.pid;
    return { ms, cpuMs: pid === undefined ? undefined : cpuMs(pid) };
  } finally {
    if (exitCode === undefined && child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
    await exited;
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cims-bench-start-'));
  const database = await createFreshDatabase(adminUrl, 'cims_bench_start');
  // One clean-up, whoever asks first (Ctrl-C or the end of the run): the other waits for the same one.
  let cleaning: Promise<void> | undefined;
  const cleanup = () => {
    cleaning ??= database.drop().finally(() => rmSync(dataDir, { recursive: true, force: true }));
    return cleaning;
  };
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));
  const production = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    NODE_ENV: 'production',
    DATABASE_URL: database.url,
    JWT_SECRET: randomBytes(32).toString('base64'),
    CIMS_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    SMTP_URL: 'smtp://127.0.0.1:9',
    CIMS_DATA_DIR: path.join(dataDir, 'production'),
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    SHUTDOWN_DRAIN_MS: '0',
  };

  const targets: Target[] = [
    {
      name: 'pnpm start again (unchanged sources)',
      budgetMs: 5000,
      launch: (port) =>
        spawn('pnpm', ['start'], {
          cwd: repoRoot,
          detached: true,
          env: {
            ...process.env,
            PORT: String(port),
            CIMS_DATA_DIR: path.join(dataDir, 'embedded'),
            LOG_LEVEL: 'warn',
            DATABASE_URL: '',
            NODE_ENV: 'development',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
      serverPid: (child) => (child.pid === undefined ? undefined : descendantRunning(child.pid, 'dist/server.js')),
    },
    {
      name: 'cold node dist/server.js (PostgreSQL)',
      budgetMs: 1500,
      launch: (port) =>
        spawn(process.execPath, ['dist/server.js'], {
          cwd: serverDir,
          detached: true,
          env: { ...production, PORT: String(port) },
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
    },
    {
      name: 'baseline: bare node:http',
      launch: (port) =>
        spawn(
          process.execPath,
          ['-e', `require('node:http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1')`],
          { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
        ),
    },
  ];

  try {
    // Warm-up, not measured: the first `pnpm start` builds what turbo has not cached yet and creates the embedded
    // database; the first production start migrates the fresh PostgreSQL database.
    console.log('warm-up: building (if needed), creating the embedded database, migrating PostgreSQL…');
    for (const target of targets) await measure(target);

    const samples = new Map<string, Sample[]>(targets.map((t) => [t.name, []]));
    for (let round = 0; round < rounds; round += 1) {
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      for (const target of order) samples.get(target.name)?.push(await measure(target));
    }

    const load = loadavg().map((l) => l.toFixed(2));
    const rows = targets.map((target) => {
      const list = samples.get(target.name) ?? [];
      const ms = median(list.map((s) => s.ms));
      const cpu = list.flatMap((s) => (s.cpuMs === undefined ? [] : [s.cpuMs]));
      const verdict =
        target.budgetMs === undefined ? '' : ms <= target.budgetMs ? `within ${target.budgetMs}` : 'MISSED';
      return {
        name: target.name,
        ms,
        min: Math.min(...list.map((s) => s.ms)),
        max: Math.max(...list.map((s) => s.ms)),
        cpu: cpu.length > 0 ? median(cpu) : undefined,
        budgetMs: target.budgetMs,
        verdict,
      };
    });
    console.log(`\n${rounds} rounds, order alternating; load average ${load.join(' ')}`);
    console.log(
      `${'target'.padEnd(40)} ${'median ms'.padStart(10)} ${'min'.padStart(7)} ${'max'.padStart(7)} ${'CPU ms'.padStart(8)}  budget`,
    );
    for (const row of rows)
      console.log(
        `${row.name.padEnd(40)} ${row.ms.toFixed(0).padStart(10)} ${row.min.toFixed(0).padStart(7)} ${row.max
          .toFixed(0)
          .padStart(7)} ${(row.cpu === undefined ? '-' : row.cpu.toFixed(0)).padStart(8)}  ${row.verdict}`,
      );
    if (check && rows.some((row) => row.verdict === 'MISSED')) process.exitCode = 1;
  } finally {
    await cleanup();
  }
}

await main();
