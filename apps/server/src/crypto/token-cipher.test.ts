import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseEncryptionKey } from '../config.js';
import { keyIdOf, loadTokenCipher, SecretUnreadableError, TokenCipher } from './token-cipher.js';

const TOKEN = 'EAAGm0PX4ZCpsBAExampleLongLivedToken';

describe('TokenCipher', () => {
  it('seals with AES-256-GCM under the current key id and opens again; each seal has its own IV', () => {
    const key = randomBytes(32);
    const cipher = new TokenCipher(key);
    const a = cipher.seal(TOKEN, 'instagram-token:1');
    const b = cipher.seal(TOKEN, 'instagram-token:1');
    expect(a.keyId).toBe(keyIdOf(key));
    expect(a.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(a.iv).not.toBe(b.iv);
    expect(a.ciphertext).not.toBe(b.ciphertext);
    expect(Buffer.from(a.iv, 'base64url')).toHaveLength(12);
    expect(Buffer.from(a.tag, 'base64url')).toHaveLength(16);
    expect(JSON.stringify(a)).not.toContain(TOKEN);
    expect(cipher.open(a, 'instagram-token:1')).toEqual({ plaintext: TOKEN, stale: false });
  });

  it('refuses a tampered ciphertext, another context, or an unknown key', () => {
    const cipher = new TokenCipher(randomBytes(32));
    const sealed = cipher.seal(TOKEN, 'instagram-token:1');
    const flipped = Buffer.from(sealed.ciphertext, 'base64url');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(() => cipher.open({ ...sealed, ciphertext: flipped.toString('base64url') }, 'instagram-token:1')).toThrow(
      SecretUnreadableError,
    );
    expect(() => cipher.open(sealed, 'instagram-token:2')).toThrow(SecretUnreadableError);
    expect(() => new TokenCipher(randomBytes(32)).open(sealed, 'instagram-token:1')).toThrow(/key id/);
  });

  it('opens what an older key sealed, and says it is stale', () => {
    const old = randomBytes(32);
    const sealed = new TokenCipher(old).seal(TOKEN, 'c');
    const rotated = new TokenCipher(randomBytes(32), [old]);
    expect(rotated.open(sealed, 'c')).toEqual({ plaintext: TOKEN, stale: true });
    expect(rotated.seal(TOKEN, 'c').keyId).toBe(rotated.keyId);
  });
});

describe('the encryption key', () => {
  it('is read as 64 hex digits or base64 of 32 bytes', () => {
    const key = randomBytes(32);
    for (const text of [key.toString('hex'), key.toString('base64'), key.toString('base64url')]) {
      expect(Buffer.from(parseEncryptionKey(text) ?? [])).toEqual(key);
    }
    expect(parseEncryptionKey(randomBytes(16).toString('base64'))).toBeUndefined();
    expect(parseEncryptionKey('not a key')).toBeUndefined();
  });

  it('is required in production; a bad one is reported without its value', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), SMTP_URL: 'smtp://mail' })).toThrow(
      /CIMS_ENCRYPTION_KEY: required when NODE_ENV=production/,
    );
    expect(() => loadConfig({ CIMS_ENCRYPTION_KEY: 'tooshort-secret' })).toThrow(
      /CIMS_ENCRYPTION_KEY: must be 32 bytes/,
    );
    expect(() => loadConfig({ CIMS_ENCRYPTION_KEY: 'tooshort-secret' })).not.toThrow(/tooshort/);
    expect(() => loadConfig({ CIMS_ENCRYPTION_KEYS_PREVIOUS: `${randomBytes(32).toString('hex')},nope` })).toThrow(
      /CIMS_ENCRYPTION_KEYS_PREVIOUS: key 2 must be 32 bytes/,
    );
  });

  it('in development is generated once and kept in the data folder (mode 0600)', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'cims-test-key-'));
    try {
      const config = loadConfig({ CIMS_DATA_DIR: dataDir });
      const first = loadTokenCipher(config);
      const second = loadTokenCipher(config);
      expect(second.keyId).toBe(first.keyId);
      const file = path.join(dataDir, 'encryption-key');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(keyIdOf(parseEncryptionKey(readFileSync(file, 'utf8')) ?? new Uint8Array())).toBe(first.keyId);
      // A configured key wins over the file.
      const configured = randomBytes(32);
      const fromEnv = loadTokenCipher(
        loadConfig({ CIMS_DATA_DIR: dataDir, CIMS_ENCRYPTION_KEY: configured.toString('hex') }),
      );
      expect(fromEnv.keyId).toBe(keyIdOf(configured));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
