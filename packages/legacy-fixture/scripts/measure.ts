/**
 * Builds one legacy database and prints how long it took, then drops it (unless --keep).
 * Usage: pnpm --filter @cims/legacy-fixture run measure [customers] [--keep]
 */
import { createLegacyDatabase } from '../src/index.js';

const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const customers = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 100_000);
const keep = process.argv.includes('--keep');

const started = performance.now();
const legacy = await createLegacyDatabase(adminUrl, { fernetPassword: 'measure-fernet-password', customers });
const seconds = (performance.now() - started) / 1000;
const { counts } = legacy.facts;
console.log(
  JSON.stringify(
    {
      customers: counts.customer,
      notes: counts.customer_note,
      history: counts.customer_status_change_log,
      assignments: counts.sales_manager_assignment,
      seconds: Number(seconds.toFixed(1)),
      customersPerSecond: Math.round(counts.customer / seconds),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      url: keep ? legacy.url : undefined,
    },
    null,
    2,
  ),
);
if (!keep) await legacy.drop();
