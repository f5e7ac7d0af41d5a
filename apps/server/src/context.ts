import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { Database } from './db/orm.js';

/** What every module's routes may use. Built once per app by {@link createApp}. */
export interface AppContext {
  config: Config;
  db: Database;
  logger: Logger;
  /** Flips to true when shutdown begins, so readiness fails while in-flight requests finish. */
  lifecycle: { draining: boolean; startedAt: number };
}
