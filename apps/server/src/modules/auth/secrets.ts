import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config.js';

/**
 * The key material of the server: the JWT signing key and separate keys for one-time codes, refresh successors and
 * signed URLs, all derived from `JWT_SECRET`. Without it (development and tests only; production refuses to start), a random secret is generated
 * once and kept in the data folder, so tokens survive restarts.
 */
export interface AuthKeys {
  jwt: Uint8Array;
  codes: Uint8Array;
  /** Seals the successor of a spent refresh token (AES-256-GCM). */
  successors: Uint8Array;
  /** Signs the short-lived `audio_url` of call recordings (HMAC-SHA-256). */
  audioUrls: Uint8Array;
}

/** A key for one purpose, derived from the secret (HMAC-SHA-256 with the purpose as message). */
function derive(secret: string, purpose: string): Uint8Array {
  return new Uint8Array(createHmac('sha256', secret).update(purpose).digest());
}

/** Reads or creates the development secret in the data folder. */
function developmentSecret(dataDir: string): string {
  const file = path.join(dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}

export function loadAuthKeys(config: Pick<Config, 'jwtSecret' | 'dataDir' | 'env'>): AuthKeys {
  const secret =
    config.jwtSecret ??
    (config.env === 'test' ? randomBytes(48).toString('base64url') : developmentSecret(config.dataDir));
  return {
    jwt: derive(secret, 'cims-access-token'),
    codes: derive(secret, 'cims-one-time-code'),
    successors: derive(secret, 'cims-refresh-successor'),
    audioUrls: derive(secret, 'cims-audio-url'),
  };
}
