/**
 * The import benchmark: `pnpm cims import-legacy` on a legacy database of 100,000 customers with 300,000 notes and
 * 100,000 status changes (the issue: "in under 2 minutes on a 2-core machine"), into PostgreSQL and into PGlite, each
 * side by side with a baseline that moves the same rows and does nothing else with them (lib/import-baseline.ts). See
 * ../README.md, "The import benchmark".
 *
 *   pnpm --filter @cims/bench bench:import [--customers N] [--targets postgres,pglite] [--rounds N] [--check]
 *
 * It builds one legacy database with `@cims/legacy-fixture` on the BENCH_DATABASE_URL server and drops it at the end
 * (also on failure or Ctrl-C). Every baseline and every import writes into a fresh target: a new database on the same
 * server, or a new temporary data folder. The import runs as the command does (`node --conditions=source --import tsx
 * apps/server/src/cli.ts import-legacy …`, what `pnpm cims` runs); its time is the process's wall time, start-up,
 * migrations and all. With --check the run exits 1 when an import takes the budget (120 s) or longer.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createLegacyDatabase, type LegacyDatabase } from '@cims/legacy-fixture';
import pg from 'pg';
import { parseCount } from './lib/crm-seeding.js';
import { createFreshDatabase } from './lib/database.js';
import { BASELINE_TABLES, copyLegacyRows } from './lib/import-baseline.js';
import { watchInterference } from './lib/interference.js';
import { fixed, table } from './lib/report.js';
import { machineBusy } from './lib/rounds.js';

// ------------------------------------------------------------------------------------------------ settings

const TARGET_KINDS = ['postgres', 'pglite'] as const;
type TargetKind = (typeof TARGET_KINDS)[number];
const TARGET_LABELS: Record<TargetKind, string> = { postgres: 'PostgreSQL', pglite: 'PGlite' };

const { values: flags } = parseArgs({
  options: {
    customers: { type: 'string', default: '100000' },
    targets: { type: 'string', default: TARGET_KINDS.join(',') },
    rounds: { type: 'string', default: '1' },
    check: { type: 'boolean', default: false },
  },
});

const targets = String(flags.targets).split(',') as TargetKind[];
for (const kind of targets) {
  if (!TARGET_KINDS.includes(kind)) throw new Error(`Unknown target ${kind}; known: ${TARGET_KINDS.join(', ')}`);
}
const rounds = Number(flags.rounds);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds must be a whole number of at least 1');

const settings = {
  adminUrl: process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
  customers: parseCount(String(flags.customers)),
  notesPerCustomer: 3,
  historyPerCustomer: 1,
  targets,
  rounds,
  /** The importer's batch (legacy-import/import-legacy.ts), used by the baseline too. */
  batchSize: 2000,
};

/** The issue's budget for the whole import, in seconds of wall time. */
const BUDGET_SECONDS = 120;
const FERNET_PASSWORD = 'cims-bench-legacy-fernet-password';
const SERVER_DIR = path.join(import.meta.dirname, '..', '..', 'apps', 'server');
/** How often the other-load watcher looks at the processes (so the connections closed at the end count as ours). */
const SAMPLE_MS = 250;
/** The legacy tables the baseline moves and the import's report names the same way. */
const MOVED = BASELINE_TABLES;

// ------------------------------------------------------------------------------------------------ clean-up

/** What is still to remove (a database, a folder), newest last; run in reverse at the end, also on failure. */
const cleanups = new Set<() => Promise<void>>();
let running: ChildProcess | undefined;
let interrupted = false;

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

async function cleanUp(): Promise<void> {
  for (const fn of [...cleanups].reverse()) {
    cleanups.delete(fn);
    await fn().catch((error: unknown) => log(`  clean-up failed: ${(error as Error).message}`));
  }
}

/** Registers `fn` as a clean-up; the returned function runs it now (once) and unregisters it. */
function cleanup(fn: () => Promise<void>): () => Promise<void> {
  cleanups.add(fn);
  return async () => {
    if (!cleanups.delete(fn)) return;
    await fn();
  };
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    log('Interrupted: stopping the import and dropping what the run created');
    running?.kill('SIGKILL');
    cleanUp().finally(() => process.exit(130));
  });
}
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});

// ------------------------------------------------------------------------------------------------ the run

/** An empty import target: a data folder, and for PostgreSQL a new database. */
interface FreshTarget {
  kind: TargetKind;
  dataDir: string;
  databaseUrl?: string;
}

/** Runs `fn` on a fresh target of `kind` under `runDir`, then removes the target (also when `fn` throws). */
async function withFreshTarget<T>(
  kind: TargetKind,
  runDir: string,
  name: string,
  fn: (target: FreshTarget) => Promise<T>,
): Promise<T> {
  const dataDir = mkdtempSync(path.join(runDir, `${name}-`));
  const fresh = kind === 'postgres' ? await createFreshDatabase(settings.adminUrl, `cims_bench_import`) : undefined;
  const remove = cleanup(async () => {
    await fresh?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  try {
    return await fn({ kind, dataDir, databaseUrl: fresh?.url });
  } finally {
    await remove();
  }
}

interface Phase {
  seconds: number;
  /** Cores' worth of CPU that OTHER work on the machine used meanwhile (lib/interference.ts). */
  otherLoadCores?: number;
}

interface ImportPhase extends Phase {
  /** The report's own `seconds`: from opening the legacy database to the commit (no start-up, no migrations). */
  reportSeconds: number;
}

interface Measurement {
  target: TargetKind;
  round: number;
  order: 'baseline first' | 'import first';
  baseline?: Phase;
  import?: ImportPhase;
}

/** The baseline into a fresh target; throws unless every legacy row arrived. */
async function runBaseline(kind: TargetKind, legacy: LegacyDatabase, runDir: string): Promise<Phase> {
  return withFreshTarget(kind, runDir, 'baseline', async (target) => {
    const interference = watchInterference([process.pid], { sampleEveryMs: SAMPLE_MS });
    const result = await copyLegacyRows({
      legacyUrl: legacy.url,
      target: target.databaseUrl
        ? { kind: 'postgres', url: target.databaseUrl }
        : { kind: 'pglite', dir: path.join(target.dataDir, 'db') },
      batchSize: settings.batchSize,
    });
    const otherLoadCores = interference();
    for (const name of MOVED) {
      if (result.rows[name] !== legacy.facts.counts[name]) {
        throw new Error(`The baseline moved ${result.rows[name]} ${name} rows of ${legacy.facts.counts[name]}`);
      }
    }
    return { seconds: result.seconds, otherLoadCores };
  });
}

/** The environment of the command: a production server's, with nothing inherited that could point it elsewhere. */
function importEnv(target: FreshTarget): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ']) {
    const value = process.env[name];
    if (value) env[name] = value;
  }
  return {
    ...env,
    NODE_ENV: 'production',
    CIMS_DATA_DIR: target.dataDir,
    ...(target.databaseUrl ? { DATABASE_URL: target.databaseUrl } : {}),
    FERNET_PASSWORD,
    LOG_LEVEL: 'warn',
    // Production asks for these; the import never uses the mail server or signs tokens.
    JWT_SECRET: 'cims-bench-fixed-secret-0123456789abcdef-0123456789',
    SMTP_URL: 'smtp://127.0.0.1:2525',
    CIMS_ENCRYPTION_KEY: 'Y2ltcy1iZW5jaC1maXhlZC1lbmNyeXB0aW9uLWtleSE=',
  };
}

/** `pnpm cims import-legacy` into a fresh target; throws unless it exits 0 with every legacy row imported. */
async function runImport(kind: TargetKind, legacy: LegacyDatabase, runDir: string): Promise<ImportPhase> {
  return withFreshTarget(kind, runDir, 'import', async (target) => {
    const reportFile = path.join(target.dataDir, 'import-report.json');
    const args = ['import-legacy', '--from', legacy.url, '--quiet', '--report', reportFile];
    const started = performance.now();
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/cli.ts', ...args], {
      cwd: SERVER_DIR,
      env: importEnv(target),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running = child;
    // The child's pid is gone when the phase ends: its CPU time comes to this process once it has been waited for.
    const interference = watchInterference([process.pid], { reapedChildren: true, sampleEveryMs: SAMPLE_MS });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += String(chunk);
    });
    child.stderr.on('data', (chunk) => {
      output += String(chunk);
    });
    const exited = once(child, 'exit');
    const closed = once(child, 'close');
    const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null];
    const seconds = (performance.now() - started) / 1000;
    const otherLoadCores = interference();
    await closed;
    running = undefined;
    if (interrupted) throw new Error('Interrupted');
    if (code !== 0) throw new Error(`The import exited with ${code ?? signal}:\n${output.trim()}`);
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as {
      outcome: string;
      seconds: number;
      invalid: unknown[];
      tables: Record<string, { read: number; imported: number }>;
    };
    const wrong = MOVED.filter((name) => report.tables[name]?.imported !== legacy.facts.counts[name]);
    if (report.outcome !== 'committed' || report.invalid.length > 0 || wrong.length > 0) {
      throw new Error(
        `The import did not take every row (outcome ${report.outcome}, ${report.invalid.length} invalid, ` +
          `short: ${wrong.join(', ') || 'none'}):\n${output.trim()}`,
      );
    }
    return { seconds, reportSeconds: report.seconds, otherLoadCores };
  });
}

async function main(): Promise<number> {
  const startedAt = new Date();
  log(`CIMS import benchmark — ${startedAt.toISOString()}`);
  log(`  settings: ${JSON.stringify({ ...settings, adminUrl: undefined })}`);
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
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'cims-bench-import-'));
  cleanup(async () => rmSync(runDir, { recursive: true, force: true }));

  const measurements: Measurement[] = [];
  let legacy: LegacyDatabase | undefined;
  let buildSeconds = Number.NaN;
  let failure: unknown;
  try {
    log(`\nBuilding the legacy database: ${settings.customers.toLocaleString('en-US')} customers…`);
    const buildStarted = performance.now();
    legacy = await createLegacyDatabase(settings.adminUrl, {
      fernetPassword: FERNET_PASSWORD,
      customers: settings.customers,
      notesPerCustomer: settings.notesPerCustomer,
      historyPerCustomer: settings.historyPerCustomer,
      awkward: false,
    });
    cleanup(legacy.drop);
    buildSeconds = (performance.now() - buildStarted) / 1000;
    log(`  ${legacy.name} built in ${fixed(buildSeconds, 1)} s: ${JSON.stringify(legacy.facts.counts)}`);
    // Whoever reads freshly written rows first sets their hint bits (a write per page): done here, so that neither
    // side pays it. It also gives the planner the tables' statistics.
    const client = new pg.Client({ connectionString: legacy.url });
    await client.connect();
    await client.query('vacuum (freeze, analyze)');
    await client.end();

    for (let round = 0; round < settings.rounds; round++) {
      for (const [index, kind] of settings.targets.entries()) {
        // The order alternates between targets and rounds, so a drift of the machine favours neither side.
        const baselineFirst = (round + index) % 2 === 0;
        const entry: Measurement = {
          target: kind,
          round: round + 1,
          order: baselineFirst ? 'baseline first' : 'import first',
        };
        measurements.push(entry);
        log(`\n== ${TARGET_LABELS[kind]}, round ${round + 1} (${entry.order})`);
        for (const side of baselineFirst ? (['baseline', 'import'] as const) : (['import', 'baseline'] as const)) {
          if (side === 'baseline') {
            entry.baseline = await runBaseline(kind, legacy, runDir);
            log(`  baseline  ${fixed(entry.baseline.seconds, 1)} s  other load ${otherLoad(entry.baseline)}`);
          } else {
            entry.import = await runImport(kind, legacy, runDir);
            log(
              `  import    ${fixed(entry.import.seconds, 1)} s (its report: ${fixed(entry.import.reportSeconds, 1)} s)` +
                `  other load ${otherLoad(entry.import)}`,
            );
          }
        }
      }
    }
  } catch (error) {
    failure = error;
    log(String(error instanceof Error ? (error.stack ?? error.message) : error));
  }

  // ---------------------------------------------------------------------------------- report
  const counts = legacy?.facts.counts;
  const rowsMoved = counts ? MOVED.reduce((n, name) => n + counts[name], 0) : Number.NaN;
  const complete = measurements.filter(
    (m): m is Measurement & { baseline: Phase; import: ImportPhase } => !!m.baseline && !!m.import,
  );
  const label = (m: Measurement) =>
    settings.rounds > 1 ? `${TARGET_LABELS[m.target]} #${m.round}` : TARGET_LABELS[m.target];
  const output: string[] = [
    '',
    `CIMS import benchmark, ${startedAt.toISOString()}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ` +
      `Node ${process.version}, PostgreSQL ${postgresVersion}`,
  ];
  if (counts) {
    output.push(
      `Legacy database: ${counts.customer.toLocaleString('en-US')} customers, ` +
        `${counts.customer_note.toLocaleString('en-US')} notes, ` +
        `${counts.customer_status_change_log.toLocaleString('en-US')} status changes, ` +
        `${counts.sales_manager_assignment.toLocaleString('en-US')} assignments (built in ${fixed(buildSeconds, 1)} s)`,
    );
  }
  output.push(
    'rows: what the baseline moves (customers + notes + status changes). import s: the wall time of the process;',
    "report s: the import's own seconds (no start-up, no migrations). other load: cores used by other work, baseline / import.",
    '',
    table(
      ['target', 'rows', 'baseline s', 'import s', 'report s', 'import ÷ baseline', 'budget', 'verdict', 'other load'],
      measurements.map((m) => {
        const ratio = m.import && m.baseline ? m.import.seconds / m.baseline.seconds : Number.NaN;
        return [
          label(m),
          rowsMoved.toLocaleString('en-US'),
          fixed(m.baseline?.seconds ?? Number.NaN, 1),
          fixed(m.import?.seconds ?? Number.NaN, 1),
          fixed(m.import?.reportSeconds ?? Number.NaN, 1),
          Number.isFinite(ratio) ? `${fixed(ratio, 2)}×` : '-',
          `${BUDGET_SECONDS} s`,
          m.import ? (m.import.seconds < BUDGET_SECONDS ? 'met' : 'MISSED') : 'not run',
          `${otherLoad(m.baseline)} / ${otherLoad(m.import)}`,
        ];
      }),
    ),
    '',
  );
  for (const m of complete) {
    output.push(
      `${label(m).padEnd(14)} import ÷ baseline  ${fixed(m.import.seconds, 1)} / ${fixed(m.baseline.seconds, 1)} s = ` +
        `${fixed(m.import.seconds / m.baseline.seconds, 2)}×  (the report's seconds: ` +
        `${fixed(m.import.reportSeconds / m.baseline.seconds, 2)}×)   import ${fixed(m.import.seconds, 1)} s ` +
        `(budget < ${BUDGET_SECONDS} s)  ${m.import.seconds < BUDGET_SECONDS ? 'met' : 'MISSED'}`,
    );
  }
  const noisy = measurements.flatMap((m) => [m.baseline, m.import]).filter((p) => (p?.otherLoadCores ?? 0) > 0.2);
  if (noisy.length > 0) {
    output.push(
      `NOTE: other work used more than 0.2 cores during ${noisy.length} phases ("other load"): those numbers are ` +
        'disturbed; rerun on a quiet machine to compare',
    );
  }
  if (failure) output.push(`ERROR: the run stopped early: ${failure instanceof Error ? failure.message : failure}`);
  console.log(output.join('\n'));

  const resultsDir = path.join(import.meta.dirname, '..', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `import-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
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
        settings: { ...settings, adminUrl: undefined },
        machineBusyBeforeRun: busyBefore ?? null,
        budgetSeconds: BUDGET_SECONDS,
        legacy: counts ? { counts, buildSeconds } : null,
        rowsMoved,
        measurements,
        error: failure ? String(failure) : null,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`\nResults written to ${path.relative(process.cwd(), file)}`);

  if (failure) return 1;
  const missed = complete.filter((m) => m.import.seconds >= BUDGET_SECONDS).length;
  return flags.check && missed > 0 ? 1 : 0;
}

function otherLoad(phase: Phase | undefined): string {
  return fixed(phase?.otherLoadCores ?? Number.NaN, 2);
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (error) {
  console.error(error);
} finally {
  await cleanUp();
}
process.exit(exitCode);
