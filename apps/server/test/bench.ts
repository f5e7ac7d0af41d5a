import path from 'node:path';

/**
 * What the benchmarks (`bench/`) use of the server, as `@cims/server/bench`: the server's own start-up, database,
 * seeding and the SQL and views the baselines replay, so a baseline runs the very code it is compared with. Nothing
 * else imports the server's source from outside it.
 */

export { type Config, loadConfig } from '../src/config.js';
export { createContext } from '../src/context.js';
export { migrate, openDatabase } from '../src/db/orm.js';
export { query } from '../src/db/sql.js';
export { createLogger } from '../src/logger.js';
export { AccessTokens } from '../src/modules/auth/access-tokens.js';
export { Passwords } from '../src/modules/auth/passwords.js';
export { seedAccounts } from '../src/modules/auth/seed.js';
export { BusinessTime } from '../src/modules/crm/business-time.js';
export { CUSTOMER_BATCH, customerBatchSql } from '../src/modules/crm/customer-batches.js';
export { CUSTOMER_COLUMNS, CUSTOMER_FROM, type CustomerRow } from '../src/modules/crm/customer-table.js';
export { type CustomerViewContext, toCustomer } from '../src/modules/crm/customer-view.js';
export {
  CUSTOMER_SEARCH,
  countMap,
  countsRecord,
  percentages,
  resolveStatus,
  type StatusInfo,
  searchCondition,
  totalOf,
} from '../src/modules/crm/status-counts.js';
export { startServer } from '../src/runtime.js';
export { createFreshDatabase, type FreshDatabase } from './fresh-database.js';

/** The folder of the server's migrations (their source), which the CRM seed fingerprints. */
export const MIGRATIONS_DIR = path.join(import.meta.dirname, '../src/db/migrations');
