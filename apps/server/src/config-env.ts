// The environment the server reads, as one zod schema; config.ts turns a parsed environment into a `Config`.
import { ACCOUNT_LIMIT_DEFAULTS, SESSION_LIFETIME_DEFAULTS } from '@cims/contracts';
import { Cron } from 'croner';
import { isSupportedCountry } from 'libphonenumber-js';
import { IANAZone } from 'luxon';
import { z } from 'zod';
import { DATABASE_SSL_MODES } from './db/ssl.js';

/** The levels `LOG_LEVEL` takes, pino's. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

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
