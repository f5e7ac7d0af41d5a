import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { type App, createApp } from './app.js';
import type { Config } from './config.js';
import { lockDataDir } from './db/data-dir-lock.js';
import { type Database, type DatabaseTarget, migrate, openDatabase } from './db/orm.js';
import { seedAccounts } from './modules/auth/seed.js';
import { applyBusinessTimeZone } from './modules/crm/crm-settings.js';
import { seedDemoCustomers } from './modules/crm/demo-customers.js';
import { BlobStoreError } from './modules/files/blob-store.js';
import type { ServerModule } from './modules/index.js';
import type { SchedulerClock } from './modules/scheduler/scheduler.js';
import { startTracing, type Tracing, type TracingOptions } from './tracing.js';
import { SERVER_VERSION } from './version.js';

/** How often expired sessions, codes and rate-limit windows are deleted. */
const HOUSEKEEPING_INTERVAL_MS = 60 * 60 * 1000;

/** The database a configuration points at. */
export function databaseTarget(config: Pick<Config, 'databaseUrl' | 'dataDir'>): DatabaseTarget {
  return config.databaseUrl
    ? { kind: 'postgres', url: config.databaseUrl }
    : { kind: 'pglite', dir: `${config.dataDir}/db` };
}

/** How long the file store may take to answer at start. */
const BLOB_STORE_START_CHECK_MS = 10_000;

/**
 * Checks the file store before serving: a bucket that does not exist or refuses the credentials is a configuration
 * error and stops the start (a {@link BlobStoreError}); a store that does not answer yet only warns, since it may come
 * back, and readiness (`/readyz`) reports it meanwhile.
 */
async function checkBlobStore(app: App, logger: Logger): Promise<void> {
  const { blobs } = app.context;
  try {
    await blobs.check(AbortSignal.timeout(BLOB_STORE_START_CHECK_MS));
  } catch (error) {
    if (error instanceof BlobStoreError && !error.permanent) {
      logger.warn(
        { err: error, store: blobs.kind },
        'The file store is unavailable; /readyz answers 503 until it is back',
      );
      return;
    }
    blobs.close?.();
    throw error;
  }
}

/** A started server: where it listens and how to stop it. */
export interface RunningServer {
  app: App;
  http: Server;
  url: string;
  /** The demo logins created at this start (an empty database with demo data on), to print. */
  demoUsers: { email: string; password: string; role: string }[];
  /**
   * Fails readiness for the drain delay (`SHUTDOWN_DRAIN_MS`) while still serving, then stops accepting, lets in-flight
   * requests finish (up to the shutdown timeout) and closes the database.
   */
  stop(): Promise<void>;
  /**
   * Ends the drain delay of a {@link stop} in progress now instead of when `SHUTDOWN_DRAIN_MS` has passed (a second
   * SIGINT/SIGTERM, or a test that has seen what it waited for); in-flight requests still finish. Whether a drain
   * delay was running: nothing happens before a stop, nor once the delay is over.
   */
  endDrain(): boolean;
}

/**
 * Opens the database (taking the data folder's lock for the embedded one), migrates, builds the app and listens.
 * Everything `server.ts` does except reading the environment and handling signals.
 */
export async function startServer(
  config: Config,
  logger: Logger,
  options: {
    target?: DatabaseTarget;
    modules?: ServerModule[];
    /** Where the spans go when tracing is on, instead of the OTLP endpoint (tests). */
    spanExporter?: TracingOptions['exporter'];
    /** The clock of the scheduled jobs and the business day (tests move one themselves). @default the system clock */
    clock?: SchedulerClock;
  } = {},
): Promise<RunningServer> {
  const target = options.target ?? databaseTarget(config);
  if (config.trustProxy === true) {
    logger.warn(
      'TRUST_PROXY=true: client addresses come from the leftmost X-Forwarded-For entry, which a client can write; ' +
        'per-IP rate limits and session addresses trust it unless every request passes a proxy that overwrites it. ' +
        'Prefer the number of proxies in front (TRUST_PROXY=1) or their addresses',
    );
  }
  const release =
    target.kind === 'pglite' && target.dir
      ? await lockDataDir(config.dataDir, { heartbeatMs: config.lockHeartbeatMs, logger })
      : () => {};
  let db: Database | undefined;
  let tracing: Tracing | undefined;
  try {
    // Before the database opens: the `pg` instrumentation patches the driver when the ORM next requires it.
    if (config.tracing) {
      tracing = await startTracing({
        serviceName: config.tracing.serviceName,
        serviceVersion: SERVER_VERSION,
        logger,
        exporter: options.spanExporter,
      });
    }
    db = await openDatabase(target, logger, config.database);
    if (config.migrateOnStart) {
      const applied = await migrate(db.orm);
      if (applied.length > 0) logger.info({ migrations: applied }, 'Applied migrations');
    }
    const app = createApp({ config, db, logger, modules: options.modules, clock: options.clock });
    await checkBlobStore(app, logger);
    if (await applyBusinessTimeZone(db.orm, config.crm.timeZone)) {
      logger.info({ timeZone: config.crm.timeZone }, 'Business time zone set; daily customer counts rebuilt');
    }
    const demoUsers = await seedAccounts(config, db.orm, app.context.auth.accounts);
    // Demo customers come with the demo users, into the same empty database. Test worlds keep the demo logins but
    // start with an empty CRM: each test creates the customers it asserts on.
    if (demoUsers.length > 0 && config.env !== 'test') await seedDemoCustomers(db.orm, app.context.customers);
    const housekeeping = setInterval(() => {
      app.context.auth.accounts
        .purgeExpired()
        .catch((error: unknown) => logger.error({ err: error }, 'Housekeeping failed'));
    }, HOUSEKEEPING_INTERVAL_MS);
    housekeeping.unref();
    const http = createServer(app.express);
    http.listen(config.port, config.host);
    await once(http, 'listening');
    if (config.instagram.scheduler) app.context.scheduler.start();
    const { port } = http.address() as AddressInfo;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    const url = `http://${host}:${port}`;
    const openDb = db;
    let stopping: Promise<void> | undefined;
    let endDrain = () => false;
    const stop = () => {
      stopping ??= (async () => {
        // Readiness fails first (/readyz: 503) while the listener still accepts and serves, so that a load balancer
        // takes this instance out before its connections are refused.
        app.context.lifecycle.draining = true;
        if (config.shutdownDrainMs > 0) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, config.shutdownDrainMs);
            endDrain = () => {
              clearTimeout(timer);
              resolve();
              return true;
            };
          });
          endDrain = () => false;
        }
        const closed = new Promise<void>((resolve) => http.close(() => resolve()));
        http.closeIdleConnections();
        const force = setTimeout(() => {
          logger.warn('Shutdown timeout reached; closing open connections');
          http.closeAllConnections();
        }, config.shutdownTimeoutMs);
        force.unref();
        await closed;
        clearTimeout(force);
        clearInterval(housekeeping);
        // Runs in progress finish before the database closes.
        await app.context.scheduler.stop();
        // Codes issued after their answers are stored and handed to the mailer before it closes.
        await app.context.auth.core.idle();
        app.context.mailer.close();
        app.context.blobs.close?.();
        await openDb.close();
        release();
        await tracing?.shutdown();
      })();
      return stopping;
    };
    return { app, http, url, stop, endDrain: () => endDrain(), demoUsers };
  } catch (error) {
    await db?.close().catch(() => {});
    release();
    await tracing?.shutdown().catch(() => {});
    throw error;
  }
}
