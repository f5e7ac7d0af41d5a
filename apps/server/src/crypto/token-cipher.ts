import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Config, parseEncryptionKey } from '../config.js';

/** A secret sealed with AES-256-GCM: the id of the key that sealed it, the IV, the auth tag and the ciphertext. */
export interface SealedSecret {
  keyId: string;
  /** 12 random bytes, base64url. */
  iv: string;
  /** The 16-byte GCM tag, base64url. */
  tag: string;
  /** base64url. */
  ciphertext: string;
}

/** No configured key has the id a secret was sealed with, or the secret does not open with it (tampered). */
export class SecretUnreadableError extends Error {
  constructor(readonly keyId: string) {
    super(`The stored secret cannot be decrypted with the configured keys (key id ${keyId})`);
    this.name = 'SecretUnreadableError';
  }
}

/** GCM's recommended IV size and its full tag: what {@link TokenCipher.seal} writes and all that `open` accepts. */
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A short, stable name of a key (the first 16 hex digits of its SHA-256), stored beside what it sealed. */
export function keyIdOf(key: Uint8Array): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/**
 * Encrypts the secrets the server must recover (third-party access tokens) with AES-256-GCM. Each secret is bound to
 * a context string (authenticated, not stored), so a sealed value copied to another record does not open. Older keys
 * still open what they sealed; {@link open} says when a secret should be sealed again with the current key.
 */
export class TokenCipher {
  readonly keyId: string;
  readonly #current: Uint8Array;
  readonly #keys: Map<string, Uint8Array>;

  constructor(current: Uint8Array, previous: readonly Uint8Array[] = []) {
    if (current.length !== 32) throw new RangeError('An AES-256 key has 32 bytes');
    this.#current = current;
    this.keyId = keyIdOf(current);
    this.#keys = new Map([...previous, current].map((key) => [keyIdOf(key), key]));
  }

  /** Seals `plaintext` with the current key. */
  seal(plaintext: string, context: string): SealedSecret {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#current, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return {
      keyId: this.keyId,
      iv: iv.toString('base64url'),
      tag: cipher.getAuthTag().toString('base64url'),
      ciphertext: ciphertext.toString('base64url'),
    };
  }

  /**
   * Opens a sealed secret; `stale` is true when an older key sealed it (seal it again on the next write).
   * @throws {SecretUnreadableError} when no configured key has its id, or it was altered.
   */
  open(sealed: SealedSecret, context: string): { plaintext: string; stale: boolean } {
    const key = this.#keys.get(sealed.keyId);
    if (!key) throw new SecretUnreadableError(sealed.keyId);
    try {
      const iv = Buffer.from(sealed.iv, 'base64url');
      const tag = Buffer.from(sealed.tag, 'base64url');
      // Only what seal() writes: a shortened tag would be a weaker check, which GCM would otherwise accept.
      if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretUnreadableError(sealed.keyId);
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(tag);
      const plaintext = Buffer.concat([
        decipher.update(Buffer.from(sealed.ciphertext, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
      return { plaintext, stale: sealed.keyId !== this.keyId };
    } catch {
      throw new SecretUnreadableError(sealed.keyId);
    }
  }
}

const TEXT_VERSION = 'v1';

/**
 * A sealed secret as one text (for a single text column): `v1.<key id>.<iv>.<tag>.<ciphertext>`. The parts are hex
 * and base64url, so the dots cannot occur inside one.
 */
export function sealedToText(sealed: SealedSecret): string {
  return [TEXT_VERSION, sealed.keyId, sealed.iv, sealed.tag, sealed.ciphertext].join('.');
}

/** The sealed secret of {@link sealedToText}, or undefined for any other text (an older format, garbage). */
export function sealedFromText(text: string): SealedSecret | undefined {
  const parts = text.split('.');
  if (parts.length !== 5 || parts[0] !== TEXT_VERSION) return undefined;
  const [, keyId = '', iv = '', tag = '', ciphertext = ''] = parts;
  return { keyId, iv, tag, ciphertext };
}

/** Reads or creates the development key in the data folder (as the development JWT secret is kept). */
function developmentKey(dataDir: string): Uint8Array {
  const file = path.join(dataDir, 'encryption-key');
  if (existsSync(file)) {
    const key = parseEncryptionKey(readFileSync(file, 'utf8'));
    if (!key) throw new Error(`${file} does not hold a 32-byte key; delete it to have a new one generated`);
    return key;
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return new Uint8Array(key);
}

/**
 * The cipher of a configuration: `CIMS_ENCRYPTION_KEY` (required in production), else a random key for tests, else
 * the development key generated once in the data folder; `CIMS_ENCRYPTION_KEYS_PREVIOUS` still decrypt.
 */
export function loadTokenCipher(config: Pick<Config, 'encryption' | 'dataDir' | 'env'>): TokenCipher {
  const key =
    config.encryption.key ?? (config.env === 'test' ? new Uint8Array(randomBytes(32)) : developmentKey(config.dataDir));
  return new TokenCipher(key, config.encryption.previousKeys);
}
