import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';
import { loadImportEnv } from './legacy-import/command.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
/** Writes `content` to a new file and returns its path. */
function secretFile(content: string, name = 'secret'): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cims-secret-'));
  dirs.push(dir);
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}
function problemsOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.join('\n');
  }
  throw new Error('expected a ConfigError');
}

const JWT = 'j'.repeat(40);
const KEY = 'ab'.repeat(32);

describe('secrets read from files (X_FILE)', () => {
  it('reads every named secret from its file, without the trailing newline', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL_FILE: secretFile('postgres://cims:p%40ss@db.example.com/cims\n'),
      JWT_SECRET_FILE: secretFile(`${JWT}\n`),
      CIMS_ENCRYPTION_KEY_FILE: secretFile(`${KEY}\r\n`),
      SMTP_URL_FILE: secretFile('smtps://mailer:pw@mail.example.com:465\n'),
      CRM_CUSTOMER_API_KEY_FILE: secretFile('intake-key-0123456789'),
    });
    expect(config.databaseUrl).toBe('postgres://cims:p%40ss@db.example.com/cims');
    expect(config.jwtSecret).toBe(JWT);
    expect(Buffer.from(config.encryption.key ?? []).toString('hex')).toBe(KEY);
    expect(config.smtpUrl).toBe('smtps://mailer:pw@mail.example.com:465');
    expect(config.crm.intakeApiKey).toBe('intake-key-0123456789');
  });

  it('refuses a secret set both ways, naming both variables', () => {
    const problems = problemsOf(() => loadConfig({ JWT_SECRET: JWT, JWT_SECRET_FILE: secretFile(JWT) }));
    expect(problems).toBe('JWT_SECRET and JWT_SECRET_FILE: set one or the other, not both');
  });

  it('reports a missing or empty file with the variable and the path, beside the other problems', () => {
    const missing = path.join(tmpdir(), 'cims-no-such-secret');
    const empty = secretFile('\n');
    const problems = problemsOf(() => loadConfig({ JWT_SECRET_FILE: missing, SMTP_URL_FILE: empty, PORT: 'eighty' }));
    expect(problems).toContain(`JWT_SECRET_FILE="${missing}": cannot read the file (ENOENT)`);
    expect(problems).toContain(`SMTP_URL_FILE="${empty}": the file is empty`);
    expect(problems).toContain('PORT="eighty"');
  });

  it.runIf(process.getuid?.() !== 0)('reports an unreadable file without its content', () => {
    const file = secretFile('unreadable-secret-value-123456789');
    chmodSync(file, 0o000);
    const problems = problemsOf(() => loadConfig({ JWT_SECRET_FILE: file }));
    expect(problems).toBe(`JWT_SECRET_FILE="${file}": cannot read the file (EACCES)`);
  });

  it('never echoes a value read from a file when it is invalid', () => {
    const problems = problemsOf(() =>
      loadConfig({
        SMTP_URL_FILE: secretFile('http://mailer:leaked-password@mail.example.com'),
        JWT_SECRET_FILE: secretFile('short-leaked-secret'),
      }),
    );
    expect(problems).toMatch(/SMTP_URL: must be an smtp/);
    expect(problems).toMatch(/JWT_SECRET: must be at least 32 bytes/);
    expect(problems).not.toContain('leaked');
  });

  it('takes a relative path from the working folder', () => {
    const file = secretFile(JWT, 'jwt');
    expect(loadConfig({ JWT_SECRET_FILE: 'jwt' }, path.dirname(file)).jwtSecret).toBe(JWT);
  });

  it('serves the import command too: FERNET_PASSWORD_FILE and TELEGRAM_AUDIO_BOT_TOKEN_FILE', () => {
    const env = loadImportEnv({
      FERNET_PASSWORD_FILE: secretFile('fernet-password\n'),
      TELEGRAM_AUDIO_BOT_TOKEN_FILE: secretFile('123:bot-token\n'),
    });
    expect(env).toMatchObject({ FERNET_PASSWORD: 'fernet-password', TELEGRAM_AUDIO_BOT_TOKEN: '123:bot-token' });
    expect(() => loadImportEnv({ FERNET_PASSWORD: 'a', FERNET_PASSWORD_FILE: secretFile('b') })).toThrow(
      'FERNET_PASSWORD and FERNET_PASSWORD_FILE: set one or the other, not both',
    );
    expect(() => loadImportEnv({})).toThrow(/FERNET_PASSWORD/);
  });
});

describe('DATABASE_SSL', () => {
  const url = 'postgres://u@db.example.com/cims';
  const base = { NODE_ENV: 'production', JWT_SECRET: JWT, SMTP_URL: 'smtp://m', CIMS_ENCRYPTION_KEY: KEY };

  it('is off unless asked for, as before', () => {
    expect(loadConfig({ ...base, DATABASE_URL: url }).database.ssl).toEqual({ mode: 'disable' });
  });

  it('takes require or verify-full, with a CA file for the latter', () => {
    expect(loadConfig({ ...base, DATABASE_URL: url, DATABASE_SSL: 'require' }).database.ssl).toEqual({
      mode: 'require',
    });
    expect(loadConfig({ ...base, DATABASE_URL: url, DATABASE_SSL: 'verify-full' }).database.ssl).toEqual({
      mode: 'verify-full',
    });
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const ca = secretFile(pem, 'ca.pem');
    const config = loadConfig({ ...base, DATABASE_URL: url, DATABASE_SSL: 'verify-full', DATABASE_SSL_CA_FILE: ca });
    expect(config.database.ssl).toEqual({ mode: 'verify-full', ca: pem });
  });

  it('honours sslmode in DATABASE_URL, which must agree with DATABASE_SSL when both are set', () => {
    expect(loadConfig({ ...base, DATABASE_URL: `${url}?sslmode=require` }).database.ssl).toEqual({ mode: 'require' });
    expect(
      loadConfig({ ...base, DATABASE_URL: `${url}?sslmode=verify-full`, DATABASE_SSL: 'verify-full' }).database.ssl,
    ).toEqual({ mode: 'verify-full' });
    expect(
      problemsOf(() => loadConfig({ ...base, DATABASE_URL: `${url}?sslmode=disable`, DATABASE_SSL: 'require' })),
    ).toBe('DATABASE_SSL=require and sslmode=disable in DATABASE_URL: they disagree; set one');
  });

  it('refuses what would silently weaken it, with the reason', () => {
    expect(problemsOf(() => loadConfig({ ...base, DATABASE_URL: `${url}?sslmode=prefer` }))).toMatch(
      /sslmode=prefer is not supported; use disable, require or verify-full/,
    );
    expect(problemsOf(() => loadConfig({ ...base, DATABASE_URL: `${url}?sslrootcert=/ca.pem` }))).toMatch(
      /the sslrootcert parameter is not read; set DATABASE_SSL/,
    );
    expect(problemsOf(() => loadConfig({ ...base, DATABASE_URL: url, DATABASE_SSL: 'verify' }))).toMatch(
      /DATABASE_SSL="verify"/,
    );
    const ca = secretFile('-----BEGIN CERTIFICATE-----\n', 'ca.pem');
    expect(
      problemsOf(() => loadConfig({ ...base, DATABASE_URL: url, DATABASE_SSL: 'require', DATABASE_SSL_CA_FILE: ca })),
    ).toMatch(/DATABASE_SSL_CA_FILE: only read with DATABASE_SSL=verify-full/);
    const missing = path.join(tmpdir(), 'cims-no-such-ca.pem');
    expect(
      problemsOf(() =>
        loadConfig({ ...base, DATABASE_URL: url, DATABASE_SSL: 'verify-full', DATABASE_SSL_CA_FILE: missing }),
      ),
    ).toBe(`DATABASE_SSL_CA_FILE="${missing}": cannot read the file (ENOENT)`);
    const notPem = secretFile('hello', 'ca.txt');
    expect(
      problemsOf(() =>
        loadConfig({ ...base, DATABASE_URL: url, DATABASE_SSL: 'verify-full', DATABASE_SSL_CA_FILE: notPem }),
      ),
    ).toMatch(/not a PEM certificate file/);
  });
});

describe('SHUTDOWN_DRAIN_MS', () => {
  it('defaults to 5 s in production and none otherwise', () => {
    const production = { NODE_ENV: 'production', JWT_SECRET: JWT, SMTP_URL: 'smtp://m', CIMS_ENCRYPTION_KEY: KEY };
    expect(loadConfig(production).shutdownDrainMs).toBe(5_000);
    expect(loadConfig({}).shutdownDrainMs).toBe(0);
    expect(loadConfig({ ...production, SHUTDOWN_DRAIN_MS: '0' }).shutdownDrainMs).toBe(0);
    expect(loadConfig({ SHUTDOWN_DRAIN_MS: '15000' }).shutdownDrainMs).toBe(15_000);
    expect(problemsOf(() => loadConfig({ SHUTDOWN_DRAIN_MS: '-1' }))).toMatch(/SHUTDOWN_DRAIN_MS="-1"/);
  });
});
