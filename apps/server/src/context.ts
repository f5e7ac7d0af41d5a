import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { Database } from './db/orm.js';
import type { AuthService } from './modules/auth/auth.service.js';
import type { BlobStore } from './modules/files/blob-store.js';
import type { Mailer } from './modules/mail/mailer.js';

/** What every module's routes may use. Built once per app by {@link createApp}. */
export interface AppContext {
  config: Config;
  db: Database;
  logger: Logger;
  mailer: Mailer;
  blobs: BlobStore;
  auth: AuthService;
  /** Flips to true when shutdown begins, so readiness fails while in-flight requests finish. */
  lifecycle: { draining: boolean; startedAt: number };
}
