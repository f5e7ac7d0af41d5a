import { SESSION_LIFETIME_DEFAULTS } from '@cims/contracts';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('has working defaults: port 8000 on 127.0.0.1, the embedded database under ./.cims-data', () => {
    const config = loadConfig({}, '/srv/cims');
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8000,
      databaseUrl: undefined,
      dataDir: '/srv/cims/.cims-data',
      corsOrigins: [],
      env: 'development',
    });
  });

  it('reads every variable, treating empty ones as unset', () => {
    const config = loadConfig({
      PORT: '9000',
      HOST: '0.0.0.0',
      NODE_ENV: 'development',
      DATABASE_URL: 'postgresql://u@db/cims',
      CORS_ORIGINS: 'http://localhost:5173, https://cims.example.com',
      TRUST_PROXY: '1',
      LOG_LEVEL: '',
    });
    expect(config).toMatchObject({
      port: 9000,
      host: '0.0.0.0',
      databaseUrl: 'postgresql://u@db/cims',
      corsOrigins: ['http://localhost:5173', 'https://cims.example.com'],
      trustProxy: 1,
      logLevel: 'info',
    });
  });

  it('lists every bad variable at once and never echoes a secret value', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        CORS_ORIGINS: 'not a url',
        DATABASE_URL: 'mysql://root:s3cret@db/x',
        LOG_LEVEL: 'loud',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/PORT="eighty"/);
    expect(problems.join('\n')).toMatch(/CORS_ORIGINS/);
    expect(problems.join('\n')).toMatch(/LOG_LEVEL="loud"/);
    expect(problems.join('\n')).toMatch(/DATABASE_URL: must be a postgres/);
    expect((error as Error).message).not.toContain('s3cret');
  });
});

describe('safe defaults', () => {
  it('regression: a server pointed at a real database does not silently run in development mode', () => {
    // Development mode writes mail codes to the log and keeps a generated JWT secret on disk.
    expect(() => loadConfig({ DATABASE_URL: 'postgres://u@db/cims' })).toThrow(ConfigError);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://u@db/cims' })).toThrow(
      /NODE_ENV: required with DATABASE_URL: production for a deployment, or development/,
    );
  });

  it('development with a real database only when asked for; the embedded database defaults to it', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u@db/cims', NODE_ENV: 'development' }).env).toBe('development');
    expect(loadConfig({ DATABASE_URL: 'postgres://u@db/cims', NODE_ENV: 'test' }).env).toBe('test');
    // `pnpm start` with no environment at all: the embedded database, development mode, demo data.
    expect(loadConfig({})).toMatchObject({ env: 'development', databaseUrl: undefined, demoData: true });
    const production = {
      NODE_ENV: 'production',
      JWT_SECRET: 'x'.repeat(40),
      SMTP_URL: 'smtp://mail.example.com',
      CIMS_ENCRYPTION_KEY: 'a'.repeat(64),
      DATABASE_URL: 'postgres://u@db/cims',
    };
    expect(loadConfig(production)).toMatchObject({ env: 'production', demoData: false });
  });

  it('regression: TRUST_PROXY=true, which docs/configuration.md documents, is accepted as Express takes it', () => {
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toBe('loopback, 10.0.0.0/8');
  });
});

describe('session lifetimes', () => {
  it('default to 15 days of inactivity and 90 days at most, the values the mocks share', () => {
    expect(loadConfig({})).toMatchObject({ refreshTokenDays: 15, sessionMaxDays: 90 });
    expect(SESSION_LIFETIME_DEFAULTS).toEqual({ idleDays: 15, maxDays: 90 });
  });

  it('accept a maximum equal to the inactivity lifetime, and refuse a shorter one with a readable message', () => {
    expect(loadConfig({ REFRESH_TOKEN_EXPIRE_DAYS: '30', SESSION_MAX_DAYS: '30' })).toMatchObject({
      refreshTokenDays: 30,
      sessionMaxDays: 30,
    });
    expect(() => loadConfig({ REFRESH_TOKEN_EXPIRE_DAYS: '30', SESSION_MAX_DAYS: '29' })).toThrow(
      'SESSION_MAX_DAYS=29: must be at least REFRESH_TOKEN_EXPIRE_DAYS (30)',
    );
    // The default maximum counts too: an inactivity lifetime above 90 days needs a larger maximum.
    expect(() => loadConfig({ REFRESH_TOKEN_EXPIRE_DAYS: '91' })).toThrow(/SESSION_MAX_DAYS=90: must be at least/);
    expect(() => loadConfig({ SESSION_MAX_DAYS: '0' })).toThrow(/SESSION_MAX_DAYS="0"/);
    expect(() => loadConfig({ SESSION_MAX_DAYS: 'ninety' })).toThrow(ConfigError);
  });
});

describe('the configuration reference (docs/configuration.md)', () => {
  it('documents every environment variable the server and the import command read', async () => {
    const { readFileSync } = await import('node:fs');
    const reference = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
    const { EnvSchema } = await import('./config.js');
    const { ImportEnvSchema } = await import('./legacy-import/command.js');
    const { IMPORT_SECRET_FILE_VARIABLES } = await import('./legacy-import/command.js');
    const { SECRET_FILE_VARIABLES } = await import('./secret-files.js');
    const names = [...Object.keys(EnvSchema.shape), ...Object.keys(ImportEnvSchema.shape)];
    const missing = names.filter((name) => !reference.includes(`| \`${name}\` |`));
    expect(missing).toEqual([]);
    // Every secret that may come from a file is named with its _FILE variable.
    const files = [...SECRET_FILE_VARIABLES, ...IMPORT_SECRET_FILE_VARIABLES].map((name) => `${name}_FILE`);
    expect(files.filter((name) => !reference.includes(`\`${name}\``))).toEqual([]);
  });
});

describe('the Instagram and Graph API settings', () => {
  it('default to the Graph API v25.0, a daily sync at midnight and the scheduler on', () => {
    const config = loadConfig({});
    expect(config.graph).toEqual({
      baseUrl: 'https://graph.facebook.com',
      version: 'v25.0',
      timeoutMs: 10_000,
      maxAttempts: 4,
      retryBaseMs: 500,
      retryMaxMs: 8_000,
      rateLimitMaxWaitMs: 5_000,
      app: undefined,
    });
    expect(config.instagram).toEqual({
      scheduler: true,
      syncCron: '0 0 * * *',
      syncRetryCron: '30 * * * *',
      tokenRenewalCron: '30 3 * * *',
    });
    expect(config.encryption).toEqual({ key: undefined, previousKeys: [] });
  });

  it('reads them, and reports each bad one', () => {
    const config = loadConfig({
      GRAPH_API_BASE_URL: 'http://127.0.0.1:4000/',
      GRAPH_API_VERSION: 'v26.0',
      META_APP_ID: '1234',
      META_APP_SECRET: 'app-secret-value',
      INSTAGRAM_SCHEDULER: 'false',
      INSTAGRAM_SYNC_CRON: '*/2 * * * * *',
    });
    expect(config.graph).toMatchObject({
      baseUrl: 'http://127.0.0.1:4000',
      version: 'v26.0',
      app: { id: '1234', secret: 'app-secret-value' },
    });
    expect(config.instagram).toMatchObject({ scheduler: false, syncCron: '*/2 * * * * *' });

    let error: unknown;
    try {
      loadConfig({
        NODE_ENV: 'production',
        JWT_SECRET: 'j'.repeat(32),
        SMTP_URL: 'smtp://mail.example.com',
        GRAPH_API_VERSION: '25',
        INSTAGRAM_SYNC_CRON: 'every day',
        META_APP_ID: '1234',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/GRAPH_API_VERSION="25": must be a Graph API version/);
    expect(problems).toMatch(/INSTAGRAM_SYNC_CRON="every day": must be a cron pattern/);
    // The schema's problems come first; the cross-variable rules once the variables themselves are valid.
    expect(() =>
      loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'j'.repeat(32), SMTP_URL: 'smtp://m', META_APP_ID: '1234' }),
    ).toThrow(
      /CIMS_ENCRYPTION_KEY: required when NODE_ENV=production[\s\S]*META_APP_ID and META_APP_SECRET: set both or neither/,
    );
    // Tokens and the app secret travel in the Graph API's URLs: never over plain http in production, but a local fake.
    const production = {
      NODE_ENV: 'production',
      JWT_SECRET: 'j'.repeat(32),
      SMTP_URL: 'smtp://m',
      CIMS_ENCRYPTION_KEY: 'a'.repeat(64),
    };
    expect(() => loadConfig({ ...production, GRAPH_API_BASE_URL: 'http://graph.example.com' })).toThrow(
      /GRAPH_API_BASE_URL: must be https:\/\/ in production/,
    );
    expect(loadConfig({ ...production, GRAPH_API_BASE_URL: 'http://127.0.0.1:8100' }).graph.baseUrl).toBe(
      'http://127.0.0.1:8100',
    );
  });
});

describe('the object store settings (S3_*)', () => {
  it('are off by default: files stay in the data folder', () => {
    expect(loadConfig({}).objectStore).toBeUndefined();
  });

  it('S3_BUCKET selects the bucket; an endpoint turns path-style addressing on unless told otherwise', () => {
    const withEndpoint = loadConfig({
      S3_BUCKET: 'cims-files',
      S3_ENDPOINT: 'http://minio:9000/',
      S3_ACCESS_KEY_ID: 'id',
      S3_SECRET_ACCESS_KEY: 'secret',
    });
    expect(withEndpoint.objectStore).toEqual({
      bucket: 'cims-files',
      endpoint: 'http://minio:9000',
      region: 'us-east-1',
      credentials: { accessKeyId: 'id', secretAccessKey: 'secret' },
      forcePathStyle: true,
    });
    const aws = loadConfig({ S3_BUCKET: 'cims-files', S3_REGION: 'eu-central-1' }).objectStore;
    expect(aws).toMatchObject({ region: 'eu-central-1', forcePathStyle: false, credentials: undefined });
    const virtualHosts = loadConfig({
      S3_BUCKET: 'cims-files',
      S3_ENDPOINT: 'https://s3.example.com',
      S3_FORCE_PATH_STYLE: 'false',
    }).objectStore;
    expect(virtualHosts?.forcePathStyle).toBe(false);
  });

  it('refuse a half configuration with a readable message, never echoing the secret', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (error) {
        if (error instanceof ConfigError) return error.problems;
        throw error;
      }
      return [];
    };
    expect(problems({ S3_ENDPOINT: 'http://minio:9000', S3_SECRET_ACCESS_KEY: 'very-secret' })).toEqual([
      'S3_BUCKET: required with S3_ENDPOINT, S3_SECRET_ACCESS_KEY (setting it selects the object store)',
      expect.stringMatching(/^S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY: set both, or neither/),
    ]);
    const bad = problems({ S3_BUCKET: 'Bad_Bucket', S3_ENDPOINT: 'minio:9000', S3_FORCE_PATH_STYLE: 'yes' });
    expect(bad).toHaveLength(3);
    expect(bad.join('\n')).toMatch(/^S3_BUCKET="Bad_Bucket": must be a bucket name/m);
    expect(bad.join('\n')).toMatch(/^S3_ENDPOINT="minio:9000": /m);
    expect(bad.join('\n')).toMatch(/^S3_FORCE_PATH_STYLE="yes": /m);
    const secret = problems({ S3_BUCKET: 'cims-files', S3_ACCESS_KEY_ID: 'AKIAEXAMPLE' });
    expect(secret.join('\n')).not.toContain('AKIAEXAMPLE');
  });
});
