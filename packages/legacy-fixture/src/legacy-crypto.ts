import { pbkdf2Sync } from 'node:crypto';
import fernet from 'fernet';

/** The legacy app's static PBKDF2 salt, from its configuration. */
export const LEGACY_FERNET_SALT = 'cims_customer_salt';
/** The legacy app's PBKDF2 iteration count, from its configuration. */
export const LEGACY_FERNET_ITERATIONS = 390_000;

/**
 * Derives the Fernet key exactly as the legacy app does: PBKDF2-HMAC-SHA256(password, `cims_customer_salt`,
 * 390 000 iterations, 32 bytes), URL-safe base64 with padding (Python's `base64.urlsafe_b64encode`).
 *
 * @example deriveLegacyFernetKey('secret') // 44 characters ending in '='
 */
export function deriveLegacyFernetKey(password: string): string {
  const raw = pbkdf2Sync(password, LEGACY_FERNET_SALT, LEGACY_FERNET_ITERATIONS, 32, 'sha256');
  return raw.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

/**
 * Encrypts with the independent `fernet` 0.4.0 library, never with our own code: the importer decrypts with
 * node:crypto, so a mistake on either side shows up instead of cancelling out.
 */
export class LegacyFernet {
  readonly key: string;
  readonly #secret: fernet.Secret;

  constructor(password: string) {
    this.key = deriveLegacyFernetKey(password);
    this.#secret = new fernet.Secret(this.key);
  }

  /**
   * One Fernet token for `plaintext` (UTF-8), stamped with `at` (whole seconds; the library mis-encodes fractions).
   * The IV is random, as in the legacy app, so equal plaintexts give different tokens.
   */
  encrypt(plaintext: string, at: Date): string {
    const seconds = Math.floor(at.getTime() / 1000) * 1000;
    const token = new fernet.Token({ secret: this.#secret, ttl: 0, time: new Date(seconds).toISOString() });
    return token.encode(plaintext);
  }
}
