// Over 500 lines: a benchmark runner read top to bottom, from its arguments through checks and load to the report.
/**
 * The auth benchmark: the real server against a minimal baseline (node:http + pg + jose, the same SQL and JWTs), in one
 * run, on a fresh PostgreSQL database. See ../README.md for what is measured, how, and the results.
 *
 *   pnpm --filter @cims/bench bench:auth [--check] [--scenarios=me,refresh,logins]
 *
 * Process layout: this process is the load generator (autocannon in its main thread, no workers; the login loops and
 * the latency probe too). The server and the baseline each run in a child process of their own, started the same way
 * (node + tsx, `--conditions=source`), so neither shares an event loop with the load generator. The machine's cores
 * are shared by all three and by PostgreSQL, for both targets alike.
 */

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import pg from 'pg';
import type { ProcessStats } from './lib/child-stats.js';
import { type Child, startChild } from './lib/children.js';
import { createFreshDatabase, type FreshDatabase, mintRefreshTokens, spentTokenCount } from './lib/database.js';
import { watchInterference } from './lib/interference.js';
import { type LoadResult, probe, saturate, startLogins } from './lib/load.js';
import { fixed, table } from './lib/report.js';

// ------------------------------------------------------------------------------------------------ settings

const { values: flags } = parseArgs({
  options: {
    check: { type: 'boolean', default: false },
    scenarios: { type: 'string', default: 'me,refresh,logins' },
  },
});
const scenarios = new Set(String(flags.scenarios).split(','));

function numberEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

const settings = {
  adminUrl: process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
  durationSeconds: numberEnv('BENCH_DURATION', 10),
  warmupSeconds: numberEnv('BENCH_WARMUP', 3),
  connections: numberEnv('BENCH_CONNECTIONS', 16),
  rounds: numberEnv('BENCH_ROUNDS', 2),
  logins: numberEnv('BENCH_LOGINS', 8),
  probeRate: numberEnv('BENCH_PROBE_RATE', 200),
  bcryptCost: numberEnv('BCRYPT_COST', 12),
  logLevel: process.env.BENCH_LOG_LEVEL || 'warn',
};

/**
 * Experiments (README, "Investigating"): each changes what is measured, so a run with any of them set is marked
 * EXPERIMENT in its output. Server: BENCH_WITHOUT (take middleware out), BENCH_PATCH (suspected fixes),
 * BENCH_BCRYPT_CONCURRENCY; baseline: BENCH_BASELINE_DB=mikro-orm, BENCH_BASELINE_RATE_LIMIT=false; both:
 * BENCH_PROFILE_DIR (a CPU profile of every measured phase of both processes).
 */
const experiments = Object.fromEntries(
  [
    'BENCH_WITHOUT',
    'BENCH_PATCH',
    'BENCH_BCRYPT_CONCURRENCY',
    'BENCH_BASELINE_DB',
    'BENCH_BASELINE_RATE_LIMIT',
    'BENCH_PROFILE_DIR',
  ]
    .map((name) => [name, process.env[name]])
    .filter(([, value]) => value),
) as Record<string, string>;
const pick = (names: [string, string][]) =>
  Object.fromEntries(
    names.filter(([from]) => experiments[from]).map(([from, to]) => [to, experiments[from] as string]),
  );

const TARGETS = { meRatio: 0.6, refreshRatio: 0.7, meP99UnderLoginsMs: 50 };
const JWT_SECRET = 'cims-bench-fixed-secret-0123456789abcdef-0123456789';
const SESSION_DAYS = 15;
const HERE = import.meta.dirname;

/** `BENCH_SERVER_ENV_X=v` / `BENCH_BASELINE_ENV_X=v` pass `X=v` to that child only (for experiments). */
function passthrough(prefix: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env)
      .filter(([name, value]) => name.startsWith(prefix) && value !== undefined)
      .map(([name, value]) => [name.slice(prefix.length), value as string]),
  );
}

/** `BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'`: extra Node flags for that child (experiments). */
const nodeArgs = (name: string) => (process.env[name] ?? '').split(' ').filter(Boolean);

// ------------------------------------------------------------------------------------------------ the run

interface Measured {
  scenario: string;
  target: 'server' | 'baseline';
  load: LoadResult;
  process?: ProcessStats;
  notes?: Record<string, unknown>;
  /** Cores' worth of CPU that OTHER work on the machine used meanwhile (see lib/interference.ts). */
  otherLoadCores?: number;
  /** The rounds this entry sums up (throughput scenarios run in rounds, alternating which target goes first). */
  rounds?: Measured[];
}

const measured: Measured[] = [];
const checks: { name: string; ok: boolean; detail?: string }[] = [];
const children: Child[] = [];
let database: FreshDatabase | undefined;
let dataDir: string | undefined;
let client: pg.Client | undefined;

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

async function cleanup(): Promise<void> {
  await client?.end().catch(() => {});
  client = undefined;
  for (const child of children.splice(0)) await child.stop().catch(() => {});
  await database?.drop().catch((error: unknown) => log(`Could not drop ${database?.name}: ${String(error)}`));
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log('Interrupted: stopping the processes and dropping the database');
    cleanup().finally(() => process.exit(130));
  });
}
// Output piped into `head` must not kill the run before it cleans up.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});

async function json(url: string, init?: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, init);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function login(url: string, email: string, password: string) {
  return json(`${url}/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: email, password }),
  });
}

const bearer = (token: unknown) => ({ authorization: `Bearer ${String(token)}` });

function refreshOnce(url: string, token: unknown) {
  return json(`${url}/auth/refresh`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ refresh_token: token }),
  });
}

/** Counts that a refresh changes, to compare what one refresh does on each side. */
async function rowFingerprint(db: pg.Client): Promise<Record<string, number>> {
  const { rows } = await db.query(`select
      (select count(*) from refresh_token) as tokens,
      (select count(*) from refresh_token where spent_at is not null) as spent_tokens,
      (select count(*) from refresh_token rt where to_jsonb(rt) ->> 'sealed_successor' is not null) as sealed_tokens,
      (select count(*) from auth_session) as sessions,
      (select count(*) from auth_session where last_used_at > created_at) as touched_sessions,
      (select count(*) from auth_session where revoked_at is not null) as revoked_sessions,
      (select coalesce(sum(count), 0) from rate_limit_hit) as rate_limit_hits,
      (select count(*) from audit_log) as audit_entries`);
  return Object.fromEntries(Object.entries(rows[0] ?? {}).map(([key, value]) => [key, Number(value)]));
}

function difference(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(a).map(([key, value]) => [key, value - (b[key] ?? 0)]));
}

function check(name: string, ok: boolean, detail?: string): void {
  checks.push({ name, ok, detail });
  log(`  ${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` (${detail})` : ''}`);
}

/** Hands out each pre-minted refresh token once; counts the requests that found the pool empty. */
function tokenFeeder(tokens: string[]) {
  let next = 0;
  let exhausted = 0;
  return {
    body: () => {
      const token = tokens[next++];
      if (token === undefined) exhausted++;
      return JSON.stringify({ refresh_token: token ?? 'the-pool-ran-out' });
    },
    get handedOut() {
      return Math.min(next, tokens.length);
    },
    get exhausted() {
      return exhausted;
    },
  };
}

let phase = 0;

async function measure(
  scenario: string,
  target: Child,
  run: () => Promise<LoadResult>,
  notes?: () => Promise<Record<string, unknown>> | Record<string, unknown>,
): Promise<Measured> {
  const label = `${scenario}-${target.name}-${++phase}`.replace(/[^\w.-]+/g, '_');
  await target.resetStats(label);
  const interference = watchInterference([process.pid, ...children.map((c) => c.process.pid ?? 0)]);
  const load = await run();
  const otherLoadCores = interference();
  const stats = await target.stats();
  const entry: Measured = {
    scenario,
    target: target.name as Measured['target'],
    load,
    process: stats,
    notes: notes ? await notes() : undefined,
    otherLoadCores,
  };
  const bad = load.non2xx + load.errors;
  log(
    `  ${scenario.padEnd(34)} ${target.name.padEnd(8)} ${fixed(load.okPerSecond).padStart(6)} ok/s  ` +
      `p50 ${fixed(load.latencyMs.p50, 1)} ms  p99 ${fixed(load.latencyMs.p99, 1)} ms` +
      (bad > 0 ? `  ${bad} FAILED REQUESTS ${JSON.stringify(load.statusCodes)}` : ''),
  );
  return entry;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/** Sums rounds of one scenario and target: counts and CPU add up, latency percentiles are the median of the rounds. */
function aggregate(rounds: Measured[]): Measured {
  const first = rounds[0] as Measured;
  const sum = (pick: (m: Measured) => number) => rounds.reduce((n, m) => n + pick(m), 0);
  const statusCodes: Record<string, number> = {};
  for (const round of rounds) {
    for (const [code, count] of Object.entries(round.load.statusCodes))
      statusCodes[code] = (statusCodes[code] ?? 0) + count;
  }
  const seconds = sum((m) => m.load.seconds);
  const ok = sum((m) => m.load.ok);
  const lat = (key: keyof LoadResult['latencyMs']) => median(rounds.map((m) => m.load.latencyMs[key]));
  const withStats = rounds.filter((m) => m.process);
  return {
    scenario: first.scenario,
    target: first.target,
    load: {
      seconds,
      requests: sum((m) => m.load.requests),
      ok,
      non2xx: sum((m) => m.load.non2xx),
      errors: sum((m) => m.load.errors),
      timeouts: sum((m) => m.load.timeouts),
      okPerSecond: ok / seconds,
      latencyMs: {
        mean: lat('mean'),
        p50: lat('p50'),
        p90: lat('p90'),
        p99: lat('p99'),
        p999: lat('p999'),
        max: Math.max(...rounds.map((m) => m.load.latencyMs.max)),
      },
      statusCodes,
    },
    process:
      withStats.length === rounds.length
        ? {
            wallMs: sum((m) => m.process?.wallMs ?? 0),
            cpuUserMs: sum((m) => m.process?.cpuUserMs ?? 0),
            cpuSystemMs: sum((m) => m.process?.cpuSystemMs ?? 0),
            eventLoopDelayP50Ms: median(rounds.map((m) => m.process?.eventLoopDelayP50Ms ?? 0)),
            eventLoopDelayP99Ms: median(rounds.map((m) => m.process?.eventLoopDelayP99Ms ?? 0)),
            eventLoopDelayMaxMs: Math.max(...rounds.map((m) => m.process?.eventLoopDelayMaxMs ?? 0)),
            rssMb: Math.max(...rounds.map((m) => m.process?.rssMb ?? 0)),
          }
        : undefined,
    otherLoadCores: rounds.every((m) => m.otherLoadCores !== undefined)
      ? sum((m) => (m.otherLoadCores ?? 0) * m.load.seconds) / seconds
      : undefined,
    rounds,
  };
}

/**
 * Measures a scenario on both targets in `settings.rounds` rounds, alternating which goes first (baseline, server |
 * server, baseline | …) so that a drift of the machine during the run does not favour either; records the sums.
 */
async function compare(targets: Child[], run: (target: Child) => Promise<Measured>): Promise<Map<string, Measured>> {
  const rounds = new Map<string, Measured[]>();
  for (let round = 0; round < settings.rounds; round++) {
    for (const target of round % 2 === 0 ? targets : [...targets].reverse()) {
      const entry = await run(target);
      rounds.set(target.name, [...(rounds.get(target.name) ?? []), entry]);
    }
  }
  const result = new Map<string, Measured>();
  for (const target of targets) {
    const entry = aggregate(rounds.get(target.name) ?? []);
    measured.push(entry);
    result.set(target.name, entry);
  }
  return result;
}

/** The share of the machine's CPU time that was busy over `ms` (Linux /proc/stat; undefined elsewhere). */
async function machineBusy(ms: number): Promise<number | undefined> {
  const read = () => {
    try {
      const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
      const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
      return { idle, total: fields.reduce((a, b) => a + b, 0) };
    } catch {
      return undefined;
    }
  };
  const before = read();
  await sleep(ms);
  const after = read();
  if (!before || !after || after.total === before.total) return undefined;
  return 1 - (after.idle - before.idle) / (after.total - before.total);
}

async function main(): Promise<number> {
  const startedAt = new Date();
  log(`CIMS auth benchmark — ${startedAt.toISOString()}`);
  log(`  settings: ${JSON.stringify(settings)}`);
  const experimental: Record<string, string> = {
    ...experiments,
    ...passthrough('BENCH_SERVER_ENV_'),
    ...passthrough('BENCH_BASELINE_ENV_'),
  };
  for (const name of ['BENCH_SERVER_NODE_ARGS', 'BENCH_BASELINE_NODE_ARGS']) {
    if (nodeArgs(name).length > 0) experimental[name] = nodeArgs(name).join(' ');
  }
  const experimentNote =
    Object.keys(experimental).length > 0 ? `EXPERIMENT, not the benchmark: ${JSON.stringify(experimental)}` : undefined;
  if (experimentNote) log(`  ${experimentNote}`);

  // Other work on the machine makes every number noisy: say so up front (and in the results).
  const busyBefore = await machineBusy(2000);
  if (busyBefore !== undefined) {
    log(`  machine busy before the run: ${fixed(100 * busyBefore)}% of ${os.cpus().length} cores`);
    if (busyBefore > 0.15) log('  WARNING: the machine is not idle; expect noisy numbers');
  }

  database = await createFreshDatabase(settings.adminUrl, 'cims_bench');
  log(`  database: ${database.name} (created for this run)`);
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'cims-bench-'));

  const base: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ', 'UV_THREADPOOL_SIZE']) {
    const value = process.env[name];
    if (value) base[name] = value;
  }
  const shared = {
    ...base,
    NODE_ENV: 'production',
    DATABASE_URL: database.url,
    JWT_SECRET,
    // Production asks for it; these routes never use it (it encrypts third-party tokens).
    CIMS_ENCRYPTION_KEY: 'Y2ltcy1iZW5jaC1maXhlZC1lbmNyeXB0aW9uLWtleSE=',
    ACCESS_TOKEN_EXPIRE_MINUTES: '3000',
    REFRESH_TOKEN_EXPIRE_DAYS: String(SESSION_DAYS),
    RATE_LIMIT_WINDOW_SECONDS: '900',
    // Every request comes from 127.0.0.1: the per-IP limit (300 per 15 min) would answer 429 within a second.
    RATE_LIMIT_IP_MAX: '1000000000',
    // The 8 concurrent logins of one account each hold a failed-login slot while bcrypt runs (10 by default).
    RATE_LIMIT_ACCOUNT_MAX: '1000000000',
    ...pick([['BENCH_PROFILE_DIR', 'BENCH_PROFILE_DIR']]),
  };
  if (experiments.BENCH_PROFILE_DIR) mkdirSync(experiments.BENCH_PROFILE_DIR, { recursive: true });
  const server = await startChild(
    'server',
    path.join(HERE, 'server-process.ts'),
    {
      ...shared,
      HOST: '127.0.0.1',
      PORT: '0',
      CIMS_DATA_DIR: dataDir,
      LOG_LEVEL: settings.logLevel,
      // Required in production; never used here (no route of this benchmark sends mail).
      SMTP_URL: 'smtp://127.0.0.1:2525',
      CIMS_DEMO_DATA: 'true',
      BCRYPT_COST: String(settings.bcryptCost),
      ...pick([
        ['BENCH_WITHOUT', 'BENCH_WITHOUT'],
        ['BENCH_PATCH', 'BENCH_PATCH'],
        ['BENCH_BCRYPT_CONCURRENCY', 'BENCH_BCRYPT_CONCURRENCY'],
      ]),
      ...passthrough('BENCH_SERVER_ENV_'),
    },
    nodeArgs('BENCH_SERVER_NODE_ARGS'),
  );
  children.push(server);
  log(`  server:   ${server.url} (pid ${server.process.pid})`);
  const baseline = await startChild(
    'baseline',
    path.join(HERE, 'baseline-process.ts'),
    {
      ...shared,
      ...pick([
        ['BENCH_BASELINE_DB', 'BASELINE_DB'],
        ['BENCH_BASELINE_RATE_LIMIT', 'BASELINE_RATE_LIMIT'],
      ]),
      ...passthrough('BENCH_BASELINE_ENV_'),
    },
    nodeArgs('BENCH_BASELINE_NODE_ARGS'),
  );
  children.push(baseline);
  log(`  baseline: ${baseline.url} (pid ${baseline.process.pid})`);
  const both = [baseline, server];

  client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const db = client;
  const { rows: users } = await db.query<{ id: number; email: string }>('select id, email from app_user');
  const userId = (email: string) => {
    const user = users.find((u) => u.email === email);
    if (!user) throw new Error(`The demo user ${email} is missing (CIMS_DEMO_DATA)`);
    return user.id;
  };
  const { rows: versionRows } = await db.query<{ server_version: string }>('show server_version');

  // ---------------------------------------------------------------------------------- both sides do the same thing
  log('Checks: the baseline and the server answer alike and accept each other’s tokens');
  const signedIn = await login(server.url, 'sales1@cims.local', 'sales-demo-password');
  check('login on the server', signedIn.status === 200, `status ${signedIn.status}`);
  const accessToken = signedIn.body.access_token;
  const meServer = await json(`${server.url}/auth/me`, { headers: bearer(accessToken) });
  const meBaseline = await json(`${baseline.url}/auth/me`, { headers: bearer(accessToken) });
  check('GET /auth/me: 200 on both', meServer.status === 200 && meBaseline.status === 200);
  check('GET /auth/me: the same body on both', isDeepStrictEqual(meServer.body, meBaseline.body));
  // One refresh on each side, each in a session of its own: the rows they leave behind must change alike (a statement
  // added to the server's refresh and missing from the baseline shows up here).
  const other = await login(server.url, 'sales1@cims.local', 'sales-demo-password');
  const before = await rowFingerprint(db);
  const viaBaseline = await refreshOnce(baseline.url, signedIn.body.refresh_token);
  const between = await rowFingerprint(db);
  const viaServer = await refreshOnce(server.url, other.body.refresh_token);
  const after = await rowFingerprint(db);
  check('refresh: 200 on both', viaBaseline.status === 200 && viaServer.status === 200);
  const changedByBaseline = difference(between, before);
  const changedByServer = difference(after, between);
  check(
    'refresh: the same row changes on both',
    isDeepStrictEqual(changedByBaseline, changedByServer),
    `baseline ${JSON.stringify(changedByBaseline)}, server ${JSON.stringify(changedByServer)}`,
  );
  check(
    'refresh: the same fields on both',
    isDeepStrictEqual(Object.keys(viaBaseline.body).sort(), Object.keys(viaServer.body).sort()) &&
      viaBaseline.body.expires_in === viaServer.body.expires_in,
  );
  const crossA = await json(`${server.url}/auth/me`, { headers: bearer(viaBaseline.body.access_token) });
  const crossB = await json(`${baseline.url}/auth/me`, { headers: bearer(viaServer.body.access_token) });
  check('each side accepts the other’s access tokens', crossA.status === 200 && crossB.status === 200);
  const chained = await refreshOnce(server.url, viaBaseline.body.refresh_token);
  check('the server refreshes with a token the baseline issued', chained.status === 200, `status ${chained.status}`);
  const spentOnce = await refreshOnce(baseline.url, signedIn.body.refresh_token);
  check('the baseline refuses a spent token', spentOnce.status === 401);
  if (checks.some((c) => !c.ok)) throw new Error('The baseline does not match the server; nothing measured');

  const { connections, durationSeconds: seconds, warmupSeconds } = settings;
  const meLoad = (target: Child, duration: number) => () =>
    saturate({
      url: target.url,
      method: 'GET',
      path: '/auth/me',
      connections,
      seconds: duration,
      headers: bearer(accessToken),
    });
  const refreshLoad = (target: Child, duration: number, feeder: ReturnType<typeof tokenFeeder>) => () =>
    saturate({
      url: target.url,
      method: 'POST',
      path: '/auth/refresh',
      connections,
      seconds: duration,
      headers: { 'content-type': 'application/json' },
      body: feeder.body,
    });
  const sales1 = userId('sales1@cims.local');

  // ---------------------------------------------------------------------------------- GET /auth/me
  if (scenarios.has('me')) {
    log(
      `GET /auth/me — warm-up ${warmupSeconds} s each, then ${settings.rounds} × ${seconds} s each, ${connections} connections`,
    );
    for (const target of both) await meLoad(target, warmupSeconds)();
    await compare(both, (target) => measure('GET /auth/me', target, meLoad(target, seconds)));
  }

  // ---------------------------------------------------------------------------------- POST /auth/refresh
  if (scenarios.has('refresh')) {
    log(
      `POST /auth/refresh — warm-up ${warmupSeconds} s each, then ${settings.rounds} × ${seconds} s each, ` +
        `${connections} connections`,
    );
    const warmRate = new Map<string, number>();
    for (const target of both) {
      const feeder = tokenFeeder(await mintRefreshTokens(db, sales1, 4000 * warmupSeconds, SESSION_DAYS));
      const warm = await refreshLoad(target, warmupSeconds, feeder)();
      warmRate.set(target.name, warm.okPerSecond);
    }
    await compare(both, async (target) => {
      // Enough fresh tokens for twice the warm-up rate, and at least 1000/s: a warm-up slowed down by something else
      // on the machine must not starve the measured run (which is checked below: a run that ran out is reported).
      const size = Math.ceil(Math.max(warmRate.get(target.name) ?? 0, 1000) * seconds * 2) + 5000;
      const feeder = tokenFeeder(await mintRefreshTokens(db, sales1, size, SESSION_DAYS));
      const spentBefore = await spentTokenCount(db);
      const entry = await measure('POST /auth/refresh', target, refreshLoad(target, seconds, feeder), async () => ({
        poolSize: size,
        tokensHandedOut: feeder.handedOut,
        poolExhaustedRequests: feeder.exhausted,
        tokensSpentInDatabase: (await spentTokenCount(db)) - spentBefore,
      }));
      const notes = entry.notes as { poolExhaustedRequests: number; tokensSpentInDatabase: number };
      // A request still in flight when autocannon stops may have spent its token without its answer being counted.
      const inFlight = notes.tokensSpentInDatabase - entry.load.ok;
      check(
        `refresh on the ${target.name}: every 2xx spent one token, the pool never ran out`,
        inFlight >= 0 && inFlight <= connections && notes.poolExhaustedRequests === 0,
        `${entry.load.ok} × 2xx, ${notes.tokensSpentInDatabase} spent (${inFlight} in flight at the stop), ` +
          `${notes.poolExhaustedRequests} without a token`,
      );
      return entry;
    });
  }

  // ---------------------------------------------------------------------------------- GET /auth/me during logins
  if (scenarios.has('logins')) {
    const rate = settings.probeRate;
    log(
      `GET /auth/me latency at ${rate} req/s (open loop), quiet and while ${settings.logins} logins run ` +
        `continuously (bcrypt cost ${settings.bcryptCost}), ${seconds} s each`,
    );
    const meProbe = (target: Child) => () =>
      probe({ url: target.url, path: '/auth/me', headers: bearer(accessToken), rate, seconds });
    for (const target of both) measured.push(await measure(`GET /auth/me @${rate}/s, quiet`, target, meProbe(target)));
    const logins = startLogins({
      url: server.url,
      workers: settings.logins,
      email: 'sales2@cims.local',
      password: 'sales-demo-password',
    });
    await sleep(1000);
    measured.push(await measure(`GET /auth/me @${rate}/s + ${settings.logins} logins`, server, meProbe(server)));
    measured.push(
      await measure(`GET /auth/me (${connections} conn.) + ${settings.logins} logins`, server, meLoad(server, seconds)),
    );
    const loginStats = await logins.stop();
    log(
      `  logins meanwhile: ${loginStats.ok} ok, ${loginStats.failed} failed, ` +
        `${fixed(loginStats.ok / loginStats.seconds, 1)}/s, mean ${fixed(loginStats.meanMs)} ms, max ${fixed(loginStats.maxMs)} ms`,
    );
    check('every background login succeeded', loginStats.failed === 0, `${loginStats.failed} failed`);
    for (const entry of measured.filter((m) => m.scenario.includes('logins'))) entry.notes = { logins: loginStats };
  }

  // ---------------------------------------------------------------------------------- report
  const find = (scenario: string, target: string) =>
    measured.find((m) => m.scenario === scenario && m.target === target);
  const cpuPerRequest = (m: Measured) =>
    m.process && m.load.requests > 0 ? (m.process.cpuUserMs + m.process.cpuSystemMs) / m.load.requests : Number.NaN;
  const rows = measured.map((m) => [
    m.scenario,
    m.target,
    fixed(m.load.okPerSecond),
    String(m.load.non2xx + m.load.errors),
    fixed(m.load.latencyMs.p50, 1),
    fixed(m.load.latencyMs.p90, 1),
    fixed(m.load.latencyMs.p99, 1),
    fixed(m.load.latencyMs.max, 1),
    fixed(cpuPerRequest(m), 3),
    fixed(m.process?.eventLoopDelayP99Ms ?? Number.NaN, 1),
    fixed(m.otherLoadCores ?? Number.NaN, 2),
  ]);
  const output: string[] = [
    '',
    `CIMS auth benchmark, ${startedAt.toISOString()}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ` +
      `Node ${process.version}, PostgreSQL ${versionRows[0]?.server_version}`,
    ...(experimentNote ? [experimentNote] : []),
    '',
    table(
      [
        'scenario',
        'target',
        '2xx/s',
        'failed',
        'p50 ms',
        'p90 ms',
        'p99 ms',
        'max ms',
        'CPU ms/req',
        'loop p99 ms',
        'other load',
      ],
      rows,
    ),
    '',
  ];
  const verdicts: { name: string; value: number; target: string; met: boolean }[] = [];
  const ratio = (scenario: string, key: 'meRatio' | 'refreshRatio', label: string) => {
    const s = find(scenario, 'server');
    const b = find(scenario, 'baseline');
    if (!s || !b) return;
    const value = s.load.okPerSecond / b.load.okPerSecond;
    const perRound = (s.rounds ?? []).map(
      (round, i) => round.load.okPerSecond / (b.rounds?.[i]?.load.okPerSecond ?? 0),
    );
    verdicts.push({ name: label, value, target: `≥ ${TARGETS[key]}×`, met: value >= TARGETS[key] });
    output.push(
      `${label.padEnd(44)} ${fixed(s.load.okPerSecond)} / ${fixed(b.load.okPerSecond)} = ${fixed(value, 2)}×  ` +
        `(target ≥ ${TARGETS[key]}×)  ${value >= TARGETS[key] ? 'met' : 'MISSED'}` +
        (perRound.length > 1 ? `   rounds: ${perRound.map((r) => fixed(r, 2)).join(', ')}` : ''),
    );
  };
  ratio('GET /auth/me', 'meRatio', 'GET /auth/me       server ÷ baseline req/s');
  ratio('POST /auth/refresh', 'refreshRatio', 'POST /auth/refresh server ÷ baseline req/s');
  const underLogins = measured.find((m) => m.scenario.startsWith('GET /auth/me @') && m.scenario.includes('logins'));
  if (underLogins) {
    const p99 = underLogins.load.latencyMs.p99;
    const met = p99 <= TARGETS.meP99UnderLoginsMs;
    verdicts.push({ name: 'GET /auth/me p99 during logins', value: p99, target: '≤ 50 ms', met });
    output.push(
      `${`GET /auth/me p99 during ${settings.logins} logins`.padEnd(44)} ${fixed(p99, 1)} ms  ` +
        `(target ≤ ${TARGETS.meP99UnderLoginsMs} ms)  ${met ? 'met' : 'MISSED'}`,
    );
  }
  const noisy = measured.filter((m) => (m.otherLoadCores ?? 0) > 0.2);
  if (noisy.length > 0) {
    output.push(
      `NOTE: other work used more than 0.2 cores during ${noisy.length} of ${measured.length} phases ` +
        '("other load"): those numbers are disturbed; rerun on a quiet machine to compare',
    );
  }
  const failedRequests = measured.reduce((n, m) => n + m.load.non2xx + m.load.errors, 0);
  if (failedRequests > 0) output.push(`WARNING: ${failedRequests} measured requests failed; see the table`);
  const failedChecks = checks.filter((c) => !c.ok);
  if (failedChecks.length > 0) output.push(`WARNING: failed checks: ${failedChecks.map((c) => c.name).join('; ')}`);
  console.log(output.join('\n'));

  const resultsDir = path.join(HERE, '..', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `auth-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        startedAt: startedAt.toISOString(),
        machine: {
          cpus: os.cpus().length,
          cpuModel: os.cpus()[0]?.model,
          memoryGb: Math.round(os.totalmem() / 2 ** 30),
          os: `${os.type()} ${os.release()}`,
          node: process.version,
          postgres: versionRows[0]?.server_version,
        },
        settings: { ...settings, adminUrl: undefined, scenarios: [...scenarios] },
        experiment: experimentNote ?? null,
        machineBusyBeforeRun: busyBefore ?? null,
        targets: TARGETS,
        verdicts,
        checks,
        measured,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`\nResults written to ${path.relative(process.cwd(), file)}`);

  const missed = verdicts.filter((v) => !v.met).length;
  if (flags.check && (missed > 0 || failedRequests > 0 || failedChecks.length > 0)) return 1;
  return 0;
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (error) {
  console.error(error);
} finally {
  await cleanup();
}
process.exit(exitCode);
