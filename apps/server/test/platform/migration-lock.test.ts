import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../src/db/migrations/index.js';
import { migrationNames } from '../../src/db/migrations/names.js';
import { MIGRATION_LOCK_KEY } from '../../src/db/orm.js';
import { cims } from '../cli.js';
import { createFreshDatabase } from '../fresh-database.js';

const ADMIN_URL = process.env.TEST_DATABASE_URL;

/** The environment of a `cims migrate` run on the database at `url`. */
function cliEnv(url: string): Record<string, string> {
  return { NODE_ENV: 'test', DATABASE_URL: url, LOG_LEVEL: 'warn' };
}

describe('the pending check at start', () => {
  it('knows every migration the migrator runs, in order', () => {
    // A start skips the migrator when the migrations table holds all of these: a name missing here would never run.
    expect(migrationNames).toEqual(migrations.map((m) => m.name));
  });
});

describe.runIf(ADMIN_URL)('migrations on PostgreSQL under the advisory lock', () => {
  it('two `cims migrate` at once on an empty database: both succeed, each migration is applied once', async () => {
    const db = await createFreshDatabase(ADMIN_URL as string, 'cims_test_migration_lock');
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    try {
      // The test holds the migrations' lock first, so both runs must be waiting for it before either may migrate:
      // without the lock, a run would migrate (or fail on the other's tables) and exit while it is still held here.
      await holder.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      const runs = [cims(['migrate'], cliEnv(db.url)), cims(['migrate'], cliEnv(db.url))];
      let exited = false;
      for (const run of runs) {
        void run.then(() => {
          exited = true;
        });
      }
      for (;;) {
        const { rows } = await holder.query(
          `select count(*)::int as n from pg_locks
          where locktype = 'advisory' and not granted
            and database = (select oid from pg_database where datname = current_database())`,
        );
        if (rows[0].n === 2) break;
        if (exited) {
          const outputs = await Promise.all(runs.map((r) => r.then((done) => done.output)));
          throw new Error(`A migrate run ended while another session held the lock:\n${outputs.join('\n')}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      // Nothing was migrated while the lock was held.
      const before = await holder.query("select to_regclass('mikro_orm_migrations') as t");
      expect(before.rows[0].t).toBeNull();
      await holder.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);

      const results = await Promise.all(runs);
      for (const result of results) expect(result.code, result.output).toBe(0);
      const outputs = results.map((r) => r.output.trim()).sort();
      expect(outputs[0]).toBe(`Applied: ${migrations.map((m) => m.name).join(', ')}`);
      expect(outputs[1]).toBe('Database is up to date.');
      const { rows } = await holder.query('select name from mikro_orm_migrations order by name');
      expect(rows.map((r) => r.name)).toEqual(migrations.map((m) => m.name));
    } finally {
      await holder.end();
      await db.drop();
    }
  });
});
