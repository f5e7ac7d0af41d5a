import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { Database } from './db/orm.js';
import { AdminService } from './modules/admin/admin.service.js';
import { AccessTokens } from './modules/auth/access-tokens.js';
import { AuthService } from './modules/auth/auth.service.js';
import { Passwords } from './modules/auth/passwords.js';
import { RateLimiter } from './modules/auth/rate-limit.js';
import { loadAuthKeys } from './modules/auth/secrets.js';
import { type BlobStore, localBlobStore } from './modules/files/blob-store.js';
import { createMailer, type Mailer } from './modules/mail/mailer.js';

/** What every module's routes may use. Built once per app by {@link createApp}. */
export interface AppContext {
  config: Config;
  db: Database;
  logger: Logger;
  mailer: Mailer;
  blobs: BlobStore;
  auth: AuthService;
  admin: AdminService;
  /** Flips to true when shutdown begins, so readiness fails while in-flight requests finish. */
  lifecycle: { draining: boolean; startedAt: number };
}

/** Builds the services every module shares (the app, the CLI and start-up seeding use the same ones). */
export function createContext(config: Config, db: Database, logger: Logger): AppContext {
  const keys = loadAuthKeys(config);
  const mailer = createMailer(config, logger);
  const blobs = localBlobStore(path.join(config.dataDir, 'blobs'));
  const passwords = new Passwords(config.bcryptCost);
  const auth = new AuthService({
    orm: db.orm,
    config,
    logger,
    mailer,
    blobs,
    passwords,
    accessTokens: new AccessTokens(keys.jwt, config.accessTokenMinutes * 60),
    codeKey: keys.codes,
    successorKey: keys.successors,
    limiter: new RateLimiter(config.rateLimit.windowSeconds),
  });
  const admin = new AdminService(db.orm, passwords);
  return { config, db, logger, mailer, blobs, auth, admin, lifecycle: { draining: false, startedAt: Date.now() } };
}
