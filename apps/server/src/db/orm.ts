import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import type { Options } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { MikroORM, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { PGliteDriver } from 'mikro-orm-pglite';
import pg from 'pg';
import type { Logger } from 'pino';
import { entities } from './entities.js';
import { migrations } from './migrations/index.js';
import { useReadPool } from './sql.js';

/** Where the database lives. */
export type DatabaseTarget =
  /** A PostgreSQL server. */
  | { kind: 'postgres'; url: string }
  /** The embedded PGlite database: persisted in `dir`, or in memory when `dir` is absent. */
  | { kind: 'pglite'; dir?: string };

export type Orm = MikroORM;

const MIGRATIONS_DIR = path.join(import.meta.dirname ?? '.', 'migrations');

function baseOptions(logger?: Logger): Options {
  return {
    entities,
    discovery: { warnWhenNoEntities: false },
    extensions: [Migrator],
    migrations: {
      migrationsList: migrations,
      path: MIGRATIONS_DIR,
      pathTs: MIGRATIONS_DIR,
      emit: 'ts',
      // One snapshot name, so PGlite (dbName "postgres") and PostgreSQL share the folder (stack.md §2.14).
      snapshotName: '.snapshot-cims',
      transactional: true,
      allOrNothing: true,
    },
    // The ORM's own logger is quiet; SQL never reaches the logs (values may be secrets).
    debug: false,
    logger: (message) => logger?.debug({ orm: true }, message),
  };
}

/** An open database: the ORM, and how to close it with everything it holds. */
export interface Database {
  orm: Orm;
  target: DatabaseTarget;
  close(): Promise<void>;
}

/** Opens the database. Call {@link migrate} before serving traffic. */
export async function openDatabase(target: DatabaseTarget, logger?: Logger): Promise<Database> {
  if (target.kind === 'postgres') {
    const orm = await MikroORM.init({
      ...baseOptions(logger),
      driver: PostgreSqlDriver,
      clientUrl: target.url,
      pool: { min: 0, max: 10 },
    } as Options<PostgreSqlDriver>);
    // Statements outside transactions (most reads) take the shorter way of node-postgres' own pool (db/sql.ts).
    const knex = orm.em.getConnection().getKnex().client as { connectionSettings: pg.PoolConfig };
    const reads = new pg.Pool({
      ...knex.connectionSettings,
      max: 10,
      idleTimeoutMillis: 30_000,
      // As knex's pool: a database that cannot be reached fails the request instead of holding it forever.
      connectionTimeoutMillis: 30_000,
    });
    // An idle connection that fails (the server restarted) is dropped and replaced; it must not crash the process.
    reads.on('error', (error) => logger?.warn({ err: error }, 'An idle database connection failed'));
    useReadPool(orm as never, reads);
    return {
      orm,
      target,
      close: async () => {
        await orm.close(true);
        await reads.end();
      },
    };
  }
  if (target.dir) mkdirSync(target.dir, { recursive: true });
  // One instance for the life of the ORM: a second PGlite on the same folder would corrupt it.
  // pg_trgm backs the CRM search index, as on PostgreSQL.
  // `new PGlite(undefined, options)` ignores the options (and so the extension): pass them alone for memory.
  const options = { extensions: { pg_trgm } };
  const pglite = target.dir ? new PGlite(target.dir, options) : new PGlite(options);
  const orm = await MikroORM.init({
    ...baseOptions(logger),
    driver: PGliteDriver as unknown as Options['driver'],
    dbName: 'postgres',
    driverOptions: { connection: { pglite: () => pglite } },
    // PGlite is one session: a single pooled connection keeps transactions apart (stack.md §5). min 1 keeps an
    // in-memory database alive while idle.
    pool: { min: 1, max: 1, acquireTimeoutMillis: 10_000 },
  } as Options<PostgreSqlDriver>);
  return {
    orm,
    target,
    close: async () => {
      await orm.close(true);
      await pglite.close();
    },
  };
}

/** Applies every pending migration; returns the names applied. */
export async function migrate(orm: Orm): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}

/** Round-trips the database; used by the readiness probe. */
export async function pingDatabase(orm: Orm): Promise<void> {
  await orm.em.getConnection().execute('select 1', [], 'get');
}
