// Over 500 lines: the seed's value tables, its set-based SQL and its version marker change together.
/**
 * Seeds a PostgreSQL database with N realistic CRM customers for the CRM benchmark (`crm-seed.ts` is its command
 * line, `crm.bench.ts` calls it for each size). See ../../README.md, "The CRM benchmark".
 *
 * - The database is created when missing and migrated by the server's own `openDatabase` + `migrate` (what the server
 *   does at start); the demo accounts are created by the server's own `seedAccounts` (what `CIMS_DEMO_DATA=true`
 *   does on an empty database), plus two more sales managers, through the server's `AuthService.createUser`.
 * - Customers are generated in SQL, set-based: `insert … select … from generate_series` in batches (50,000 rows per
 *   statement by default), each batch in one transaction with its assignments, status-history rows and notes.
 * - Every value is a function of the customer's number (`hashint8`), so the same N gives the same data on every run,
 *   apart from `created_at`, which is spread over the 2 years before the seed.
 * - The counts `customer_status_total` and `customer_daily_count` are kept by the server's `customer_counts*` triggers.
 *   With the statement-level triggers of the current migration that is one grouped upsert per batch, so they stay on
 *   by default. `triggers: 'off'` disables them inside each batch's transaction (so they are never left disabled)
 *   and rebuilds both tables set-based afterwards, with the triggers' definitions, in one transaction: the way to
 *   seed fast with row-level triggers (the first version of the migration). Either way the counts are then checked
 *   against count(*).
 * - A seed stopped halfway leaves no seed marker: the benchmark seeds such a database again, and the seed command
 *   refuses it without `--reset`.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { leadInsights, type PLATFORMS } from '../../../contracts/src/index.js';

/**
 * Bumped whenever the generated data or its physical layout changes (3: the count tables compacted after the load): a
 * database seeded by another version is seeded again.
 */
export const SEED_VERSION = 3;

/**
 * A fingerprint of the server's migrations (their source): a database seeded under other migrations is seeded again,
 * in a new database, since a migration edited in place is not applied again to a database that ran it.
 */
export async function schemaFingerprint(): Promise<string> {
  const hash = createHash('sha256');
  const { MIGRATIONS_DIR } = await import('@cims/server/bench');
  for (const file of readdirSync(MIGRATIONS_DIR)
    .filter((name) => name.endsWith('.ts'))
    .sort()) {
    hash.update(file).update(readFileSync(path.join(MIGRATIONS_DIR, file)));
  }
  return hash.digest('hex').slice(0, 16);
}

export interface SeedOptions {
  /** The database to seed (created when missing). */
  url: string;
  customers: number;
  /** Truncate the CRM tables first (otherwise a database that already holds customers is refused). */
  reset: boolean;
  /** Customers per insert statement. */
  batch?: number;
  /**
   * Drop and create the database first (a database migrated by an earlier version of a migration that was edited in
   * place cannot be migrated again).
   */
  recreate?: boolean;
  /** `on` (default): the counting triggers run; `off`: disabled per batch, the counts rebuilt afterwards. */
  triggers?: 'on' | 'off';
  /** Progress and messages (stderr). */
  log?: (line: string) => void;
  /** Draw a progress bar on stderr (default: when stderr is a terminal, else a line every 10%). */
  progress?: 'bar' | 'lines' | 'none';
}

export interface SeedResult {
  customers: number;
  seconds: { total: number; schema: number; insert: number; counts: number; vacuum: number };
  /** Seconds spent in each table's inserts (and the commits), over all batches. */
  insertSeconds: Record<string, number>;
  rows: Record<string, number>;
}

/** What `comment on table customer` holds after a seed: lets the benchmark reuse a seeded database. */
export interface SeedMarker {
  cimsBenchSeed: { version: number; customers: number; seededAt: string; schema: string };
}

// ------------------------------------------------------------------------------------------------ the data

// biome-ignore format: a word list
const FIRST_NAMES = [
  'Aziz', 'Bekzod', 'Dilshod', 'Jasur', 'Sardor', 'Otabek', 'Sherzod', 'Ulugbek', 'Farrux', 'Javohir', 'Rustam',
  'Timur', 'Akmal', 'Bobur', 'Islom', 'Shoxrux', 'Alisher', 'Nodir', 'Sanjar', 'Eldor', 'Dilnoza', 'Madina', 'Nilufar',
  'Gulnora', 'Malika', 'Sevara', 'Kamola', 'Shahnoza', 'Zarina', 'Feruza', 'Munisa', 'Nigora', 'Yulduz', 'Aziza',
  'Dmitry', 'Sergey', 'Olga', 'Irina', 'Anna', 'Elena', 'Alexey', 'Natalia', 'John', 'Emma', 'David', 'Sarah',
  'Mehmet', 'Ayse', 'Omar', 'Layla',
];
// biome-ignore format: a word list
const LAST_NAMES = [
  'Karimov', 'Rahimov', 'Toshmatov', 'Abdullayev', 'Yusupov', 'Aliyev', 'Ismoilov', 'Qodirov', 'Ergashev', 'Nazarov',
  'Saidov', 'Mirzayev', 'Xolmatov', 'Sultonov', 'Umarov', 'Jurayev', 'Hasanov', 'Rasulov', 'Tursunov', 'Normatov',
  'Karimova', 'Rahimova', 'Yusupova', 'Aliyeva', 'Saidova', 'Nazarova', 'Umarova', 'Ivanov', 'Petrov', 'Smirnov',
  'Kuznetsova', 'Popova', 'Sokolov', 'Smith', 'Johnson', 'Brown', 'Miller', 'Yilmaz', 'Demir', 'Haddad',
];
/** Uzbek mobile operator codes (+998 XX XXX XX XX). */
const UZ_OPERATORS = ['90', '91', '93', '94', '95', '97', '98', '99', '33', '88', '77', '50', '20'];
/** International numbers: an E.164 prefix and how many digits follow it. */
const FOREIGN_PHONES: [string, number][] = [
  ['+79', 9], // Russia, mobile
  ['+7701', 7], // Kazakhstan, mobile
  ['+447', 9], // United Kingdom, mobile
  ['+9715', 8], // United Arab Emirates, mobile
  ['+905', 9], // Turkey, mobile
  ['+1212', 7], // United States, New York
  ['+4917', 8], // Germany, mobile
];
const ASSISTANTS = ['Madina', 'Dilnoza', 'Kamola', 'Shahzoda', 'AI assistant'];

/** A list with each value repeated `weight` times: `list[h % length]` is a weighted pick. */
function weighted<T>(pairs: [T, number][]): T[] {
  return pairs.flatMap(([value, weight]) => Array.from({ length: weight }, () => value));
}

/** Every key of the contract's PLATFORMS, the social ones most often. */
const PLATFORM_WEIGHTS: Record<(typeof PLATFORMS)[number], number> = {
  instagram: 24,
  telegram: 22,
  telegram_bot: 10,
  facebook: 5,
  whatsapp: 6,
  tiktok: 4,
  youtube: 2,
  linkedin: 2,
  website: 9,
  phone_call: 8,
  email: 2,
  referral: 3,
  walk_in: 2,
  other: 1,
};

/** Statuses the seed adds next to the six system ones: two open, one lost, one inactive (customers keep it). */
export const CUSTOMER_STATUSES = [
  { name: 'meeting_scheduled', label: 'Meeting Scheduled', color: '#0EA5E9', category: 'open', active: true },
  { name: 'proposal_sent', label: 'Proposal Sent', color: '#6366F1', category: 'open', active: true },
  { name: 'no_answer', label: 'No Answer', color: '#9CA3AF', category: 'lost', active: true },
  { name: 'old_lead', label: 'Old Lead', color: '#78716C', category: 'open', active: false },
] as const;

/** The share of customers in each status, in percent (the six legacy ones and the seed's own). */
const STATUS_WEIGHTS: [string, number][] = [
  ['contacted', 24],
  ['need_to_call', 20],
  ['project_started', 7],
  ['continuing', 6],
  ['finished', 9],
  ['rejected', 15],
  ['meeting_scheduled', 7],
  ['proposal_sent', 5],
  ['no_answer', 5],
  ['old_lead', 2],
];

/** The customer's own `notes` field (null for most). */
const CUSTOMER_NOTES = [
  'Dental clinic owner, 8 years in business. Wants a booking bot, big budget, urgent.',
  'Small shop, sells clothes on Instagram. Asked for prices.',
  'Fitness club director, 3 years. Needs a website and CRM integration next week.',
  'Restaurant chain, wants delivery app. Budget to be discussed.',
  'Pharmacy network, 15 yil. Срочно нужен сайт.',
  'Online store (marketplace), owner wants automation soon.',
  'Asked about an English course bot. No budget yet.',
];
/** The note rows some customers have (customer_note), by a sales manager. */
const NOTE_ROWS = [
  'Called, no answer. Try again tomorrow.',
  'Sent the commercial proposal by Telegram.',
  'Meeting at their office on Monday 10:00.',
  'The director will decide this week.',
  'Client asked for a discount; large budget if we deliver in 2 months.',
  'Not interested right now, call back in 3 months.',
];

// ------------------------------------------------------------------------------------------------ SQL helpers

/** A pseudo-random, non-negative 31-bit integer that depends only on the row number `i` and the column salt `k`. */
const h = (k: number, i = 'i') => `(hashint8(${i}::bigint * 64 + ${k}) & 2147483647)::bigint`;
/** Uniform in [0, 1). */
const u = (k: number, i = 'i') => `(${h(k, i)} / 2147483648.0)`;
/** `list[h % length]` (SQL arrays are 1-based). */
const pickFrom = (param: string, length: number, k: number, i = 'i') => `${param}[${h(k, i)} % ${length} + 1]`;

const format = (n: number) => n.toLocaleString('en-US');

function progressBar(mode: 'bar' | 'lines' | 'none', total: number, label: string) {
  const started = performance.now();
  let lastDecile = -1;
  return (done: number) => {
    if (mode === 'none') return;
    const share = total === 0 ? 1 : done / total;
    const elapsed = (performance.now() - started) / 1000;
    const eta = share > 0 ? elapsed / share - elapsed : Number.NaN;
    const text =
      `${format(done).padStart(format(total).length)} / ${format(total)} ${label}  ${(100 * share).toFixed(0).padStart(3)}%` +
      `  ${elapsed.toFixed(1)} s${done < total && Number.isFinite(eta) ? `  ETA ${eta.toFixed(0)} s` : ''}`;
    if (mode === 'bar') {
      const width = 30;
      const filled = Math.round(width * share);
      process.stderr.write(`\r  [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}\x1b[K`);
      if (done >= total) process.stderr.write('\n');
    } else {
      const decile = Math.floor(share * 10);
      if (decile !== lastDecile) {
        lastDecile = decile;
        process.stderr.write(`  ${text}\n`);
      }
    }
  };
}

// ------------------------------------------------------------------------------------------------ the database

/** `100000`, `100_000`, `100k` and `1m` are all accepted. */
export function parseCount(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text.replace(/[_,]/g, '').trim());
  if (!match) throw new Error(`Not a number of customers: ${text}`);
  const unit = { '': 1, k: 1_000, m: 1_000_000 }[(match[2] ?? '').toLowerCase()] ?? 1;
  return Math.round(Number(match[1]) * unit);
}

/** The database the benchmark uses for `customers` customers: `cims_bench_crm_<N>` on the BENCH_DATABASE_URL server. */
export function crmDatabaseUrl(customers: number): string {
  const url = new URL(process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres');
  url.pathname = `/cims_bench_crm_${customers}`;
  return url.toString();
}

/**
 * Creates the database of `url` when it does not exist (connecting to the `postgres` database of the same server);
 * with `recreate`, drops it first. Returns whether it was created.
 */
export async function ensureDatabase(url: string, recreate = false): Promise<boolean> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`Unusual database name ${JSON.stringify(name)}`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    if (recreate) await client.query(`drop database if exists ${name} with (force)`);
    const { rows } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (rows.length > 0) return false;
    await client.query(`create database ${name}`);
    return true;
  } finally {
    await client.end();
  }
}

/**
 * Migrates the database with the server's own migrator and creates the demo accounts (the CEO, `sales1`, `sales2`)
 * with the server's own `seedAccounts`, plus `sales3` and `sales4`: what the server does at start on an empty
 * database with `CIMS_DEMO_DATA=true`, so the server started on this database later finds them and seeds nothing.
 */
async function prepareSchemaAndAccounts(url: string, log: (line: string) => void): Promise<void> {
  const { loadConfig, createLogger, migrate, openDatabase, createContext, seedAccounts } = await import(
    '@cims/server/bench'
  );
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cims-crm-seed-'));
  const config = loadConfig({
    NODE_ENV: 'development',
    DATABASE_URL: url,
    CIMS_DATA_DIR: dataDir,
    CIMS_DEMO_DATA: 'true',
    LOG_LEVEL: 'warn',
    // Not used by the seed: only so that no development secret gets written.
    JWT_SECRET: 'cims-crm-seed-unused-secret-0123456789abcdef-0123456789',
    BCRYPT_COST: process.env.BCRYPT_COST,
  });
  const logger = createLogger(config);
  const db = await openDatabase({ kind: 'postgres', url }, logger);
  try {
    const applied = await migrate(db.orm);
    if (applied.length > 0) log(`  migrated: ${applied.join(', ')}`);
    const context = createContext({ config, db, logger });
    const created = await seedAccounts(config, db.orm, context.auth.accounts);
    for (const [n, name] of [
      [3, 'Bobur'],
      [4, 'Malika'],
    ] as const) {
      await context.auth.accounts.createUser({
        email: `sales${n}@cims.local`,
        password: 'sales-demo-password',
        name,
        surname: 'Sales',
        role: 'SalesManager',
        companyCode: 'oddiy',
        pages: ['crm'],
        verified: true,
      });
    }
    if (created.length > 0) log(`  accounts: ${created.map((user) => user.email).join(', ')}, sales3, sales4`);
  } finally {
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The CRM tables a reset empties (the statuses keep their six system rows; the seed's own are deleted). */
const CRM_DATA_TABLES = [
  'customer_note',
  'customer_status_change',
  'sales_manager_assignment',
  'customer',
  'customer_status_total',
  'customer_daily_count',
];

/** Reads the seed marker of a database (undefined when it has none, or no CRM schema yet). */
export async function readSeedMarker(client: pg.ClientBase): Promise<SeedMarker['cimsBenchSeed'] | undefined> {
  const { rows } = await client.query<{ comment: string | null }>(
    `select case when to_regclass('public.customer') is null then null
                 else obj_description(to_regclass('public.customer'), 'pg_class') end as comment`,
  );
  try {
    return (JSON.parse(rows[0]?.comment ?? 'null') as SeedMarker | null)?.cimsBenchSeed;
  } catch {
    return undefined;
  }
}

/** The counting triggers on `customer` (`customer_counts`, or `customer_counts_insert`/`_update`/`_delete`). */
export async function countTriggers(client: pg.ClientBase): Promise<{ name: string; enabled: boolean }[]> {
  const { rows } = await client.query<{ tgname: string; tgenabled: string }>(
    `select tgname, tgenabled from pg_trigger
      where tgrelid = 'customer'::regclass and not tgisinternal and tgname like 'customer\\_counts%' order by tgname`,
  );
  return rows.map((row) => ({ name: row.tgname, enabled: row.tgenabled === 'O' }));
}

async function setTriggers(client: pg.ClientBase, names: string[], enabled: boolean): Promise<void> {
  for (const name of names) {
    await client.query(`alter table customer ${enabled ? 'enable' : 'disable'} trigger ${pg.escapeIdentifier(name)}`);
  }
}

/** The seed marker of the database at `url` (undefined when there is no such database or no marker). */
export async function readSeedMarkerOf(url: string): Promise<SeedMarker['cimsBenchSeed'] | undefined> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    return await readSeedMarker(client);
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Rebuilds `customer_status_total` and `customer_daily_count` from the customers, with the definitions of the
 * counting triggers (per status and archived flag; per business-time-zone day of `created_at`, status and archived
 * flag), and enables the triggers, in one transaction that keeps writers out meanwhile.
 */
export async function rebuildCounts(client: pg.ClientBase): Promise<void> {
  await client.query('begin');
  try {
    // SHARE ROW EXCLUSIVE: readers go on, writers wait; what ENABLE TRIGGER needs anyway.
    await client.query('lock table customer in share row exclusive mode');
    await client.query('delete from customer_status_total');
    await client.query('delete from customer_daily_count');
    await client.query(`insert into customer_status_total (status, archived, n)
      select status, archived_at is not null, count(*) from customer group by 1, 2`);
    await client.query(`insert into customer_daily_count (day, status, archived, n)
      select (c.created_at at time zone s.business_timezone)::date, c.status, c.archived_at is not null, count(*)
        from customer c cross join (select business_timezone from crm_settings where id = 1) s
       group by 1, 2, 3`);
    await setTriggers(
      client,
      (await countTriggers(client)).map((trigger) => trigger.name),
      true,
    );
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  }
}

/**
 * Checks the kept counts against the customers themselves: every (status, archived) total and every (day, status,
 * archived) count equals count(*) over the customers (rows at 0 and missing rows are the same), and the triggers are
 * enabled. Returns the problems found (none: an empty list).
 */
export async function verifyCounts(client: pg.ClientBase): Promise<string[]> {
  const problems: string[] = [];
  const { rows: totals } = await client.query(`
    select coalesce(t.status, c.status) as status, coalesce(t.archived, c.archived) as archived, t.n as kept, c.n as actual
      from (select status, archived, n from customer_status_total where n <> 0) t
      full join (select status, archived_at is not null as archived, count(*) as n from customer group by 1, 2) c
        on c.status = t.status and c.archived = t.archived
     where t.n is distinct from c.n`);
  for (const row of totals) problems.push(`customer_status_total ${JSON.stringify(row)}`);
  const { rows: daily } = await client.query(`
    select count(*) as n from (
      select day, status, archived, n from customer_daily_count where n <> 0
      except all
      select (c.created_at at time zone s.business_timezone)::date, c.status, c.archived_at is not null, count(*)
        from customer c cross join (select business_timezone from crm_settings where id = 1) s group by 1, 2, 3) x`);
  const { rows: dailyOther } = await client.query(`
    select count(*) as n from (
      select (c.created_at at time zone s.business_timezone)::date, c.status, c.archived_at is not null, count(*)
        from customer c cross join (select business_timezone from crm_settings where id = 1) s group by 1, 2, 3
      except all
      select day, status, archived, n from customer_daily_count where n <> 0) x`);
  const dailyMismatches = Number(daily[0]?.n) + Number(dailyOther[0]?.n);
  if (dailyMismatches > 0) problems.push(`customer_daily_count: ${dailyMismatches} rows differ from count(*)`);
  const { rows: sums } = await client.query(`select
      (select count(*) from customer) as customers,
      (select coalesce(sum(n), 0) from customer_status_total) as totals,
      (select coalesce(sum(n), 0) from customer_daily_count) as daily`);
  const sum = sums[0] as { customers: string; totals: string; daily: string };
  if (sum.customers !== sum.totals || sum.customers !== sum.daily) problems.push(`sums ${JSON.stringify(sum)}`);
  const triggers = await countTriggers(client);
  if (triggers.length === 0) problems.push('no customer_counts trigger on customer');
  for (const trigger of triggers) if (!trigger.enabled) problems.push(`the trigger ${trigger.name} is not enabled`);
  return problems;
}

// ------------------------------------------------------------------------------------------------ the seed

export async function seedCrm(options: SeedOptions): Promise<SeedResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const total = options.customers;
  const batch = options.batch ?? 50_000;
  if (!Number.isInteger(total) || total < 0) throw new Error('The number of customers must be a whole number ≥ 0');
  const t0 = performance.now();

  const name = new URL(options.url).pathname.slice(1);
  const schema = await schemaFingerprint();
  if (!options.recreate) {
    const marker = await readSeedMarkerOf(options.url);
    if (marker && marker.schema !== schema) {
      throw new Error(
        `${name} was seeded under other migrations (${marker.schema ?? 'unknown'}, now ${schema}); ` +
          'run with --recreate to drop and create it',
      );
    }
  }
  if (await ensureDatabase(options.url, options.recreate)) log(`  created the database ${name}`);
  await prepareSchemaAndAccounts(options.url, log);
  const tSchema = performance.now();

  const client = new pg.Client({ connectionString: options.url });
  await client.connect();
  try {
    await client.query(`set maintenance_work_mem = '256MB'`);
    // A crash would lose the last batches, never corrupt anything; commits do not wait for the WAL flush.
    await client.query('set synchronous_commit = off');
    const { rows: existing } = await client.query<{ n: string }>('select count(*) as n from customer');
    if (Number(existing[0]?.n) > 0 && !options.reset) {
      throw new Error(
        `The database already holds ${format(Number(existing[0]?.n))} customers; run with --reset to replace them`,
      );
    }
    if (options.reset) {
      await client.query('begin');
      await client.query(`truncate ${CRM_DATA_TABLES.join(', ')} restart identity`);
      await client.query('delete from customer_status where not is_system');
      await client.query('update sales_rotation set last_manager_id = null, updated_at = now() where id = 1');
      await client.query('comment on table customer is null');
      await client.query('commit');
      log(`  reset: emptied ${CRM_DATA_TABLES.join(', ')}; removed the non-system statuses`);
    }

    // The seed's own statuses, after the system ones.
    for (const [index, status] of CUSTOMER_STATUSES.entries()) {
      await client.query(
        `insert into customer_status (name, display_name, description, color, sort_order, category, is_active,
           is_system, created_at, updated_at)
         values ($1, $2, 'Added by the CRM benchmark seed', $3, $4, $5, $6, false, now(), now())
         on conflict (name) do nothing`,
        [status.name, status.label, status.color, 7 + index, status.category, status.active],
      );
    }
    const { rows: users } = await client.query<{ id: number; email: string; role: string }>(
      `select id, email, role from app_user where email like '%@cims.local' and is_active order by id`,
    );
    const managers = users.filter((user) => user.role === 'SalesManager').map((user) => user.id);
    const ceo = users.find((user) => user.role === 'CEO')?.id;
    if (managers.length === 0 || ceo === undefined) throw new Error('The demo CEO and sales managers are missing');

    // Lead insights for every combination of the customer's notes and its note row, as the server computes them.
    const combos: { notes: string | null; note: string | null }[] = [];
    for (const notes of [null, ...CUSTOMER_NOTES])
      for (const note of [null, ...NOTE_ROWS]) combos.push({ notes, note });
    const insights = combos.map((combo) => leadInsights(combo.notes, combo.note ? [combo.note] : []));

    const platforms = weighted(Object.entries(PLATFORM_WEIGHTS) as [string, number][]);
    const statuses = weighted(STATUS_WEIGHTS);
    const customerTypes = weighted<string | null>([
      ['local', 78],
      ['international', 12],
      [null, 10],
    ]);
    // Parameters $3, $4, … of the customer insert, each with its SQL type.
    const params: Record<string, [unknown[], string]> = {
      first: [FIRST_NAMES, 'text[]'],
      last: [LAST_NAMES, 'text[]'],
      platforms: [platforms, 'text[]'],
      statuses: [statuses, 'text[]'],
      customerTypes: [customerTypes, 'text[]'],
      operators: [UZ_OPERATORS, 'text[]'],
      foreignPrefixes: [FOREIGN_PHONES.map(([prefix]) => prefix), 'text[]'],
      foreignDigits: [FOREIGN_PHONES.map(([, digits]) => digits), 'int[]'],
      assistants: [ASSISTANTS, 'text[]'],
      notes: [CUSTOMER_NOTES, 'text[]'],
      aisummary: [insights.map((i) => i.aisummary), 'text[]'],
      importance: [insights.map((i) => i.importance_score), 'int[]'],
      priority: [insights.map((i) => i.priority_score), 'int[]'],
      level: [insights.map((i) => i.priority_level), 'text[]'],
      reason: [insights.map((i) => i.priority_reason), 'text[]'],
      industry: [insights.map((i) => i.industry), 'text[]'],
      age: [insights.map((i) => i.business_age_years), 'int[]'],
      managers: [managers, 'int[]'],
      ceo: [[ceo], 'int[]'],
    };
    const names = Object.keys(params);
    const $ = (name: string) => `($${names.indexOf(name) + 3}::${params[name]?.[1]})`;
    const values = Object.values(params).map(([value]) => value);
    const noteSlots = NOTE_ROWS.length + 1;

    // Which note row a customer has (0: none; 1 in 4 customers has one), which notes (0: none; 1 in 4 has some).
    const noteRowOf = (i: string) =>
      `(case when ${h(20, i)} % 4 = 0 then ${h(21, i)} % ${NOTE_ROWS.length} + 1 else 0 end)`;
    const notesOf = `(case when ${h(10)} % 4 = 0 then ${h(11)} % ${CUSTOMER_NOTES.length} + 1 else 0 end)`;
    /** Assigned (92%) round robin over the managers, by customer number. */
    const managerOf = (i: string, list = $('managers')) =>
      `(case when ${h(30, i)} % 100 < 92 then ${list}[(${i} % ${managers.length}) + 1] end)`;

    const insertCustomers = `
      insert into customer (id, full_name, platform, username, phone_number, status, customer_type, assistant_name,
        chat_url, notes, aisummary, importance_score, priority_score, priority_level, priority_reason, industry,
        business_age_years, recall_time, conversation_language, source, created_by, created_at, updated_at, archived_at)
      select i, first_name || ' ' || last_name, platform, username, phone, status, customer_type, assistant, 
        case platform when 'telegram' then 'https://t.me/' || username
                      when 'instagram' then 'https://instagram.com/' || username
                      when 'whatsapp' then 'https://wa.me/' || substr(phone, 2) end,
        ${$('notes')}[nullif(notes_index, 0)],
        ${$('aisummary')}[combo], ${$('importance')}[combo], ${$('priority')}[combo], ${$('level')}[combo],
        ${$('reason')}[combo], ${$('industry')}[combo], ${$('age')}[combo],
        case when status = 'need_to_call' then created_at + make_interval(hours => (24 + ${h(12)} % (24 * 14))::int) end,
        case when customer_type = 'international' then (array['ru', 'en', 'en'])[${h(13)} % 3 + 1]
             else (array['uz', 'uz', 'uz', 'uz', 'ru', 'ru', 'en'])[${h(13)} % 7 + 1] end,
        source,
        case when source = 'ui' then coalesce(manager, ${$('ceo')}[1]) end,
        created_at,
        coalesce(archived_at, least(now(), created_at + make_interval(secs => ${u(14)} * 30 * 86400))),
        archived_at
      from (
        select *, (notes_index * ${noteSlots} + ${noteRowOf('i')} + 1) as combo,
          case when ${h(15)} % 100 < 6 then created_at + (now() - created_at) * ${u(16)} end as archived_at
        from (
          select i,
            ${pickFrom($('first'), FIRST_NAMES.length, 1)} as first_name,
            ${pickFrom($('last'), LAST_NAMES.length, 2)} as last_name,
            ${pickFrom($('platforms'), platforms.length, 3)} as platform,
            case when ${h(4)} % 10 < 6 then lower(${pickFrom($('first'), FIRST_NAMES.length, 1)}) || '_' || (${h(5)} % 1000) end
              as username,
            ${pickFrom($('statuses'), statuses.length, 6)} as status,
            ${pickFrom($('customerTypes'), customerTypes.length, 7)} as customer_type,
            case when ${pickFrom($('customerTypes'), customerTypes.length, 7)} = 'international'
              then ${pickFrom($('foreignPrefixes'), FOREIGN_PHONES.length, 8)}
                   || lpad((${h(9)} % (10::bigint ^ ${pickFrom($('foreignDigits'), FOREIGN_PHONES.length, 8)})::bigint)::text,
                           ${pickFrom($('foreignDigits'), FOREIGN_PHONES.length, 8)}, '0')
              else '+998' || ${pickFrom($('operators'), UZ_OPERATORS.length, 8)} || lpad((${h(9)} % 10000000)::text, 7, '0')
            end as phone,
            case when ${h(17)} % 100 < 35 then ${pickFrom($('assistants'), ASSISTANTS.length, 18)} end as assistant,
            ${notesOf} as notes_index,
            case when ${h(19)} % 100 < 15 then 'api' else 'ui' end as source,
            ${managerOf('i')} as manager,
            -- Spread over the last 2 years, more of them recently (a growing business).
            now() - make_interval(secs => 730 * 86400 * (1 - sqrt(${u(22)}))) as created_at
          from generate_series($1::int, $2::int) as g(i)
        ) base
      ) enriched`;
    const insertAssignments = `
      insert into sales_manager_assignment (customer_id, sales_manager_id, assigned_by, assigned_at)
      select c.id, ${managerOf('c.id', '($3::int[])')}, null, c.created_at from customer c
       where c.id between $1 and $2 and ${managerOf('c.id', '($3::int[])')} is not null`;
    const insertHistory = `
      insert into customer_status_change (customer_id, from_status, to_status, changed_by, sales_manager_id, changed_at)
      select c.id, null, c.status, c.created_by, a.sales_manager_id, c.created_at
        from customer c left join sales_manager_assignment a on a.customer_id = c.id
       where c.id between $1 and $2`;
    const insertNotes = `
      insert into customer_note (customer_id, note, created_by, created_at, updated_at)
      select c.id, ($3::text[])[${noteRowOf('c.id')}], coalesce(a.sales_manager_id, c.created_by), t, t
        from customer c left join sales_manager_assignment a on a.customer_id = c.id
        cross join lateral (select least(now(), c.created_at + make_interval(hours => (1 + ${h(23, 'c.id')} % 72)::int)) as t) x
       where c.id between $1 and $2 and ${noteRowOf('c.id')} > 0`;

    const triggersOff = options.triggers === 'off';
    const triggers = (await countTriggers(client)).map((trigger) => trigger.name);
    if (triggers.length === 0) throw new Error('No customer_counts trigger on customer: is the database migrated?');
    const { rows: maxRows } = await client.query<{ max: number | null }>('select max(id) as max from customer');
    const offset = Number(maxRows[0]?.max ?? 0);
    log(
      `  inserting ${format(total)} customers in batches of ${format(batch)}` +
        (triggersOff
          ? ` (${triggers.join(', ')} off; counts rebuilt afterwards)`
          : ` (counted by ${triggers.join(', ')})`),
    );
    const progress = progressBar(options.progress ?? (process.stderr.isTTY ? 'bar' : 'lines'), total, 'customers');
    progress(0);
    const tInsert0 = performance.now();
    const insertSeconds: Record<string, number> = {};
    const timed = async (name: string, work: () => Promise<unknown>) => {
      const start = performance.now();
      await work();
      insertSeconds[name] = (insertSeconds[name] ?? 0) + (performance.now() - start) / 1000;
    };
    for (let from = 1; from <= total; from += batch) {
      const to = Math.min(total, from + batch - 1);
      const range = [offset + from, offset + to];
      await client.query('begin');
      try {
        // Off inside each batch's transaction only: whatever stops the seed, the trigger is never left disabled.
        if (triggersOff) await setTriggers(client, triggers, false);
        await timed('customer', () => client.query(insertCustomers, [...range, ...values]));
        await timed('sales_manager_assignment', () => client.query(insertAssignments, [...range, managers]));
        await timed('customer_status_change', () => client.query(insertHistory, range));
        await timed('customer_note', () => client.query(insertNotes, [...range, NOTE_ROWS]));
        if (triggersOff) await setTriggers(client, triggers, true);
        await timed('commit', () => client.query('commit'));
      } catch (error) {
        await client.query('rollback').catch(() => {});
        throw error;
      }
      progress(to);
    }
    await client.query(
      `select setval(pg_get_serial_sequence('customer', 'id'), greatest(1, (select max(id) from customer)))`,
    );
    const tInsert = performance.now();

    if (triggersOff) await rebuildCounts(client);
    const problems = await verifyCounts(client);
    if (problems.length > 0) throw new Error(`The kept counts do not match the customers:\n  ${problems.join('\n  ')}`);
    log(
      `  counts ${triggersOff ? 'rebuilt' : 'kept by the triggers'}: customer_status_total and customer_daily_count ` +
        'match count(*) per status, day and archived flag',
    );
    const tCounts = performance.now();

    log('  vacuum (full for the two count tables) and analyze …');
    // The kept counts were rewritten by every batch (one grouped upsert each), which a real workload never does in
    // minutes: compact them, as autovacuum keeps a table whose rows change a few at a time (they are small: instant).
    await client.query('vacuum full customer_status_total, customer_daily_count');
    await client.query(`vacuum analyze ${CRM_DATA_TABLES.join(', ')}, customer_status, app_user, user_page_permission`);
    const tVacuum = performance.now();

    const marker: SeedMarker = {
      cimsBenchSeed: { version: SEED_VERSION, customers: total, seededAt: new Date().toISOString(), schema },
    };
    await client.query(`comment on table customer is ${pg.escapeLiteral(JSON.stringify(marker))}`);

    const { rows: counts } = await client.query(`select
        (select count(*) from customer) as customers,
        (select count(*) from customer where archived_at is not null) as archived,
        (select count(*) from sales_manager_assignment) as assignments,
        (select count(*) from customer_status_change) as status_changes,
        (select count(*) from customer_note) as notes,
        (select count(*) from customer_daily_count) as daily_count_rows,
        (select pg_total_relation_size('customer')) as customer_bytes`);
    const rows = Object.fromEntries(Object.entries(counts[0] ?? {}).map(([key, value]) => [key, Number(value)]));
    const seconds = (a: number, b: number) => Math.round(b - a) / 1000;
    return {
      customers: total,
      seconds: {
        total: seconds(t0, tVacuum),
        schema: seconds(t0, tSchema),
        insert: seconds(tInsert0, tInsert),
        counts: seconds(tInsert, tCounts),
        vacuum: seconds(tCounts, tVacuum),
      },
      insertSeconds: Object.fromEntries(
        Object.entries(insertSeconds).map(([k, v]) => [k, Math.round(v * 1000) / 1000]),
      ),
      rows,
    };
  } catch (error) {
    // Leave the trigger on whatever happened: a database without it would drift silently.
    await client.query('rollback').catch(() => {});
    await countTriggers(client)
      .then((found) =>
        setTriggers(
          client,
          found.map((trigger) => trigger.name),
          true,
        ),
      )
      .catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
}
