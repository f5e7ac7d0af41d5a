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

describe('the README configuration table', () => {
  it('documents every environment variable the server reads', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const { EnvSchema } = await import('./config.js');
    for (const name of Object.keys(EnvSchema.shape)) expect(readme).toContain(`| \`${name}\``);
  });
});
