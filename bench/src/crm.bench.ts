// Over 500 lines: a benchmark runner read top to bottom, from its arguments through checks and load to the report.
/**
 * The CRM benchmark: the real server against a minimal baseline (node:http + pg, the same SQL), on databases seeded
 * with N customers, for GET /crm/dashboard, a status filter, a search and GET /crm/stats, and on request the period
 * report without paging (`report`). See ../README.md, "The CRM benchmark", for what is measured, how, and the results.
 *
 *   pnpm --filter @cims/bench bench:crm [--sizes=10000,100000,1000000] [--scenarios=dashboard,status,search,stats]
 *                                       [--check] [--reseed] [--drop]
 *
 * For each size it uses the database `cims_bench_crm_<N>` on the BENCH_DATABASE_URL server, seeding it first when it
 * does not hold exactly N customers of the current seed version (or with --reseed). The databases are kept, so a
 * rerun does not seed 1M customers again; --drop drops them at the end.
 *
 * Process layout as in auth.bench.ts: this process is the load generator (autocannon in its main thread); the server
 * and the baseline each run in a child process of their own, started the same way.
 */

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import pg from 'pg';
import { type Child, startChild } from './lib/children.js';
import { crmServerEnv, crmSharedEnv } from './lib/crm-children.js';
import { countInWindow, type ReportWindow, reportWindow } from './lib/crm-report.js';
import {
  crmDatabaseUrl,
  parseCount,
  readSeedMarkerOf,
  SEED_VERSION,
  schemaFingerprint,
  seedCrm,
} from './lib/crm-seeding.js';
import { COPIED_SQL, staleCopies } from './lib/crm-sql.js';
import { probe, saturate } from './lib/load.js';
import { fixed, table } from './lib/report.js';
import { aggregate, compare, cpuPerRequest, type Measured, machineBusy, measure, median } from './lib/rounds.js';

// ------------------------------------------------------------------------------------------------ settings

const ALL_SCENARIOS = ['dashboard', 'status', 'search', 'stats', 'filter', 'report'] as const;
type ScenarioName = (typeof ALL_SCENARIOS)[number];

const { values: flags } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100000' },
    scenarios: { type: 'string', default: 'dashboard,status,search,stats' },
    check: { type: 'boolean', default: false },
    reseed: { type: 'boolean', default: false },
    drop: { type: 'boolean', default: false },
  },
});

function numberEnv(name: string, fallback: number, allowZero = false): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !allowZero)) {
    throw new Error(`${name} must be a positive number`);
  }
  return value;
}

const settings = {
  adminUrl: process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
  sizes: [...new Set(String(flags.sizes).split(',').map(parseCount))],
  durationSeconds: numberEnv('BENCH_DURATION', 10),
  warmupSeconds: numberEnv('BENCH_WARMUP', 3),
  connections: numberEnv('BENCH_CONNECTIONS', 16),
  rounds: numberEnv('BENCH_ROUNDS', 2),
  /** The fixed-load probe's rate: BENCH_CRM_PROBE_RATE, or per route a rate the server carries at every size. */
  probeRate: numberEnv('BENCH_CRM_PROBE_RATE', 100, true),
  probeRateSet: process.env.BENCH_CRM_PROBE_RATE !== undefined && process.env.BENCH_CRM_PROBE_RATE !== '',
  probeSeconds: numberEnv('BENCH_CRM_PROBE_SECONDS', 5),
  probeRounds: numberEnv('BENCH_CRM_PROBE_ROUNDS', 6),
  search: process.env.BENCH_CRM_SEARCH || '4567',
  status: process.env.BENCH_CRM_STATUS || 'need_to_call',
  reportCustomers: numberEnv('BENCH_CRM_REPORT_CUSTOMERS', 10_000),
  reportRate: numberEnv('BENCH_CRM_REPORT_RATE', 2, true),
  reportSeconds: numberEnv('BENCH_CRM_REPORT_SECONDS', 10),
  bcryptCost: numberEnv('BCRYPT_COST', 12),
  logLevel: process.env.BENCH_LOG_LEVEL || 'warn',
};
const scenarioNames = String(flags.scenarios).split(',') as ScenarioName[];
for (const name of scenarioNames) {
  if (!ALL_SCENARIOS.includes(name)) throw new Error(`Unknown scenario ${name}; known: ${ALL_SCENARIOS.join(', ')}`);
}

/** The routes measured: what the legacy client's CRM page asks for. */
const SCENARIOS: Record<ScenarioName, { label: string; path: string }> = {
  dashboard: { label: 'dashboard page 1', path: '/crm/dashboard?page=1&page_size=50&show_all=true' },
  status: {
    label: `dashboard status=${settings.status}`,
    path: `/crm/dashboard?status_filter=${encodeURIComponent(settings.status)}&page=1&page_size=50`,
  },
  search: {
    label: `dashboard search=${settings.search}`,
    path: `/crm/dashboard?search=${encodeURIComponent(settings.search)}&page=1&page_size=50&show_all=true`,
  },
  stats: { label: 'stats', path: '/crm/stats' },
  filter: {
    label: `filter/status ${settings.status}`,
    path: `/crm/customers/filter/status?status_filter=${encodeURIComponent(settings.status)}&limit=50`,
  },
  // The window (from_date, to_date) depends on the database: see reportWindow, and pathOf.
  report: { label: `report unpaged ≥${settings.reportCustomers}`, path: '/crm/customers/report/period' },
};

/** The report's window per size, found when the size's database is ready. */
const reportWindows = new Map<number, ReportWindow>();

/** The request of a scenario on the database of `size`. */
function pathOf(name: ScenarioName, size: number): string {
  if (name !== 'report') return SCENARIOS[name].path;
  const window = reportWindows.get(size);
  if (!window) throw new Error(`No report window for ${size} customers yet`);
  return window.path;
}

/** BENCH_PROFILE_DIR: CPU profiles of both processes (read with src/profile-summary.ts); the run is an EXPERIMENT. */
const profileDir = process.env.BENCH_PROFILE_DIR;
const experimentNote = profileDir
  ? `EXPERIMENT (profiled), not the benchmark: BENCH_PROFILE_DIR=${profileDir}`
  : undefined;

/**
 * `ratio`: the server's throughput ÷ the baseline's, judged at every size the run measures. `p50LoadShare`: the p50s
 * are compared at the probe's fixed rate, judged only when that rate is at most this share of the server's
 * closed-loop throughput for the route at both sizes. `autoProbeShare`: without BENCH_CRM_PROBE_RATE, each route is
 * probed at this share of that throughput (at most 100/s, in steps of 5), so that the p50s are always judged.
 */
const TARGETS = {
  ratio: 0.8,
  p50Scaling: 1.5,
  p50From: 10_000,
  p50To: 1_000_000,
  p50LoadShare: 0.5,
  autoProbeShare: 0.4,
};

/** The fixed-load probe's rate per route label, chosen when the latency phase starts ({@link probeRateOf}). */
const probeRates = new Map<string, number>();

/**
 * The probe's rate for a route: BENCH_CRM_PROBE_RATE when set; otherwise {@link TARGETS}' `autoProbeShare` of the
 * server's lowest closed-loop throughput for the route over the sizes measured, at most 100/s and at least 5/s.
 */
function probeRateOf(label: string): number {
  const known = probeRates.get(label);
  if (known !== undefined) return known;
  let rate = settings.probeRate;
  if (!settings.probeRateSet) {
    const capacities = measured
      .filter((m) => m.kind === 'throughput' && m.target === 'server' && m.scenario === label)
      .map((m) => m.load.okPerSecond);
    if (capacities.length > 0) {
      const carried = Math.floor((TARGETS.autoProbeShare * Math.min(...capacities)) / 5) * 5 || 0;
      rate = Math.max(5, Math.min(settings.probeRate, carried));
    }
  }
  probeRates.set(label, rate);
  return rate;
}
const HERE = import.meta.dirname;

// ------------------------------------------------------------------------------------------------ the run

interface SizeMeasured extends Measured {
  size: number;
  /**
   * `throughput` (closed loop, in rounds), `probe` (open loop at a fixed rate, the sizes side by side) or `light` (the
   * report's open loop at a low rate, per size).
   */
  kind: 'throughput' | 'probe' | 'light';
}

const measured: SizeMeasured[] = [];
const checks: { size: number; name: string; ok: boolean; detail?: string }[] = [];
const children: Child[] = [];
const seeds: { size: number; seeded: boolean; seconds?: number }[] = [];
const selectivity: { size: number; scenario: string; items: number; totalItems?: number; bytes?: number }[] = [];
/** The data directories of the running servers (their audio stores; empty here), removed when they stop. */
const dataDirs: string[] = [];

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

async function stopChildren(): Promise<void> {
  for (const child of children.splice(0)) await child.stop().catch(() => {});
  for (const dir of dataDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log('Interrupted: stopping the processes (the seeded databases are kept)');
    stopChildren().finally(() => process.exit(130));
  });
}
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});

async function json(url: string, init?: RequestInit): Promise<{ status: number; body: unknown; bytes: number }> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, body, bytes: Buffer.byteLength(text) };
}

function check(size: number, name: string, ok: boolean, detail?: string): void {
  checks.push({ size, name, ok, detail });
  log(`  ${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` (${detail})` : ''}`);
}

/** The first place where two JSON values differ, as a path (for a failed body check). */
function firstDifference(a: unknown, b: unknown, at = '$'): string | undefined {
  if (isDeepStrictEqual(a, b)) return undefined;
  if (
    typeof a !== 'object' ||
    typeof b !== 'object' ||
    a === null ||
    b === null ||
    Array.isArray(a) !== Array.isArray(b)
  ) {
    return `${at}: ${JSON.stringify(a)?.slice(0, 120)} ≠ ${JSON.stringify(b)?.slice(0, 120)}`;
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    const found = firstDifference(
      (a as Record<string, unknown>)[key],
      (b as Record<string, unknown>)[key],
      `${at}.${key}`,
    );
    if (found) return found;
  }
  return `${at}: differ`;
}

/**
 * Makes sure the database of `size` holds exactly `size` customers of this seed version, seeded under the current
 * migrations; otherwise drops it and seeds it anew.
 */
async function prepareDatabase(size: number): Promise<string> {
  const url = crmDatabaseUrl(size);
  const name = new URL(url).pathname.slice(1);
  const marker = await readSeedMarkerOf(url);
  const schema = await schemaFingerprint();
  if (!flags.reseed && marker?.version === SEED_VERSION && marker.customers === size && marker.schema === schema) {
    log(`  database ${name}: ${size.toLocaleString('en-US')} customers, seeded ${marker.seededAt}`);
    seeds.push({ size, seeded: false });
    return url;
  }
  const why = !marker
    ? 'not seeded yet'
    : marker.schema !== schema
      ? 'seeded under other migrations'
      : marker.version !== SEED_VERSION
        ? 'seeded by another version of the seed'
        : flags.reseed
          ? '--reseed'
          : 'another size';
  log(`  seeding ${size.toLocaleString('en-US')} customers into ${name}, created anew (${why})`);
  const result = await seedCrm({ url, customers: size, reset: true, recreate: true, log });
  log(`  seeded in ${result.seconds.total.toFixed(1)} s`);
  seeds.push({ size, seeded: true, seconds: result.seconds.total });
  return url;
}

/** The server and the baseline on the database of one size, and the bearer token of sales1 on them. */
interface Targets {
  size: number;
  server: Child;
  baseline: Child;
  headers: Record<string, string>;
}

/**
 * Starts the server and the baseline on the database of `size` and signs in. With `verify`, then checks that both
 * answer every scenario with the same, right body (and throws when not).
 */
async function startTargets(size: number, scenarios: ScenarioName[], verify: boolean): Promise<Targets> {
  const databaseUrl = crmDatabaseUrl(size);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cims-bench-crm-'));
  dataDirs.push(dataDir);
  const shared = {
    ...crmSharedEnv(databaseUrl),
    // An investigation aid (off by default): a CPU profile of every measured phase of both processes.
    ...(profileDir ? { BENCH_PROFILE_DIR: profileDir } : {}),
  };
  const server = await startChild('server', path.join(HERE, 'server-process.ts'), {
    ...shared,
    ...crmServerEnv({ dataDir, logLevel: settings.logLevel, bcryptCost: settings.bcryptCost }),
  });
  children.push(server);
  const baseline = await startChild('baseline', path.join(HERE, 'crm-baseline.ts'), shared);
  children.push(baseline);
  log(`  ${size.toLocaleString('en-US')} customers, server:   ${server.url} (pid ${server.process.pid})`);
  log(`  ${size.toLocaleString('en-US')} customers, baseline: ${baseline.url} (pid ${baseline.process.pid})`);

  const signedIn = await json(`${server.url}/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: 'sales1@cims.local', password: 'sales-demo-password' }),
  });
  check(size, 'login as sales1 (a sales manager with the crm page) on the server', signedIn.status === 200);
  const token = (signedIn.body as { access_token?: string }).access_token;
  if (!token) throw new Error(`Cannot sign in on the server of ${size} customers; nothing measured`);
  const headers = { authorization: `Bearer ${token}` };
  if (verify) await verifyTargets({ size, server, baseline, headers }, databaseUrl, scenarios);
  return { size, server, baseline, headers };
}

/** Both sides do the same work: the same body for every scenario, and the right one. */
async function verifyTargets(targets: Targets, databaseUrl: string, scenarios: ScenarioName[]): Promise<void> {
  const { size, server, baseline, headers } = targets;
  log('Checks: the baseline and the server answer every scenario with the same body');
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ live: string; status: string }>(
      `select count(*) filter (where archived_at is null) as live,
              count(*) filter (where archived_at is null and status = $1) as status
         from customer`,
      [settings.status],
    );
    const live = Number(rows[0]?.live);
    const inStatus = Number(rows[0]?.status);
    for (const name of scenarios) {
      const scenario = SCENARIOS[name];
      const [fromServer, fromBaseline] = [
        await json(`${server.url}${pathOf(name, size)}`, { headers }),
        await json(`${baseline.url}${pathOf(name, size)}`, { headers }),
      ];
      check(
        size,
        `${scenario.label}: 200 on both`,
        fromServer.status === 200 && fromBaseline.status === 200,
        `server ${fromServer.status}, baseline ${fromBaseline.status}` +
          (fromServer.status !== 200 ? `: ${JSON.stringify(fromServer.body).slice(0, 300)}` : ''),
      );
      const difference = firstDifference(fromServer.body, fromBaseline.body);
      check(
        size,
        `${scenario.label}: the same body on both`,
        difference === undefined,
        difference ?? `${fromServer.bytes} bytes`,
      );
      const body = fromServer.body as { customers?: unknown[]; total_items?: number; total_customers?: number };
      const items = Array.isArray(fromServer.body) ? fromServer.body.length : body.customers?.length;
      if (items !== undefined) {
        const totalItems = body.total_items ?? body.total_customers;
        selectivity.push({ size, scenario: scenario.label, items, totalItems, bytes: fromServer.bytes });
      }
      // The server's answer is right, not only the same as the baseline's.
      if (name === 'dashboard') check(size, 'dashboard: total_items = live customers', body.total_items === live);
      if (name === 'status') {
        check(size, `status filter: total_items = live customers in ${settings.status}`, body.total_items === inStatus);
      }
      if (name === 'report') {
        const window = reportWindows.get(size) as ReportWindow;
        const inWindow = await countInWindow(db, window);
        check(
          size,
          `report ${window.from}..${window.to}: every customer of the window, unpaged`,
          body.total_customers === inWindow && items === inWindow,
          `${items} listed, total_customers ${body.total_customers}, ${inWindow} in the window`,
        );
      }
      if (name === 'search') {
        const { rows: found } = await db.query<{ n: string }>(
          `select count(*) as n from customer where archived_at is null and strpos(lower(full_name || ' ' ||
             phone_number || ' ' || coalesce(username, '') || ' ' || platform || ' ' || coalesce(assistant_name, '')
             || ' ' || status), lower($1)) > 0`,
          [settings.search],
        );
        check(
          size,
          `search: total_items = live customers matching ${JSON.stringify(settings.search)}`,
          body.total_items === Number(found[0]?.n),
          `${body.total_items} of ${live}`,
        );
      }
    }
  } finally {
    await db.end();
  }
  if (checks.some((c) => c.size === size && !c.ok)) {
    throw new Error('The baseline does not match the server; nothing measured');
  }
}

const ours = () => [process.pid, ...children.map((c) => c.process.pid ?? 0)];

/** A closed loop on `target` at the throughput phase's connections, for `seconds` (a warm-up, or a round). */
const closedLoop = (target: Child, scenario: { path: string }, headers: Record<string, string>, seconds: number) =>
  saturate({
    url: target.url,
    method: 'GET',
    path: scenario.path,
    connections: settings.connections,
    seconds,
    headers,
  });

/** One size: the checks, then per scenario a warm-up and the throughput rounds. */
async function runSize(size: number, scenarios: ScenarioName[]): Promise<void> {
  log(`\n== ${size.toLocaleString('en-US')} customers`);
  const url = await prepareDatabase(size);
  if (scenarios.includes('report')) {
    const window = await reportWindow(url, settings.reportCustomers);
    reportWindows.set(size, window);
    log(`  report window ${window.from}..${window.to}: ${window.customers.toLocaleString('en-US')} customers`);
  }
  const { server, baseline, headers } = await startTargets(size, scenarios, true);
  const both = [baseline, server];
  const { connections, durationSeconds: seconds } = settings;
  log(
    `Per scenario: warm-up ${settings.warmupSeconds} s each; ` +
      `throughput in ${settings.rounds} × ${seconds} s each at ${connections} connections`,
  );
  for (const name of scenarios) {
    const scenario = { label: SCENARIOS[name].label, path: pathOf(name, size) };
    for (const target of both) await closedLoop(target, scenario, headers, settings.warmupSeconds);
    const result = await compare(both, settings.rounds, (target) =>
      measure(scenario.label, target, ours, () => closedLoop(target, scenario, headers, seconds), log),
    );
    for (const entry of result.values()) measured.push({ ...entry, size, kind: 'throughput' });
    if (name === 'report' && settings.reportRate > 0) {
      // One request at a time, nearly: how long the answer takes, and what it costs in memory, without a queue.
      await sleep(1000);
      for (const target of both) {
        const entry = await measure(
          `${scenario.label} @${settings.reportRate}/s`,
          target,
          ours,
          () =>
            probe({
              url: target.url,
              path: scenario.path,
              headers,
              rate: settings.reportRate,
              seconds: settings.reportSeconds,
              // One connection's worth: eight reports at once would be the peak memory measured.
              warmup: 1,
            }),
          log,
        );
        measured.push({ ...entry, size, kind: 'light' });
      }
    }
  }
  // Let the requests autocannon left in flight finish before the server closes its pool.
  await sleep(1000);
  await stopChildren();
}

/** Per scenario and target, the server's (or baseline's) p50 at the large size ÷ at the small one, round by round. */
const latencyRatios: { scenario: string; target: 'server' | 'baseline'; perRound: number[] }[] = [];

/**
 * Latency at a fixed load, the two sizes side by side: the server and the baseline of both sizes run at once, and
 * the probes take turns round by round (the order reversed every other round), so that a drift of the machine during
 * the run moves both sizes alike. The p50 of a target is the median of its rounds; the ratio is the median of the
 * rounds' ratios.
 */
async function runLatency(small: number, large: number, scenarios: ScenarioName[]): Promise<void> {
  log(
    `\n== latency at a fixed rate per route (open loop), ${small.toLocaleString('en-US')} and ` +
      `${large.toLocaleString('en-US')} customers side by side: ${settings.probeRounds} rounds of ` +
      `${settings.probeSeconds} s per target`,
  );
  const sides = [await startTargets(small, scenarios, false), await startTargets(large, scenarios, false)];
  // The report is not compared across sizes: its window holds about as many customers at every size, and its light
  // load is measured per size (runSize).
  for (const name of scenarios.filter((scenario) => scenario !== 'report')) {
    const scenario = SCENARIOS[name];
    const rate = probeRateOf(scenario.label);
    const label = `${scenario.label} @${rate}/s`;
    for (const side of sides) {
      for (const target of [side.baseline, side.server]) {
        await closedLoop(target, scenario, side.headers, settings.warmupSeconds);
      }
    }
    const rounds = new Map<string, Measured[]>();
    for (let round = 0; round < settings.probeRounds; round++) {
      const order = round % 2 === 0 ? sides : [...sides].reverse();
      for (const kind of round % 2 === 0 ? (['server', 'baseline'] as const) : (['baseline', 'server'] as const)) {
        for (const side of order) {
          const target = side[kind];
          const entry = await measure(
            `${label} ${side.size}`,
            target,
            ours,
            () =>
              probe({
                url: target.url,
                path: scenario.path,
                headers: side.headers,
                rate,
                seconds: settings.probeSeconds,
              }),
            log,
          );
          const key = `${side.size} ${kind}`;
          rounds.set(key, [...(rounds.get(key) ?? []), { ...entry, scenario: label }]);
        }
      }
    }
    for (const side of sides) {
      for (const kind of ['baseline', 'server'] as const) {
        measured.push({ ...aggregate(rounds.get(`${side.size} ${kind}`) ?? []), size: side.size, kind: 'probe' });
      }
    }
    for (const kind of ['server', 'baseline'] as const) {
      const of = (size: number) => rounds.get(`${size} ${kind}`) ?? [];
      latencyRatios.push({
        scenario: scenario.label,
        target: kind,
        perRound: of(large).map((m, i) => m.load.latencyMs.p50 / (of(small)[i]?.load.latencyMs.p50 ?? Number.NaN)),
      });
    }
  }
  // The last phase was a probe, which waits for all its requests: nothing is in flight.
  await stopChildren();
}

/** Requests per second, with a decimal below 100/s (the report serves a few per second). */
const perSecond = (value: number) => fixed(value, value < 100 ? 1 : 0);

/** The process's resident memory at the start of a phase and its peak during it (`–` where /proc cannot say). */
function rssColumn(m: Measured): string {
  const { rssStartMb, rssPeakMb } = m.process ?? {};
  return rssStartMb === undefined || rssPeakMb === undefined ? '–' : `${fixed(rssStartMb)} → ${fixed(rssPeakMb)}`;
}

async function main(): Promise<number> {
  const startedAt = new Date();
  log(`CIMS CRM benchmark — ${startedAt.toISOString()}`);
  log(`  settings: ${JSON.stringify({ ...settings, adminUrl: undefined })}`);
  if (experimentNote) {
    log(`  ${experimentNote}`);
    mkdirSync(profileDir as string, { recursive: true });
  }
  const busyBefore = await machineBusy(2000);
  if (busyBefore !== undefined) {
    log(`  machine busy before the run: ${fixed(100 * busyBefore)}% of ${os.cpus().length} cores`);
    if (busyBefore > 0.15) log('  WARNING: the machine is not idle; expect noisy numbers');
  }
  let postgresVersion: string | undefined;
  {
    const admin = new pg.Client({ connectionString: settings.adminUrl });
    await admin.connect();
    postgresVersion = (await admin.query<{ server_version: string }>('show server_version')).rows[0]?.server_version;
    await admin.end();
  }

  // The statements the baseline copied must still be the server's: otherwise the ratio compares different work.
  const stale = staleCopies(path.join(HERE, '..', '..'));
  checks.push({
    size: 0,
    name: `the baseline's ${COPIED_SQL.length} copied statements appear verbatim in the server's source`,
    ok: stale.length === 0,
    detail: stale.join('; ') || undefined,
  });
  log(`  ${stale.length === 0 ? 'ok  ' : 'FAIL'} ${checks.at(-1)?.name}${stale.length ? `: ${stale.join('; ')}` : ''}`);

  let failure: unknown =
    stale.length > 0 ? new Error("The server's SQL changed; update bench/src/lib/crm-sql.ts") : undefined;
  for (const size of failure ? [] : settings.sizes) {
    try {
      await runSize(size, scenarioNames);
    } catch (error) {
      failure = error;
      log(String(error instanceof Error ? (error.stack ?? error.message) : error));
      await stopChildren();
      break;
    }
  }
  const ordered = [...settings.sizes].sort((a, b) => a - b);
  if (!failure && settings.probeRate > 0 && ordered.length > 1 && scenarioNames.some((name) => name !== 'report')) {
    try {
      await runLatency(ordered[0] as number, ordered.at(-1) as number, scenarioNames);
    } catch (error) {
      failure = error;
      log(String(error instanceof Error ? (error.stack ?? error.message) : error));
      await stopChildren();
    }
  }

  // ---------------------------------------------------------------------------------- report
  const find = (size: number, scenario: string, target: string, kind: SizeMeasured['kind']) =>
    measured.find((m) => m.size === size && m.scenario === scenario && m.target === target && m.kind === kind);
  const throughput = measured.filter((m) => m.kind === 'throughput');
  const probes = measured.filter((m) => m.kind === 'probe');
  const output: string[] = [
    '',
    `CIMS CRM benchmark, ${startedAt.toISOString()}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ` +
      `Node ${process.version}, PostgreSQL ${postgresVersion}`,
    ...(experimentNote ? [experimentNote] : []),
    '',
  ];
  if (throughput.length > 0) {
    output.push(
      `Closed loop, ${settings.connections} connections, ${settings.rounds} × ${settings.durationSeconds} s per target:`,
      table(
        [
          'customers',
          'scenario · target',
          '2xx/s',
          'failed',
          'p50 ms',
          'p90 ms',
          'p99 ms',
          'CPU ms/req',
          'loop p99 ms',
          'RSS MB → peak',
          'other load',
        ],
        throughput.map((m) => [
          m.size.toLocaleString('en-US'),
          `${m.scenario} · ${m.target}`,
          perSecond(m.load.okPerSecond),
          String(m.load.non2xx + m.load.errors),
          fixed(m.load.latencyMs.p50, 1),
          fixed(m.load.latencyMs.p90, 1),
          fixed(m.load.latencyMs.p99, 1),
          fixed(cpuPerRequest(m), 3),
          fixed(m.process?.eventLoopDelayP99Ms ?? Number.NaN, 1),
          rssColumn(m),
          fixed(m.otherLoadCores ?? Number.NaN, 2),
        ]),
      ),
      '',
    );
  }
  const light = measured.filter((m) => m.kind === 'light');
  if (light.length > 0) {
    output.push(
      `The report at a light load, open loop at ${settings.reportRate} requests/s for ${settings.reportSeconds} s ` +
        'per target (every sample kept):',
      table(
        [
          'customers',
          'scenario · target',
          'p50 ms',
          'p90 ms',
          'p99 ms',
          'max ms',
          'CPU ms/req',
          'RSS MB → peak',
          'failed',
        ],
        light.map((m) => [
          m.size.toLocaleString('en-US'),
          `${m.scenario.replace(/ @[\d.]+\/s$/, '')} · ${m.target}`,
          fixed(m.load.latencyMs.p50, 1),
          fixed(m.load.latencyMs.p90, 1),
          fixed(m.load.latencyMs.p99, 1),
          fixed(m.load.latencyMs.max, 1),
          fixed(cpuPerRequest(m), 3),
          rssColumn(m),
          String(m.load.non2xx + m.load.errors),
        ]),
      ),
      '',
    );
  }
  if (probes.length > 0) {
    output.push(
      `Fixed load, open loop at each route's rate (BENCH_CRM_PROBE_RATE, or ${TARGETS.autoProbeShare * 100}% of its ` +
        `lowest closed-loop throughput, at most ${settings.probeRate}/s), both sizes side by side, ` +
        `${settings.probeRounds} rounds of ${settings.probeSeconds} s per target (percentiles: the rounds' median):`,
      table(
        ['customers', 'scenario · target', 'p50 ms', 'p90 ms', 'p99 ms', 'failed'],
        probes.map((m) => [
          m.size.toLocaleString('en-US'),
          `${m.scenario} · ${m.target}`,
          fixed(m.load.latencyMs.p50, 1),
          fixed(m.load.latencyMs.p90, 1),
          fixed(m.load.latencyMs.p99, 1),
          String(m.load.non2xx + m.load.errors),
        ]),
      ),
      '',
    );
  }
  const verdicts: { name: string; value: number; target: string; met: boolean }[] = [];
  const labels = scenarioNames.map((name) => SCENARIOS[name].label);
  const width = Math.max(...labels.map((label) => label.length)) + 2;
  for (const size of settings.sizes) {
    for (const label of labels) {
      const s = find(size, label, 'server', 'throughput');
      const b = find(size, label, 'baseline', 'throughput');
      if (!s || !b) continue;
      // A baseline that completed nothing (a phase shorter than one answer) gives no ratio, never a met target.
      const value = b.load.okPerSecond > 0 ? s.load.okPerSecond / b.load.okPerSecond : Number.NaN;
      const perRound = (s.rounds ?? []).map(
        (round, i) => round.load.okPerSecond / (b.rounds?.[i]?.load.okPerSecond ?? 0),
      );
      verdicts.push({
        name: `${label} server ÷ baseline at ${size}`,
        value,
        target: `≥ ${TARGETS.ratio}×`,
        met: value >= TARGETS.ratio,
      });
      output.push(
        `${size.toLocaleString('en-US').padStart(9)}  ${label.padEnd(width)} server ÷ baseline req/s  ` +
          `${perSecond(s.load.okPerSecond)} / ${perSecond(b.load.okPerSecond)} = ${fixed(value, 2)}×` +
          `  (target ≥ ${TARGETS.ratio}×)  ${value >= TARGETS.ratio ? 'met' : 'MISSED'}` +
          (perRound.length > 1 ? `   rounds: ${perRound.map((r) => fixed(r, 2)).join(', ')}` : ''),
      );
    }
  }
  const sizes = [...new Set(throughput.map((m) => m.size))].sort((a, b) => a - b);
  if (sizes.length > 1) {
    const small = sizes[0] as number;
    const large = sizes.at(-1) as number;
    const judged = small === TARGETS.p50From && large === TARGETS.p50To;
    output.push('');
    for (const label of labels) {
      for (const kind of ['probe', 'throughput'] as const) {
        const rate = probeRates.get(label) ?? settings.probeRate;
        const name = kind === 'probe' ? `${label} @${rate}/s` : label;
        const a = find(small, name, 'server', kind);
        const b = find(large, name, 'server', kind);
        const ba = find(small, name, 'baseline', kind);
        const bb = find(large, name, 'baseline', kind);
        if (!a || !b) continue;
        // At the fixed load, the median of the rounds' ratios (the sizes ran side by side); saturated, the p50s'.
        const rounds = (target: 'server' | 'baseline') =>
          latencyRatios.find((r) => r.scenario === label && r.target === target)?.perRound ?? [];
        const value = kind === 'probe' ? median(rounds('server')) : b.load.latencyMs.p50 / a.load.latencyMs.p50;
        const baselineValue =
          kind === 'probe'
            ? median(rounds('baseline'))
            : ba && bb
              ? bb.load.latencyMs.p50 / ba.load.latencyMs.p50
              : Number.NaN;
        // Latency is compared at the same offered load, and only while that load leaves the server at least half of
        // its capacity at both sizes: nearer saturation the p50 is the queue, which the throughput target covers.
        const capacity = Math.min(
          ...[small, large].map((size) => find(size, label, 'server', 'throughput')?.load.okPerSecond ?? 0),
        );
        const withinCapacity = rate <= TARGETS.p50LoadShare * capacity;
        let verdict = '';
        if (judged && kind === 'probe') {
          if (withinCapacity) {
            verdicts.push({
              name: `${label} p50 at ${large} ÷ p50 at ${small}, ${rate} requests/s`,
              value,
              target: `≤ ${TARGETS.p50Scaling}×`,
              met: value <= TARGETS.p50Scaling,
            });
            verdict = `  (target ≤ ${TARGETS.p50Scaling}×)  ${value <= TARGETS.p50Scaling ? 'met' : 'MISSED'}`;
          } else {
            verdicts.push({
              name: `${label} p50 at ${large} ÷ p50 at ${small}: not judged, the probe's load is too high`,
              value,
              target: `≤ ${TARGETS.p50Scaling}× at most ${TARGETS.p50LoadShare * 100}% of the throughput`,
              met: false,
            });
            verdict =
              `  NOT JUDGED: ${rate}/s is over ${TARGETS.p50LoadShare * 100}% of the server's ` +
              `throughput (${fixed(capacity)}/s)` +
              (settings.probeRateSet ? '; lower BENCH_CRM_PROBE_RATE' : ', even at the lowest automatic rate');
          }
        }
        output.push(
          kind === 'probe'
            ? `${label.padEnd(width)} server p50 @${rate}/s ${large.toLocaleString('en-US')} ÷ ` +
                `${small.toLocaleString('en-US')}: median of ${rounds('server').length} rounds ` +
                `${fixed(value, 2)}×${verdict}   rounds: ${rounds('server')
                  .map((r) => fixed(r, 2))
                  .join(', ')}   baseline: ${fixed(baselineValue, 2)}×`
            : `${label.padEnd(width)} server p50 ${settings.connections} conn. ` +
                `${large.toLocaleString('en-US')} ÷ ${small.toLocaleString('en-US')}: ` +
                `${fixed(b.load.latencyMs.p50, 1)} / ${fixed(a.load.latencyMs.p50, 1)} ms = ${fixed(value, 2)}×` +
                `   baseline: ${fixed(baselineValue, 2)}×   (saturated: the p50 is connections ÷ throughput)`,
        );
      }
    }
    if (judged && settings.probeRate === 0) {
      output.push('p50 at 1M ÷ p50 at 10k: NOT JUDGED (BENCH_CRM_PROBE_RATE=0)');
      verdicts.push({
        name: 'p50 at 1M ÷ p50 at 10k: not judged (no probe)',
        value: Number.NaN,
        target: `≤ ${TARGETS.p50Scaling}×`,
        met: false,
      });
    }
  }
  if (selectivity.length > 0) {
    output.push(
      '',
      `Answers: ${selectivity
        .map(
          (s) =>
            `${s.size}/${s.scenario}: ${s.items} items${s.totalItems !== undefined ? ` of ${s.totalItems}` : ''}` +
            (s.bytes !== undefined && s.bytes > 1_000_000 ? ` (${fixed(s.bytes / 2 ** 20, 1)} MB)` : ''),
        )
        .join('; ')}`,
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
  if (failure) output.push(`ERROR: the run stopped early: ${failure instanceof Error ? failure.message : failure}`);
  console.log(output.join('\n'));

  const resultsDir = path.join(HERE, '..', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `crm-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
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
          postgres: postgresVersion,
        },
        settings: { ...settings, adminUrl: undefined, scenarios: scenarioNames, paths: SCENARIOS },
        reportWindows: Object.fromEntries(reportWindows),
        experiment: experimentNote ?? null,
        machineBusyBeforeRun: busyBefore ?? null,
        targets: TARGETS,
        seeds,
        selectivity,
        verdicts,
        latencyRatios,
        checks,
        measured,
        error: failure ? String(failure) : null,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`\nResults written to ${path.relative(process.cwd(), file)}`);

  if (flags.drop) {
    const admin = new pg.Client({ connectionString: settings.adminUrl });
    await admin.connect();
    for (const size of settings.sizes) {
      await admin.query(`drop database if exists cims_bench_crm_${size} with (force)`);
    }
    await admin.end();
  }

  const missed = verdicts.filter((v) => !v.met).length;
  if (failure) return 1;
  if (flags.check && (missed > 0 || failedRequests > 0 || failedChecks.length > 0)) return 1;
  return 0;
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (error) {
  console.error(error);
} finally {
  await stopChildren();
}
process.exit(exitCode);
