/**
 * Seeds N CRM customers into a PostgreSQL database, for the CRM benchmark (see ../README.md, "The CRM benchmark").
 *
 *   pnpm --filter @cims/bench bench:crm:seed [--customers=100000] [--reset | --recreate] [--batch=50000]
 *                                            [--triggers=on|off] [--database=URL]
 *
 * The database is `cims_bench_crm_<N>` on the server of BENCH_DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres), which is what `bench:crm --sizes=N` uses; `--database` or
 * BENCH_CRM_DATABASE_URL name another one. It is created when missing and migrated by the server's own migrator.
 * --reset empties the CRM tables first; --recreate drops and creates the database (needed when it was migrated by an
 * earlier version of a migration). --triggers=off disables the counting triggers while inserting and rebuilds the
 * counts afterwards.
 */
import { parseArgs } from 'node:util';
import { crmDatabaseUrl, parseCount, seedCrm } from './lib/crm-seeding.js';

const { values: flags } = parseArgs({
  options: {
    customers: { type: 'string', default: '100000' },
    reset: { type: 'boolean', default: false },
    batch: { type: 'string', default: '50000' },
    database: { type: 'string' },
    recreate: { type: 'boolean', default: false },
    triggers: { type: 'string', default: 'on' },
  },
});

const customers = parseCount(String(flags.customers));
if (flags.triggers !== 'on' && flags.triggers !== 'off') throw new Error('--triggers is on or off');
const url = flags.database || process.env.BENCH_CRM_DATABASE_URL || crmDatabaseUrl(customers);
const shown = new URL(url);
shown.password = shown.password ? '***' : '';
process.stderr.write(`CIMS CRM seed: ${customers.toLocaleString('en-US')} customers into ${shown}\n`);
try {
  const result = await seedCrm({
    url,
    customers,
    reset: flags.reset,
    batch: parseCount(String(flags.batch)),
    recreate: flags.recreate,
    triggers: flags.triggers === 'off' ? 'off' : 'on',
  });
  const s = result.seconds;
  process.stderr.write(
    `Seeded in ${s.total.toFixed(1)} s (schema and accounts ${s.schema.toFixed(1)} s, inserts ${s.insert.toFixed(1)} s, ` +
      `counts ${s.counts.toFixed(1)} s, vacuum analyze ${s.vacuum.toFixed(1)} s)\n`,
  );
  console.log(JSON.stringify(result, null, 2));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
