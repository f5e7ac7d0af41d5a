import path from 'node:path';
import { ACCOUNT_LIMIT_DEFAULTS, SESSION_LIFETIME_DEFAULTS } from '@cims/contracts';
import { Cron } from 'croner';
import { isSupportedCountry } from 'libphonenumber-js';
import { IANAZone } from 'luxon';
import { z } from 'zod';
import type { DatabaseOptions } from './db/orm.js';
import { DATABASE_SSL_MODES, resolveDatabaseSsl } from './db/ssl.js';
import type { S3BlobStoreOptions } from './modules/files/s3-blob-store.js';
import { readSecretFiles, SECRET_FILE_VARIABLES } from './secret-files.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const BooleanEnv = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');

/** Comma-separated list; blanks dropped. */
const ListEnv = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean),
);

/**
 * A 32-byte key as 64 hex digits or base64 (standard or URL-safe, padded or not); undefined when it is neither.
 */
export function parseEncryptionKey(text: string): Uint8Array | undefined {
  const value = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return new Uint8Array(Buffer.from(value, 'hex'));
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) return undefined;
  const bytes = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return bytes.length === 32 ? new Uint8Array(bytes) : undefined;
}

const KEY_FORMAT = 'must be 32 bytes, as 64 hex digits or base64 (e.g. `openssl rand -base64 32`)';
const EncryptionKeyEnv = z.string().transform((value, ctx) => {
  const key = parseEncryptionKey(value);
  if (!key) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: KEY_FORMAT });
    return z.NEVER;
  }
  return key;
});
const EncryptionKeyListEnv = ListEnv.transform((values, ctx) =>
  values.flatMap((value, index) => {
    const key = parseEncryptionKey(value);
    if (key) return [key];
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `key ${index + 1} ${KEY_FORMAT}` });
    return [];
  }),
);

/** A cron pattern croner reads: 5 fields, or 6 with seconds first. */
const CronEnv = z.string().refine((pattern) => {
  try {
    new Cron(pattern, { mode: '5-or-6-parts' });
    return true;
  } catch {
    return false;
  }
}, 'must be a cron pattern such as "0 0 * * *" (minute hour day month weekday; an optional seconds field first)');

/**
 * Every environment variable the server reads, in one place. docs/configuration.md lists the same names (a test
 * checks it).
 * Unknown variables are ignored; every bad one is reported at once.
 */
export const EnvSchema = z.object({
  // No default here: without it, the mode follows from DATABASE_URL (see loadConfig).
  NODE_ENV: z.enum(['development', 'production', 'test']).optional(),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  DATABASE_URL: z
    .string()
    .url()
    .refine((url) => /^postgres(ql)?:\/\//.test(url), 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATABASE_SSL: z.enum(DATABASE_SSL_MODES).optional(),
  DATABASE_SSL_CA_FILE: z.string().min(1).optional(),
  CIMS_DATA_DIR: z.string().min(1).default('./.cims-data'),
  CIMS_LOCK_HEARTBEAT_MS: z.coerce.number().int().min(10).max(60_000).default(5_000),
  CORS_ORIGINS: ListEnv.pipe(
    z.array(z.union([z.literal('*'), z.string().url('each origin must be a URL such as https://app.example.com')])),
  ).default(''),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  JSON_BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'must be a size such as 100kb or 1mb')
    .default('1mb'),
  // What Express's `trust proxy` takes: `true` (the leftmost X-Forwarded-For address, which a client can write unless
  // every request passes a proxy that overwrites the header), a hop count, or the proxies' addresses/subnets.
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((value) =>
      value === 'false' ? false : value === 'true' ? true : /^\d+$/.test(value) ? Number(value) : value,
    ),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  // No default here: 5 s in production, none otherwise (see loadConfig).
  SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).max(600_000).optional(),
  UPLOAD_TEMP_DIR: z.string().min(1).optional(),
  S3_BUCKET: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
      'must be a bucket name: 3 to 63 lowercase letters, digits, dots and hyphens',
    )
    .optional(),
  S3_ENDPOINT: z
    .string()
    .url()
    .refine(
      (url) => /^https?:\/\/[^/@]+\/?$/.test(url),
      'must be an http:// or https:// origin such as http://minio:9000',
    )
    .optional(),
  S3_REGION: z
    .string()
    .regex(/^[a-z0-9-]{2,32}$/, 'must be a region name such as us-east-1')
    .optional(),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: BooleanEnv.optional(),
  UPLOAD_MAX_CONCURRENT: z.coerce.number().int().min(1).max(1000).default(3),
  DB_MIGRATE_ON_START: BooleanEnv.default('true'),
  // PostgreSQL only (the embedded database is one session behind a pool of one connection): pool sizes and how long
  // anything may wait.
  DB_POOL_MAX: z.coerce.number().int().min(2).max(1000).default(10),
  DB_READ_POOL_MAX: z.coerce.number().int().min(1).max(1000).default(10),
  DB_AUTH_POOL_MAX: z.coerce.number().int().min(1).max(1000).default(3),
  DB_POOL_ACQUIRE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).max(86_400_000).default(15_000),
  DB_LOCK_TIMEOUT_MS: z.coerce.number().int().min(0).max(86_400_000).default(2_000),
  JWT_SECRET: z
    .string()
    .refine((value) => Buffer.byteLength(value) >= 32, 'must be at least 32 bytes')
    .optional(),
  ACCESS_TOKEN_EXPIRE_MINUTES: z.coerce.number().int().min(1).max(525_600).default(3000),
  REFRESH_TOKEN_EXPIRE_DAYS: z.coerce.number().int().min(1).max(365).default(SESSION_LIFETIME_DEFAULTS.idleDays),
  SESSION_MAX_DAYS: z.coerce.number().int().min(1).max(3650).default(SESSION_LIFETIME_DEFAULTS.maxDays),
  REFRESH_REUSE_GRACE_SECONDS: z.coerce.number().int().min(0).max(300).default(10),
  BCRYPT_COST: z.coerce.number().int().min(4).max(15).default(12),
  REGISTRATION_OPEN: BooleanEnv.default('true'),
  SMTP_URL: z
    .string()
    .url()
    .refine((url) => /^smtps?:\/\//.test(url), 'must be an smtp:// or smtps:// URL')
    .optional(),
  EMAIL_FROM: z.string().min(3).default('CIMS <no-reply@cims.local>'),
  CIMS_BOOTSTRAP_CEO_EMAIL: z.string().email().optional(),
  CIMS_BOOTSTRAP_CEO_PASSWORD: z.string().min(8, 'must have at least 8 characters').optional(),
  CIMS_DEMO_DATA: BooleanEnv.optional(),
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900),
  RATE_LIMIT_IP_MAX: z.coerce.number().int().min(1).default(300),
  RATE_LIMIT_ACCOUNT_MAX: z.coerce.number().int().min(1).default(ACCOUNT_LIMIT_DEFAULTS.max),
  RATE_LIMIT_ACCOUNT_CEILING: z.coerce.number().int().min(1).default(ACCOUNT_LIMIT_DEFAULTS.ceiling),
  UNVERIFIED_ACCOUNT_DAYS: z.coerce.number().int().min(1).max(3650).default(7),
  BUSINESS_TIMEZONE: z
    .string()
    .refine((zone) => IANAZone.isValidZone(zone), 'must be an IANA time zone such as Asia/Tashkent')
    .default('Asia/Tashkent'),
  DEFAULT_PHONE_REGION: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be a two-letter country code such as UZ')
    .refine((region) => isSupportedCountry(region), 'is not a country libphonenumber knows')
    .default('UZ'),
  CRM_CUSTOMER_API_KEY: z
    .string()
    .refine((value) => Buffer.byteLength(value) >= 16, 'must be at least 16 bytes')
    .optional(),
  CRM_INTAKE_AUTO_ASSIGN: BooleanEnv.default('true'),
  PUBLIC_API_URL: z
    .string()
    .regex(
      /^(https?:\/\/[^\s/]+)?(\/[^\s?#]*)?$/,
      'must be a path such as /api or a URL such as https://api.example.com',
    )
    .transform((value) => value.replace(/\/+$/, ''))
    .default(''),
  AUDIO_URL_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(30)
    .max(7 * 24 * 3600)
    .default(3600),
  CIMS_ENCRYPTION_KEY: EncryptionKeyEnv.optional(),
  CIMS_ENCRYPTION_KEYS_PREVIOUS: EncryptionKeyListEnv.default(''),
  GRAPH_API_BASE_URL: z
    .string()
    .url()
    .refine((url) => /^https?:\/\//.test(url), 'must be an http:// or https:// URL')
    .transform((url) => url.replace(/\/+$/, ''))
    .default('https://graph.facebook.com'),
  GRAPH_API_VERSION: z
    .string()
    .regex(/^v\d+\.\d+$/, 'must be a Graph API version such as v25.0')
    .default('v25.0'),
  GRAPH_API_TIMEOUT_MS: z.coerce.number().int().min(1).max(120_000).default(10_000),
  GRAPH_API_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(4),
  GRAPH_API_RETRY_BASE_MS: z.coerce.number().int().min(0).max(60_000).default(500),
  GRAPH_API_RETRY_MAX_MS: z.coerce.number().int().min(0).max(300_000).default(8_000),
  GRAPH_API_RATE_LIMIT_MAX_WAIT_MS: z.coerce.number().int().min(0).max(600_000).default(5_000),
  META_APP_ID: z
    .string()
    .regex(/^[\w.-]{1,64}$/, 'must be the app id of the Meta app')
    .optional(),
  META_APP_SECRET: z.string().min(8, 'must have at least 8 characters').optional(),
  INSTAGRAM_SCHEDULER: BooleanEnv.default('true'),
  INSTAGRAM_SYNC_CRON: CronEnv.default('0 0 * * *'),
  INSTAGRAM_SYNC_RETRY_CRON: CronEnv.default('30 * * * *'),
  INSTAGRAM_TOKEN_RENEWAL_CRON: CronEnv.default('30 3 * * *'),
  METRICS_TOKEN: z
    .string()
    .refine((value) => Buffer.byteLength(value) >= 16, 'must be at least 16 bytes')
    .refine((value) => /^[\x21-\x7e]+$/.test(value), 'must be printable ASCII without spaces (it is sent in a header)')
    .optional(),
  // OpenTelemetry's own variables: the endpoint turns tracing on; the OTLP exporter reads it (and the other
  // OTEL_EXPORTER_OTLP_* variables) itself.
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url('must be the URL of an OTLP/HTTP endpoint').optional(),
  OTEL_SERVICE_NAME: z.string().min(1).default('cims-server'),
  OTEL_SDK_DISABLED: BooleanEnv.default('false'),
});

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
