import type { Logger } from 'pino';
import type { Config } from './config.js';
import { loadTokenCipher, TokenCipher } from './crypto/token-cipher.js';
import type { Database } from './db/orm.js';
import { Metrics } from './metrics.js';
import { AccessTokens } from './modules/auth/access-tokens.js';
import { type AuthServices, createAuthServices } from './modules/auth/auth-services.js';
import { Passwords } from './modules/auth/passwords.js';
import { RateLimiter } from './modules/auth/rate-limit.js';
import { loadAuthKeys } from './modules/auth/secrets.js';
import { PermissionService } from './modules/ceo/permissions.service.js';
import { UserAdminService } from './modules/ceo/users.service.js';
import { AudioService } from './modules/crm/audio.js';
import { BusinessTime } from './modules/crm/business-time.js';
import { CrmStatsService } from './modules/crm/crm-stats.service.js';
import { CustomerService } from './modules/crm/customers.service.js';
import { NoteService } from './modules/crm/notes.service.js';
import { PeriodReportService } from './modules/crm/period-report.service.js';
import { SalesManagerService } from './modules/crm/sales-managers.service.js';
import { StatusService } from './modules/crm/statuses.service.js';
import type { BlobStore } from './modules/files/blob-store.js';
import { createBlobStore } from './modules/files/create-blob-store.js';
import { createGraphClient } from './modules/instagram/graph-client.js';
import { createInstagramServices, type InstagramServices } from './modules/instagram/instagram-services.js';
import { createMailer, type Mailer } from './modules/mail/mailer.js';
import { PageService } from './modules/management/pages.service.js';
import { RoleService } from './modules/management/roles.service.js';
import { Scheduler, type SchedulerClock, SYSTEM_CLOCK } from './modules/scheduler/scheduler.js';

/** What every module's routes may use. Built once per app by {@link createApp}. */
export interface AppContext {
  config: Config;
  db: Database;
  logger: Logger;
  mailer: Mailer;
  blobs: BlobStore;
  /** Accounts, sessions and tokens, one service per topic (`modules/auth/auth-services.ts`). */
  auth: AuthServices;
  /** `/ceo/*`: the CEO's user administration and page permissions. */
  ceo: { users: UserAdminService; permissions: PermissionService };
  /** `/management/*` besides the statuses (the CRM's): pages and roles. */
  management: { pages: PageService; roles: RoleService };
  /** Calendar arithmetic and timestamp offsets in the business time zone (`BUSINESS_TIMEZONE`), for the CRM. */
  time: BusinessTime;
  /** Customers with their statuses, notes and recordings: the CRM's write side (customers.service.ts). */
  customers: CustomerService;
  /** The CRM's read side: dashboard, statistics, lists, `/sales/*`. */
  crmStats: CrmStatsService;
  /** The period report: a page of it, or every customer of the period, streamed. */
  periodReports: PeriodReportService;
  /** Sales managers: their customers and statistics, assignment, conversion, activity. */
  salesManagers: SalesManagerService;
  /** Instagram follower growth: the connected account, its snapshots, the Graph API calls. */
  instagram: InstagramServices;
  /**
   * Runs the scheduled jobs (the Instagram sync and token renewal), once per tick across every instance on the
   * database. Built here, started by the runtime when `INSTAGRAM_SCHEDULER` is on.
   */
  scheduler: Scheduler;
  /**
   * The Prometheus metrics of this app (a registry of its own). Served at `/metrics` only when `METRICS_TOKEN` is set,
   * and only then are requests and waits for a database connection timed; the rare events (refreshes, failed sign-ins,
   * jobs, Graph calls) always count.
   */
  metrics: Metrics;
  /** Flips to true when shutdown begins, so readiness fails while in-flight requests finish. */
  lifecycle: { draining: boolean; startedAt: number };
}

/** What {@link createContext} builds the services from. */
export interface ContextOptions {
  config: Config;
  db: Database;
  logger: Logger;
  /**
   * The clock the scheduled jobs tick by and the business day is read from. Tests pass one they move themselves.
   * @default {@link SYSTEM_CLOCK}
   */
  clock?: SchedulerClock;
}

/** Builds the services every module shares (the app, the CLI and start-up seeding use the same ones). */
export function createContext({ config, db, logger, clock = SYSTEM_CLOCK }: ContextOptions): AppContext {
  const keys = loadAuthKeys(config);
  const metrics = new Metrics();
  // Timing every wait for a connection costs each statement a little: only where someone can read it.
  if (config.metricsToken) metrics.watchPools(db.pools);
  const mailer = createMailer(config, logger);
  const blobs = createBlobStore(config);
  const passwords = new Passwords(config.bcryptCost);
  const auth = createAuthServices({
    orm: db.orm,
    config,
    logger,
    mailer,
    blobs,
    passwords,
    accessTokens: new AccessTokens(keys.jwt, config.accessTokenMinutes * 60),
    codeKey: keys.codes,
    successors: new TokenCipher(keys.successors),
    limiter: new RateLimiter(config.rateLimit.windowSeconds, (rule) => metrics.rateLimited.inc({ rule })),
    metrics,
  });
  const crmTime = new BusinessTime(config.crm.timeZone, () => new Date(clock.now()));
  const customers = new CustomerService({
    orm: db.orm,
    config,
    logger,
    time: crmTime,
    blobs,
    statuses: new StatusService(db.orm, crmTime),
    notes: new NoteService(db.orm, crmTime),
    audio: new AudioService({
      orm: db.orm,
      blobs,
      key: keys.audioUrls,
      ttlSeconds: config.crm.audioUrlTtlSeconds,
      publicBase: config.publicApiUrl,
    }),
  });
  // `customers.view` renders timestamps in the business zone and recordings as signed `audio_url`s.
  const crmStats = new CrmStatsService(db.orm, customers.view);
  const periodReports = new PeriodReportService(db.orm, customers.view);
  const salesManagers = new SalesManagerService(db.orm, crmTime);
  const scheduler = new Scheduler({
    orm: db.orm,
    logger,
    timeZone: config.crm.timeZone,
    onRun: (job, outcome) => metrics.schedulerRuns.inc({ job, outcome }),
    clock,
  });
  const instagram = createInstagramServices({
    orm: db.orm,
    logger,
    time: crmTime,
    graph: createGraphClient(config, logger, (outcome) => metrics.graphCalls.inc({ outcome })),
    cipher: loadTokenCipher(config),
    scheduler,
    schedule: config.instagram,
  });
  for (const job of instagram.jobs.jobs()) scheduler.add(job);
  return {
    config,
    db,
    logger,
    mailer,
    blobs,
    auth,
    ceo: { users: new UserAdminService(db.orm, passwords), permissions: new PermissionService(db.orm) },
    management: { pages: new PageService(db.orm), roles: new RoleService(db.orm) },
    time: crmTime,
    customers,
    crmStats,
    periodReports,
    salesManagers,
    instagram,
    scheduler,
    metrics,
    lifecycle: { draining: false, startedAt: Date.now() },
  };
}
