import { BENCH_ZONE } from './crm-report.js';

/** The signing key of the CRM benchmark's access tokens (the server's and the baseline's alike). */
export const CRM_JWT_SECRET = 'cims-bench-fixed-secret-0123456789abcdef-0123456789';

/**
 * The environment both measured processes of the CRM benchmark get (`crm.bench.ts`, and the experiments that start
 * them the same way): this process's basics, production settings and the database of the run.
 */
export function crmSharedEnv(databaseUrl: string): Record<string, string> {
  const base: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ', 'UV_THREADPOOL_SIZE']) {
    const value = process.env[name];
    if (value) base[name] = value;
  }
  return {
    ...base,
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    JWT_SECRET: CRM_JWT_SECRET,
    // Production asks for it; these routes never use it (it encrypts third-party tokens).
    CIMS_ENCRYPTION_KEY: 'Y2ltcy1iZW5jaC1maXhlZC1lbmNyeXB0aW9uLWtleSE=',
    ACCESS_TOKEN_EXPIRE_MINUTES: '3000',
    BUSINESS_TIMEZONE: BENCH_ZONE,
    AUDIO_URL_TTL_SECONDS: '3600',
  };
}

/** What the server process adds to {@link crmSharedEnv}: where it listens and keeps its files, and its settings. */
export function crmServerEnv(options: {
  dataDir: string;
  logLevel: string;
  bcryptCost: number;
}): Record<string, string> {
  return {
    HOST: '127.0.0.1',
    PORT: '0',
    CIMS_DATA_DIR: options.dataDir,
    LOG_LEVEL: options.logLevel,
    // Required in production; never used here.
    SMTP_URL: 'smtp://127.0.0.1:2525',
    // The accounts are already there (the seed made them): nothing is created.
    CIMS_DEMO_DATA: 'true',
    BCRYPT_COST: String(options.bcryptCost),
  };
}
