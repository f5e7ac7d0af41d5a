import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { type CimsClient, createCimsClient } from '@cims/sdk';
import type { SpanExporter } from '@opentelemetry/sdk-trace-node';
import { type Config, loadConfig } from '../src/config.js';
import type { DatabaseTarget } from '../src/db/orm.js';
import { createLogger } from '../src/logger.js';
import type { ServerModule } from '../src/modules/index.js';
import type { SchedulerClock } from '../src/modules/scheduler/scheduler.js';
import { type RunningServer, startServer } from '../src/runtime.js';
import { pgliteTemplate, postgresTemplate } from './database-template.js';
import { createFreshDatabase } from './fresh-database.js';
import { type SmtpInbox, startSmtpInbox } from './smtp-inbox.js';

/** Which database a test app runs on. */
export type TestDatabaseKind = 'pglite' | 'postgres';

/**
 * True in CI's PostgreSQL pass (`TEST_DATABASE_URL` set). A test that only runs the embedded database whatever the pass
 * (a data folder, a process on one) would repeat there what the PGlite pass did: it is skipped with `skipIf(postgresPass)`.
 */
export const postgresPass = Boolean(process.env.TEST_DATABASE_URL);

/** The database kind of this run: PostgreSQL when `TEST_DATABASE_URL` is set, in-memory PGlite otherwise. */
export function defaultTestDatabase(): TestDatabaseKind {
  return process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';
}

export interface TestAppOptions {
  /** @default {@link defaultTestDatabase} */
  database?: TestDatabaseKind;
  /** Run on the database of another test app (PostgreSQL only): two instances sharing one database. */
  shareDatabaseWith?: TestApp;
  /** Modules to mount instead of the server's own (for tests of the HTTP machinery itself). */
  modules?: ServerModule[];
  /** Extra environment variables for the app's configuration, as the server would read them. */
  env?: Record<string, string>;
  /**
   * The address the app reaches its fresh PostgreSQL database at, from the database's own URL (a fault test puts a
   * proxy in between). The database itself is created and dropped on the real server.
   */
  databaseUrl?: (url: string) => string;
  /**
   * Run on a database that already exists instead of a fresh one (the test made it, e.g. with the CLI, and removes it):
   * an embedded one in a data folder, or a PostgreSQL database by URL.
   */
  existing?: { dataDir: string } | { url: string };
  /**
   * Start on an empty database, so that the server's start applies every migration (tests of the migrations
   * themselves). By default a test app starts on a copy of a migrated template (test/database-template.ts), where the
   * start's migration check finds nothing to do.
   * @default false
   */
  emptyDatabase?: boolean;
  /** Where the spans go when `env` turns tracing on (`OTEL_EXPORTER_OTLP_ENDPOINT`): an `InMemorySpanExporter`. */
  spanExporter?: SpanExporter;
  /**
   * The clock of the app's scheduled jobs and business day: a `ManualClock` (test/manual-clock.ts) lets a test bring
   * the next tick at once. @default the system clock
   */
  clock?: SchedulerClock;
}

/**
 * A whole world for one test: a fresh database (migrated, unless it asked for an empty one), the app listening on a
 * free port, and an SDK client for it.
 */
export interface TestApp extends AsyncDisposable {
  url: string;
  client: CimsClient;
  config: Config;
  server: RunningServer;
  database: TestDatabaseKind;
  /** The database this app runs on. */
  target: DatabaseTarget;
  /** The SMTP server the app sends its mail to. */
  inbox: SmtpInbox;
  /** Every log line the app wrote, parsed. */
  logs: Record<string, unknown>[];
  /** The raw log output, to check that no secret ever reaches it. */
  logText(): string;
  close(): Promise<void>;
}

/**
 * Builds a fresh world and tears it down when disposed:
 *
 * @example
 * await using t = await createTestApp();
 * const res = await t.client.health.liveness();
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database =
    options.existing !== undefined
      ? 'url' in options.existing
        ? 'postgres'
        : 'pglite'
      : (options.database ?? defaultTestDatabase());
  const existing = options.existing;
  const dataDir =
    existing && 'dataDir' in existing ? existing.dataDir : mkdtempSync(path.join(tmpdir(), 'cims-test-data-'));
  const inbox = await startSmtpInbox();
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    SMTP_URL: inbox.url,
    // Fast hashing in tests; the cost is configuration, the code path is the same.
    BCRYPT_COST: '4',
    CIMS_DATA_DIR: dataDir,
    // Scheduled jobs only run in the tests about them (they pass INSTAGRAM_SCHEDULER=true).
    INSTAGRAM_SCHEDULER: 'false',
    // Waits on locks and long statements are bounded in production (2 s, 15 s); here they must not turn a burst of
    // concurrent requests on a busy machine into 503s. The tests of those timeouts set their own.
    DB_LOCK_TIMEOUT_MS: '60000',
    DB_STATEMENT_TIMEOUT_MS: '120000',
    DB_POOL_ACQUIRE_TIMEOUT_MS: '60000',
    ...options.env,
  });
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger(config, sink);
  let drop = async () => {
    await inbox.close();
    if (!existing || !('dataDir' in existing)) rmSync(dataDir, { recursive: true, force: true });
  };
  let target: DatabaseTarget;
  let server: RunningServer;
  try {
    if (existing) {
      target =
        'url' in existing ? { kind: 'postgres', url: existing.url } : { kind: 'pglite', dir: path.join(dataDir, 'db') };
    } else if (options.shareDatabaseWith) {
      if (options.shareDatabaseWith.target.kind !== 'postgres')
        throw new Error('Only a PostgreSQL database can be shared');
      target = options.shareDatabaseWith.target;
    } else if (database === 'postgres') {
      const adminUrl = process.env.TEST_DATABASE_URL;
      if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set');
      const template = options.emptyDatabase ? undefined : await postgresTemplate(adminUrl);
      const fresh = await createFreshDatabase(adminUrl, 'cims_test', { template });
      target = { kind: 'postgres', url: options.databaseUrl ? options.databaseUrl(fresh.url) : fresh.url };
      const cleanup = drop;
      drop = async () => {
        await fresh.drop();
        await cleanup();
      };
    } else {
      target = {
        kind: 'pglite',
        loadDataDir: options.emptyDatabase ? undefined : await pgliteTemplate(),
      };
    }
    server = await startServer(config, logger, {
      target,
      modules: options.modules,
      spanExporter: options.spanExporter,
      clock: options.clock,
    });
  } catch (error) {
    await drop();
    throw error;
  }
  let closing: Promise<void> | undefined;
  const close = () => {
    // A test that failed while the app drained (SHUTDOWN_DRAIN_MS) still ends at once, with its own error.
    closing ??= (() => {
      const stopped = server.stop().finally(drop);
      server.endDrain();
      return stopped;
    })();
    return closing;
  };
  return {
    inbox,
    target,
    url: server.url,
    client: createCimsClient({ baseUrl: server.url }),
    config,
    server,
    database,
    get logs() {
      return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    logText: () => lines.join('\n'),
    close,
    [Symbol.asyncDispose]: close,
  };
}
