import path from 'node:path';
import type { z } from 'zod';
import { EnvSchema, type LOG_LEVELS } from './config-env.js';
import type { DatabaseOptions } from './db/orm.js';
import { resolveDatabaseSsl } from './db/ssl.js';
import type { S3BlobStoreOptions } from './modules/files/s3-blob-store.js';
import { readSecretFiles, SECRET_FILE_VARIABLES } from './secret-files.js';

export { EnvSchema, parseEncryptionKey } from './config-env.js';

/** The parsed, typed configuration of one server instance. */
export type Config = {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  /** PostgreSQL URL; when absent the embedded PGlite database under {@link Config.dataDir} is used. */
  databaseUrl: string | undefined;
  /** Absolute path of the folder holding the embedded database and other local state. */
  dataDir: string;
  /** How often the embedded database's folder lock is refreshed; unrefreshed for three of these, it is abandoned. */
  lockHeartbeatMs: number;
  corsOrigins: string[];
  logLevel: (typeof LOG_LEVELS)[number];
  jsonBodyLimit: string;
  /** Express's `trust proxy`: false, true (the leftmost X-Forwarded-For address), a hop count, or the proxies' addresses. */
  trustProxy: boolean | number | string;
  shutdownTimeoutMs: number;
  /**
   * On SIGINT/SIGTERM, how long `/readyz` answers 503 while the listener still accepts and serves, so that a load
   * balancer stops sending before connections are refused.
   */
  shutdownDrainMs: number;
  /** The S3-compatible bucket files are stored in (`S3_BUCKET`); absent: the `blobs` folder in the data folder. */
  objectStore: S3BlobStoreOptions | undefined;
  /** Uploads: where they are streamed while a request runs, and how many one user may send at once. */
  uploads: { tempDir: string; maxConcurrentPerUser: number };
  migrateOnStart: boolean;
  /** PostgreSQL connection pools, timeouts and TLS (ignored by the embedded database). */
  database: DatabaseOptions;
  /** Signs access tokens; absent in development, when a secret kept in the data folder is used. */
  jwtSecret: string | undefined;
  accessTokenMinutes: number;
  /** A session's inactivity lifetime: it ends this many days after sign-in or its latest refresh-token rotation… */
  refreshTokenDays: number;
  /** …and at the latest this many days after sign-in, however often it is used (never fewer than the above). */
  sessionMaxDays: number;
  refreshReuseGraceSeconds: number;
  bcryptCost: number;
  registrationOpen: boolean;
  smtpUrl: string | undefined;
  emailFrom: string;
  bootstrapCeo: { email: string; password: string } | undefined;
  /** Seed demo users into an empty database. Default: on for the embedded database outside production. */
  demoData: boolean;
  /**
   * `accountMax`: failed sign-ins per (account, client address) per window, and code mails per address;
   * `accountCeiling`: failed sign-ins per account per window from all addresses together.
   */
  rateLimit: { windowSeconds: number; ipMax: number; accountMax: number; accountCeiling: number };
  /** Self-registered accounts still unverified after this many days are deleted by the housekeeping job. */
  unverifiedAccountDays: number;
  /** The API's public base (`/api`, `https://api.example.com`) for URLs the API hands out; empty: the origin's root. */
  publicApiUrl: string;
  crm: {
    /** IANA zone of the business: days, weeks and months of the statistics; offsets of returned timestamps. */
    timeZone: string;
    /** Country for phone numbers typed without a country code. */
    phoneRegion: string;
    /** The `X-Key` of the intake API; absent → the intake answers 503. */
    intakeApiKey: string | undefined;
    /** Whether customers from the intake API are auto-assigned like UI-created ones. */
    intakeAutoAssign: boolean;
    /** Lifetime of a signed `audio_url`. */
    audioUrlTtlSeconds: number;
  };
  /**
   * Encrypts third-party secrets at rest (the Instagram token): the current 32-byte key, absent in development (a key
   * kept in the data folder is used), and older keys that still decrypt.
   */
  encryption: { key: Uint8Array | undefined; previousKeys: Uint8Array[] };
  /** The Meta Graph API: where it is, and how patiently it is called. */
  graph: {
    baseUrl: string;
    version: string;
    /** Per attempt. */
    timeoutMs: number;
    /** Attempts per call for transient failures (the first included). */
    maxAttempts: number;
    /** Exponential backoff with full jitter: attempt n waits a random time below min(max, base × 2^(n−1)). */
    retryBaseMs: number;
    retryMaxMs: number;
    /** A throttled call waits and retries only when the Graph API says access returns within this long. */
    rateLimitMaxWaitMs: number;
    /** The Meta app's credentials, for `debug_token` and token exchange; both or neither. */
    app: { id: string; secret: string } | undefined;
  };
  instagram: {
    /** Whether this instance runs the daily sync, its hourly retry and the token renewal. */
    scheduler: boolean;
    /** When the daily sync runs, in the business time zone. */
    syncCron: string;
    /** When a sync that has not succeeded today is tried again. */
    syncRetryCron: string;
    /** When the token renewal checks the token. */
    tokenRenewalCron: string;
  };
  /** The bearer token of `GET /metrics`; absent: the metrics are not served. */
  metricsToken: string | undefined;
  /**
   * OpenTelemetry tracing (tracing.ts): on when `OTEL_EXPORTER_OTLP_ENDPOINT` is set and `OTEL_SDK_DISABLED` is not
   * `true`; undefined when off.
   */
  tracing: { serviceName: string } | undefined;
};

/** Variables whose values are never echoed in error messages (besides those that may come from a file). */
const SECRET_NAME = /SECRET|PASSWORD|KEY|TOKEN|DATABASE_URL/;

function isSecret(name: string): boolean {
  return SECRET_NAME.test(name) || (SECRET_FILE_VARIABLES as readonly string[]).includes(name);
}

/** Thrown when the environment does not describe a valid configuration; the message lists every problem. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads the configuration from an environment (by default `process.env`). A secret may come from a file instead
 * (`JWT_SECRET_FILE=/run/secrets/jwt`; see {@link SECRET_FILE_VARIABLES}), relative paths from `cwd`.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): Config {
  const files = readSecretFiles(env, SECRET_FILE_VARIABLES, cwd);
  // An empty variable means "not set", as in most deployment tools.
  const present = Object.fromEntries(
    Object.entries(files.env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success || files.problems.length > 0) {
    const issues = parsed.success ? [] : parsed.error.issues;
    throw new ConfigError([
      ...files.problems,
      ...issues.map((issue) => {
        const name = issue.path.join('.');
        const value = present[String(issue.path[0])];
        if (value === undefined || isSecret(name)) return `${name}: ${issue.message}`;
        return `${name}=${JSON.stringify(value)}: ${issue.message}`;
      }),
    ]);
  }
  const { NODE_ENV, ...rest } = parsed.data;
  const problems: string[] = [];
  const ssl = resolveDatabaseSsl({
    url: rest.DATABASE_URL,
    mode: rest.DATABASE_SSL,
    caFile: rest.DATABASE_SSL_CA_FILE && path.resolve(cwd, rest.DATABASE_SSL_CA_FILE),
  });
  problems.push(...ssl.problems);
  // Development mode writes mail codes to the log and keeps a generated JWT secret on disk: fine on a laptop with the
  // embedded database, never silently for a server pointed at a real database.
  if (!NODE_ENV && rest.DATABASE_URL) {
    problems.push(
      'NODE_ENV: required with DATABASE_URL: production for a deployment, or development to run with generated ' +
        'secrets and mail written to the log',
    );
  }
  const e = { ...rest, NODE_ENV: NODE_ENV ?? 'development' };
  if (e.NODE_ENV === 'production' && !e.JWT_SECRET) problems.push('JWT_SECRET: required when NODE_ENV=production');
  if (e.NODE_ENV === 'production' && !e.SMTP_URL) problems.push('SMTP_URL: required when NODE_ENV=production');
  if (e.NODE_ENV === 'production' && !e.CIMS_ENCRYPTION_KEY) {
    problems.push('CIMS_ENCRYPTION_KEY: required when NODE_ENV=production');
  }
  if (e.NODE_ENV === 'production' && !isHttpsOrLoopback(e.GRAPH_API_BASE_URL)) {
    problems.push('GRAPH_API_BASE_URL: must be https:// in production (it carries access tokens and the app secret)');
  }
  if (Boolean(e.META_APP_ID) !== Boolean(e.META_APP_SECRET)) {
    problems.push('META_APP_ID and META_APP_SECRET: set both or neither');
  }
  if (Boolean(e.CIMS_BOOTSTRAP_CEO_EMAIL) !== Boolean(e.CIMS_BOOTSTRAP_CEO_PASSWORD)) {
    problems.push('CIMS_BOOTSTRAP_CEO_EMAIL and CIMS_BOOTSTRAP_CEO_PASSWORD: set both or neither');
  }
  if (e.SESSION_MAX_DAYS < e.REFRESH_TOKEN_EXPIRE_DAYS) {
    problems.push(
      `SESSION_MAX_DAYS=${e.SESSION_MAX_DAYS}: must be at least REFRESH_TOKEN_EXPIRE_DAYS ` +
        `(${e.REFRESH_TOKEN_EXPIRE_DAYS}): a session's absolute maximum cannot be shorter than its inactivity lifetime`,
    );
  }
  problems.push(...objectStoreProblems(e));
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(cwd, e.CIMS_DATA_DIR),
    lockHeartbeatMs: e.CIMS_LOCK_HEARTBEAT_MS,
    corsOrigins: e.CORS_ORIGINS,
    logLevel: e.LOG_LEVEL,
    jsonBodyLimit: e.JSON_BODY_LIMIT,
    trustProxy: e.TRUST_PROXY,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    // A load balancer needs a few seconds to see the 503 and stop sending; nothing stands in front of a dev server.
    shutdownDrainMs: e.SHUTDOWN_DRAIN_MS ?? (e.NODE_ENV === 'production' ? 5_000 : 0),
    objectStore: e.S3_BUCKET
      ? {
          bucket: e.S3_BUCKET,
          endpoint: e.S3_ENDPOINT?.replace(/\/$/, ''),
          region: e.S3_REGION ?? 'us-east-1',
          credentials:
            e.S3_ACCESS_KEY_ID && e.S3_SECRET_ACCESS_KEY
              ? { accessKeyId: e.S3_ACCESS_KEY_ID, secretAccessKey: e.S3_SECRET_ACCESS_KEY }
              : undefined,
          // Stores other than AWS rarely have a DNS name per bucket.
          forcePathStyle: e.S3_FORCE_PATH_STYLE ?? Boolean(e.S3_ENDPOINT),
        }
      : undefined,
    uploads: {
      tempDir: path.resolve(cwd, e.UPLOAD_TEMP_DIR ?? path.join(e.CIMS_DATA_DIR, 'tmp', 'uploads')),
      maxConcurrentPerUser: e.UPLOAD_MAX_CONCURRENT,
    },
    migrateOnStart: e.DB_MIGRATE_ON_START,
    database: {
      poolMax: e.DB_POOL_MAX,
      readPoolMax: e.DB_READ_POOL_MAX,
      authPoolMax: e.DB_AUTH_POOL_MAX,
      acquireTimeoutMs: e.DB_POOL_ACQUIRE_TIMEOUT_MS,
      statementTimeoutMs: e.DB_STATEMENT_TIMEOUT_MS,
      lockTimeoutMs: e.DB_LOCK_TIMEOUT_MS,
      ssl: ssl.ssl,
    },
    jwtSecret: e.JWT_SECRET,
    accessTokenMinutes: e.ACCESS_TOKEN_EXPIRE_MINUTES,
    refreshTokenDays: e.REFRESH_TOKEN_EXPIRE_DAYS,
    sessionMaxDays: e.SESSION_MAX_DAYS,
    refreshReuseGraceSeconds: e.REFRESH_REUSE_GRACE_SECONDS,
    bcryptCost: e.BCRYPT_COST,
    registrationOpen: e.REGISTRATION_OPEN,
    smtpUrl: e.SMTP_URL,
    emailFrom: e.EMAIL_FROM,
    bootstrapCeo:
      e.CIMS_BOOTSTRAP_CEO_EMAIL && e.CIMS_BOOTSTRAP_CEO_PASSWORD
        ? { email: e.CIMS_BOOTSTRAP_CEO_EMAIL.trim().toLowerCase(), password: e.CIMS_BOOTSTRAP_CEO_PASSWORD }
        : undefined,
    // Never by default in production: the demo passwords are public.
    demoData: e.CIMS_DEMO_DATA ?? (!e.DATABASE_URL && e.NODE_ENV !== 'production'),
    rateLimit: {
      windowSeconds: e.RATE_LIMIT_WINDOW_SECONDS,
      ipMax: e.RATE_LIMIT_IP_MAX,
      accountMax: e.RATE_LIMIT_ACCOUNT_MAX,
      accountCeiling: e.RATE_LIMIT_ACCOUNT_CEILING,
    },
    unverifiedAccountDays: e.UNVERIFIED_ACCOUNT_DAYS,
    publicApiUrl: e.PUBLIC_API_URL,
    crm: {
      timeZone: e.BUSINESS_TIMEZONE,
      phoneRegion: e.DEFAULT_PHONE_REGION,
      intakeApiKey: e.CRM_CUSTOMER_API_KEY,
      intakeAutoAssign: e.CRM_INTAKE_AUTO_ASSIGN,
      audioUrlTtlSeconds: e.AUDIO_URL_TTL_SECONDS,
    },
    encryption: { key: e.CIMS_ENCRYPTION_KEY, previousKeys: e.CIMS_ENCRYPTION_KEYS_PREVIOUS },
    graph: {
      baseUrl: e.GRAPH_API_BASE_URL,
      version: e.GRAPH_API_VERSION,
      timeoutMs: e.GRAPH_API_TIMEOUT_MS,
      maxAttempts: e.GRAPH_API_MAX_ATTEMPTS,
      retryBaseMs: e.GRAPH_API_RETRY_BASE_MS,
      retryMaxMs: e.GRAPH_API_RETRY_MAX_MS,
      rateLimitMaxWaitMs: e.GRAPH_API_RATE_LIMIT_MAX_WAIT_MS,
      app: e.META_APP_ID && e.META_APP_SECRET ? { id: e.META_APP_ID, secret: e.META_APP_SECRET } : undefined,
    },
    instagram: {
      scheduler: e.INSTAGRAM_SCHEDULER,
      syncCron: e.INSTAGRAM_SYNC_CRON,
      syncRetryCron: e.INSTAGRAM_SYNC_RETRY_CRON,
      tokenRenewalCron: e.INSTAGRAM_TOKEN_RENEWAL_CRON,
    },
    metricsToken: e.METRICS_TOKEN,
    tracing: e.OTEL_EXPORTER_OTLP_ENDPOINT && !e.OTEL_SDK_DISABLED ? { serviceName: e.OTEL_SERVICE_NAME } : undefined,
  };
}

const S3_SETTINGS = [
  'S3_ENDPOINT',
  'S3_REGION',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
  'S3_FORCE_PATH_STYLE',
] as const;

/** A half-configured object store: settings without a bucket, or one half of the key pair. */
function objectStoreProblems(e: z.infer<typeof EnvSchema>): string[] {
  const problems: string[] = [];
  const orphans = S3_SETTINGS.filter((name) => e[name] !== undefined);
  if (!e.S3_BUCKET && orphans.length > 0) {
    problems.push(`S3_BUCKET: required with ${orphans.join(', ')} (setting it selects the object store)`);
  }
  if (Boolean(e.S3_ACCESS_KEY_ID) !== Boolean(e.S3_SECRET_ACCESS_KEY)) {
    problems.push(
      'S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY: set both, or neither to use the default AWS credentials ' +
        '(instance or task role)',
    );
  }
  return problems;
}

/** Whether a URL is https, or http to this machine (a local fake or proxy). */
function isHttpsOrLoopback(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === 'https:' || ['localhost', '127.0.0.1', '[::1]'].includes(hostname);
}
