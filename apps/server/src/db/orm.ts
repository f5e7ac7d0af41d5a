import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Options } from '@mikro-orm/core';
import type { Migrator } from '@mikro-orm/migrations';
import { MikroORM, PostgreSqlDriver } from '@mikro-orm/postgresql';
import pg from 'pg';
import type { Logger } from 'pino';
import { activeTracing } from '../tracing.js';
import { entities } from './entities.js';
import { migrationNames } from './migrations/names.js';
import { useAuthPool, useReadPool } from './sql.js';
import { type DatabaseSsl, pgSslOptions } from './ssl.js';

/** Where the database lives. */
export type DatabaseTarget =
  /** A PostgreSQL server. */
  | { kind: 'postgres'; url: string }
  /**
   * The embedded PGlite database: persisted in `dir`, or in memory when `dir` is absent. `loadDataDir` starts it from
   * a dump of another one ({@link Database.dumpDataDir}) instead of an empty database: how the tests clone a migrated
   * template instead of migrating each database (PGlite refuses it for a folder that already holds a database).
   */
  | { kind: 'pglite'; dir?: string; loadDataDir?: Blob };

export type Orm = MikroORM;

const MIGRATIONS_DIR = path.join(import.meta.dirname ?? '.', 'migrations');

function baseOptions(logger?: Logger): Options {
  return {
    entities,
    discovery: { warnWhenNoEntities: false },
    // The migrator and the migrations are loaded only to migrate ({@link loadMigrator}); a start with nothing
    // pending never loads them.
    migrations: {
      path: MIGRATIONS_DIR,
      pathTs: MIGRATIONS_DIR,
      emit: 'ts',
      // One snapshot name, so PGlite (dbName "postgres") and PostgreSQL share the folder: MikroORM names the snapshot
      // after the dbName by default.
      snapshotName: '.snapshot-cims',
      transactional: true,
      allOrNothing: true,
    },
    // The ORM's own logger is quiet; SQL never reaches the logs (values may be secrets).
    debug: false,
    logger: (message) => logger?.debug({ orm: true }, message),
  };
}

/**
 * How a PostgreSQL database is used (the embedded one is a single session with a pool of one). Every wait is bounded, so that a database in trouble answers `503` quickly instead of holding requests and connections.
 */
export interface DatabaseOptions {
  /** Connections of the ORM's pool: transactions and writes. At least 2: a migration takes two at once. */
  poolMax: number;
  /** Connections of the read pool: statements outside transactions (db/sql.ts). */
  readPoolMax: number;
  /** Connections of the authentication pool: the session and page checks and `/auth/me` (db/sql.ts `authReads`). */
  authPoolMax: number;
  /** How long a request waits for a connection of either pool (a free one, or a new one to connect). */
  acquireTimeoutMs: number;
  /** PostgreSQL's `statement_timeout` of every connection (0: none). */
  statementTimeoutMs: number;
  /** PostgreSQL's `lock_timeout` of every connection (0: none). */
  lockTimeoutMs: number;
  /** TLS of every connection of every pool (db/ssl.ts). */
  ssl: DatabaseSsl;
}

/** The defaults of {@link DatabaseOptions}; the configuration (config.ts) documents and overrides them. */
export const DEFAULT_DATABASE_OPTIONS: DatabaseOptions = {
  poolMax: 10,
  readPoolMax: 10,
  authPoolMax: 3,
  acquireTimeoutMs: 5_000,
  statementTimeoutMs: 15_000,
  lockTimeoutMs: 2_000,
  ssl: { mode: 'disable' },
};

/** One connection pool of an open database, for the readiness probe. */
export interface DatabasePool {
  /**
   * Its readiness check: `database` (the ORM's pool: transactions and writes), `database_reads` (the read pool) or
   * `database_auth` (the authentication pool).
   */
  name: string;
  /** Round-trips a connection of this pool. */
  ping(): Promise<void>;
  /** How its connections are used now (for the metrics); undefined while the pool is closed. */
  stats(): PoolStats | undefined;
  /**
   * Calls `observe` with the seconds each request for a connection of this pool waited: until it got one (idle, or
   * newly opened) or gave up (the acquire timeout). On the embedded database this is the wait for its single session.
   */
  observeWaits(observe: (seconds: number) => void): void;
}

/** A connection pool's state at one moment. */
export interface PoolStats {
  /** Connections lent out to a statement or a transaction. */
  inUse: number;
  /** Open connections waiting to be lent. */
  idle: number;
  /** Requests waiting for a connection (to be freed, or opened). */
  waiting: number;
  /** The most connections the pool opens. */
  max: number;
}

/** The part of knex's pool (tarn) that {@link knexPoolStats} and {@link observeKnexWaits} use. */
interface TarnPool {
  max: number;
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  on(event: 'acquireRequest' | 'acquireSuccess' | 'acquireFail', listener: (eventId: number) => void): void;
}

/** Times each acquisition of the ORM's pool from tarn's events, which pair a request with its outcome by an id. */
function observeKnexWaits(orm: Orm, observe: (seconds: number) => void): void {
  const pool = (orm.em.getConnection().getKnex().client as { pool?: TarnPool }).pool;
  if (!pool) return;
  const requested = new Map<number, number>();
  const settled = (eventId: number) => {
    const started = requested.get(eventId);
    if (started === undefined) return;
    requested.delete(eventId);
    observe((performance.now() - started) / 1000);
  };
  pool.on('acquireRequest', (eventId) => requested.set(eventId, performance.now()));
  pool.on('acquireSuccess', settled);
  pool.on('acquireFail', settled);
}

/**
 * Times each checkout of a node-postgres pool, which has no event for a request that waits: its `connect` (which its
 * `query` calls too) is wrapped, in both its forms (callback and promise).
 */
function observePgWaits(pool: pg.Pool, observe: (seconds: number) => void): void {
  type Callback = (error: Error | undefined, client: pg.PoolClient | undefined, done: unknown) => void;
  const connect = pool.connect.bind(pool) as (callback?: Callback) => Promise<pg.PoolClient> | undefined;
  pool.connect = ((callback?: Callback) => {
    const started = performance.now();
    const waited = () => observe((performance.now() - started) / 1000);
    if (callback) {
      return connect((error, client, done) => {
        waited();
        callback(error, client, done);
      });
    }
    return (connect() as Promise<pg.PoolClient>).then(
      (client) => {
        waited();
        return client;
      },
      (error: unknown) => {
        waited();
        throw error;
      },
    );
  }) as typeof pool.connect;
}

/** The state of the ORM's pool (knex's tarn pool); undefined once the ORM is closed. */
function knexPoolStats(orm: Orm): PoolStats | undefined {
  const pool = (orm.em.getConnection().getKnex().client as { pool?: TarnPool }).pool;
  if (!pool) return undefined;
  return { inUse: pool.numUsed(), idle: pool.numFree(), waiting: pool.numPendingAcquires(), max: pool.max };
}

/** The state of a node-postgres pool. */
function pgPoolStats(pool: pg.Pool, max: number): PoolStats {
  return { inUse: pool.totalCount - pool.idleCount, idle: pool.idleCount, waiting: pool.waitingCount, max };
}

/** The ORMs whose connections have a statement or lock timeout (PostgreSQL), which {@link migrate} lifts. */
const timedOrms = new WeakSet<Orm>();

/** An open database: the ORM, and how to close it with everything it holds. */
export interface Database {
  orm: Orm;
  target: DatabaseTarget;
  /** Every connection pool the server uses on this database. */
  pools: DatabasePool[];
  /**
   * The embedded database only: its whole data directory as an uncompressed tarball, which a later
   * {@link openDatabase} takes as `loadDataDir`.
   */
  dumpDataDir?: () => Promise<Blob>;
  close(): Promise<void>;
}

/** Opens the database. Call {@link migrate} before serving traffic. */
export async function openDatabase(
  target: DatabaseTarget,
  logger?: Logger,
  options: DatabaseOptions = DEFAULT_DATABASE_OPTIONS,
): Promise<Database> {
  if (target.kind === 'postgres') {
    const orm = await MikroORM.init({
      ...baseOptions(logger),
      driver: PostgreSqlDriver,
      clientUrl: target.url,
      pool: {
        min: 0,
        max: options.poolMax,
        acquireTimeoutMillis: options.acquireTimeoutMs,
        // A connection that cannot be opened fails within the same bound as waiting for a free one.
        createTimeoutMillis: options.acquireTimeoutMs,
      },
      // Startup parameters of every connection (node-postgres sends them when it connects), so no statement and no
      // lock wait holds a connection longer than this: a locked table costs its own requests a 503, not the pool.
      driverOptions: {
        connection: {
          statement_timeout: options.statementTimeoutMs,
          lock_timeout: options.lockTimeoutMs,
          connectionTimeoutMillis: options.acquireTimeoutMs,
          // The read and auth pools below copy these settings, so every connection gets the same TLS.
          ssl: pgSslOptions(options.ssl, new URL(target.url).hostname),
        },
      },
    } as Options<PostgreSqlDriver>);
    timedOrms.add(orm);
    convertAcquireErrors(orm);
    // Statements outside transactions (most reads) take the shorter way of node-postgres' own pool (db/sql.ts).
    const knex = orm.em.getConnection().getKnex().client as { connectionSettings: pg.PoolConfig };
    const readPool = (max: number) => {
      const pool = new pg.Pool({
        ...knex.connectionSettings,
        max,
        idleTimeoutMillis: 30_000,
        // Bounds both the wait for a free connection and connecting a new one.
        connectionTimeoutMillis: options.acquireTimeoutMs,
      });
      // An idle connection that fails (the server restarted) is dropped and replaced; it must not crash the process.
      pool.on('error', (error) => logger?.warn({ err: error }, 'An idle database connection failed'));
      return pool;
    };
    const reads = readPool(options.readPoolMax);
    useReadPool(orm as never, reads);
    // Authentication has connections of its own, so a request can always be told who it is (db/sql.ts `authReads`).
    const auth = readPool(options.authPoolMax);
    useAuthPool(orm as never, auth);
    return {
      orm,
      target,
      pools: [
        {
          name: 'database',
          ping: () => pingDatabase(orm),
          stats: () => knexPoolStats(orm),
          observeWaits: (observe) => observeKnexWaits(orm, observe),
        },
        {
          name: 'database_reads',
          ping: async () => {
            await reads.query('select 1');
          },
          stats: () => pgPoolStats(reads, options.readPoolMax),
          observeWaits: (observe) => observePgWaits(reads, observe),
        },
        {
          name: 'database_auth',
          ping: async () => {
            await auth.query('select 1');
          },
          stats: () => pgPoolStats(auth, options.authPoolMax),
          observeWaits: (observe) => observePgWaits(auth, observe),
        },
      ],
      close: async () => {
        await orm.close(true);
        await reads.end();
        await auth.end();
      },
    };
  }
  if (target.dir) mkdirSync(target.dir, { recursive: true });
  // Loaded for the embedded database only: a server on PostgreSQL never needs them.
  const [{ PGlite }, { pg_trgm }, { PGliteDriver }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite/contrib/pg_trgm'),
    import('mikro-orm-pglite'),
  ]);
  // One instance for the life of the ORM: a second PGlite on the same folder would corrupt it.
  // pg_trgm backs the CRM search index, as on PostgreSQL.
  // `new PGlite(undefined, options)` ignores the options (and so the extension): pass them alone for memory.
  const pgliteOptions = { extensions: { pg_trgm }, loadDataDir: target.loadDataDir };
  const pglite = target.dir ? new PGlite(target.dir, pgliteOptions) : new PGlite(pgliteOptions);
  // PostgreSQL's statements get their spans from the `pg` instrumentation; the embedded database's from here.
  activeTracing()?.tracePGlite(pglite as never);
  const orm = await MikroORM.init({
    ...baseOptions(logger),
    driver: PGliteDriver as unknown as Options['driver'],
    dbName: 'postgres',
    driverOptions: { connection: { pglite: () => pglite } },
    // PGlite is one session, which mikro-orm-pglite hands to every connection: only a pool of exactly one keeps
    // transactions apart (with more, concurrent transactions interleave and rollbacks leak rows, silently). min 1
    // keeps an in-memory database alive while idle.
    pool: { min: 1, max: 1, acquireTimeoutMillis: 10_000 },
  } as Options<PostgreSqlDriver>);
  convertAcquireErrors(orm);
  return {
    orm,
    target,
    pools: [
      {
        name: 'database',
        ping: () => pingDatabase(orm),
        stats: () => knexPoolStats(orm),
        observeWaits: (observe) => observeKnexWaits(orm, observe),
      },
    ],
    dumpDataDir: () => pglite.dumpDataDir('none'),
    close: async () => {
      await orm.close(true);
      await pglite.close();
    },
  };
}

/**
 * Makes a failure to get a connection of the ORM's pool a MikroORM driver error, as a failed statement already is.
 * MikroORM converts the errors of statements but not those of starting a transaction, where knex takes a connection
 * (and opens one if none is idle): that failure would reach the error handler as a bare socket error (ECONNREFUSED),
 * which it cannot tell from another service's (db/unavailable.ts classifies only the database layer's errors).
 */
function convertAcquireErrors(orm: MikroORM): void {
  const client = orm.em.getConnection().getKnex().client as { acquireConnection(): Promise<unknown> };
  const acquire = client.acquireConnection.bind(client);
  client.acquireConnection = async () => {
    try {
      return await acquire();
    } catch (error) {
      throw orm.em.getDriver().convertException(error as Error);
    }
  };
}

/**
 * The key of the session-level advisory lock that every migration run on PostgreSQL holds ("cimsmigr" in ASCII): a
 * fixed number, so that all the instances and `cims migrate` runs on one database take the same lock.
 */
export const MIGRATION_LOCK_KEY = '7163377024833775474';

/**
 * Applies every pending migration, in one transaction; returns the names applied. A migration may rewrite a large
 * table or wait for readers to finish before it can alter one: the request timeouts do not apply to it.
 *
 * On PostgreSQL the run holds an advisory lock ({@link MIGRATION_LOCK_KEY}) on a connection of its own, so that
 * instances starting at once (and `cims migrate` runs) migrate one after the other: the next one finds nothing
 * pending. The embedded database needs none: one process per data folder holds it (db/data-dir-lock.ts).
 */
export async function migrate(orm: Orm): Promise<string[]> {
  if (!(await hasPendingMigrations(orm))) return [];
  const migrator = await loadMigrator(orm);
  // The embedded database has no timeouts, and its single connection could not serve the migrator's own look-ups
  // beside a transaction opened here.
  if (!timedOrms.has(orm)) return (await migrator.up()).map((m) => m.name);
  const knex = orm.em.getConnection().getKnex().client as { connectionSettings: pg.ClientConfig };
  const lock = new pg.Client(knex.connectionSettings);
  // A connection lost while migrating fails the statement waiting on it; the event must not crash the process.
  lock.on('error', () => {});
  await lock.connect();
  try {
    // The wait for another run's lock is as long as that run takes: no timeout applies on this connection.
    await lock.query("select set_config('statement_timeout', '0', false), set_config('lock_timeout', '0', false)");
    await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const applied = await orm.em.getConnection().transactional(async (transaction) => {
        await transaction.raw('set local statement_timeout = 0');
        await transaction.raw('set local lock_timeout = 0');
        return migrator.up({ transaction });
      });
      return applied.map((m) => m.name);
    } finally {
      // Ending the session below releases it as well, should the connection have failed.
      await lock.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {});
    }
  } finally {
    await lock.end().catch(() => {});
  }
}

/**
 * Whether a migration of this release is not recorded as applied, found with the migrations table alone (without
 * loading the migrator or the migrations): the usual start, on an up-to-date database, stops here. The migrator
 * itself decides what to apply, under the lock.
 */
async function hasPendingMigrations(orm: Orm): Promise<boolean> {
  const connection = orm.em.getConnection();
  const table = orm.config.get('migrations').tableName ?? 'mikro_orm_migrations';
  const [found] = await connection.execute<{ present: boolean }[]>('select to_regclass(?) is not null as present', [
    table,
  ]);
  if (!found?.present) return true;
  const rows = await connection.execute<{ name: string }[]>(
    `select name from ${connection.getPlatform().quoteIdentifier(table)}`,
  );
  const applied = new Set(rows.map((row) => row.name));
  return migrationNames.some((name) => !applied.has(name));
}

/**
 * The ORM's migrator, with this release's migrations (db/migrations/index.ts): loaded on first use, since a start
 * with nothing pending needs neither.
 */
export async function loadMigrator(orm: Orm): Promise<Migrator> {
  const [{ Migrator: MigratorClass }, { migrations }] = await Promise.all([
    import('@mikro-orm/migrations'),
    import('./migrations/index.js'),
  ]);
  if (!orm.config.getExtension('@mikro-orm/migrator')) {
    orm.config.set('migrations', { ...orm.config.get('migrations'), migrationsList: migrations });
    MigratorClass.register(orm);
  }
  return orm.getMigrator() as Migrator;
}

/** Round-trips the database; used by the readiness probe. */
export async function pingDatabase(orm: Orm): Promise<void> {
  await orm.em.getConnection().execute('select 1', [], 'get');
}
