import { createDecipheriv, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';

/**
 * The legacy CIMS encrypted customer names and phone numbers with Fernet (Python's `cryptography`), under a key derived
 * from its `FERNET_PASSWORD` setting. This reads those tokens with node:crypto; the tests make them with an
 * independent Fernet implementation, so both sides of the format are checked.
 *
 * A Fernet token is URL-safe base64 of: version 0x80 ‖ 8-byte timestamp ‖ 16-byte IV ‖ AES-128-CBC ciphertext (PKCS#7)
 * ‖ HMAC-SHA256 over everything before it. The 32-byte key is the HMAC key (first half) and the AES key (second half).
 */

/** Why a token could not be read. */
export type FernetFailure = 'not a Fernet token' | 'wrong key or altered token' | 'not UTF-8 text';

/** A token that could not be decrypted, with the reason. */
export class FernetError extends Error {
  constructor(readonly reason: FernetFailure) {
    super(reason);
    this.name = 'FernetError';
  }
}

/** The legacy key derivation: PBKDF2-HMAC-SHA256 of the password, salt `cims_customer_salt`, 390,000 iterations. */
export function legacyFernetKey(password: string): Buffer {
  return pbkdf2Sync(Buffer.from(password, 'utf8'), Buffer.from('cims_customer_salt', 'utf8'), 390_000, 32, 'sha256');
}

const VERSION = 0x80;
const HEADER = 1 + 8 + 16;
const MAC = 32;
// ignoreBOM: a leading U+FEFF is part of the text, as Python's decode() keeps it.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decrypts one Fernet token to its text; no time-to-live is applied (the legacy app never set one). */
export function decryptFernet(key: Buffer, token: string): string {
  const trimmed = token.trim();
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(trimmed)) throw new FernetError('not a Fernet token');
  const data = Buffer.from(trimmed, 'base64url');
  const bodyLength = data.length - HEADER - MAC;
  if (data[0] !== VERSION || bodyLength <= 0 || bodyLength % 16 !== 0) throw new FernetError('not a Fernet token');
  const signed = data.subarray(0, data.length - MAC);
  const expected = createHmac('sha256', key.subarray(0, 16)).update(signed).digest();
  if (!timingSafeEqual(expected, data.subarray(data.length - MAC))) throw new FernetError('wrong key or altered token');
  let plaintext: Buffer;
  try {
    const decipher = createDecipheriv('aes-128-cbc', key.subarray(16, 32), data.subarray(9, HEADER));
    plaintext = Buffer.concat([decipher.update(data.subarray(HEADER, data.length - MAC)), decipher.final()]);
  } catch {
    throw new FernetError('wrong key or altered token');
  }
  try {
    return utf8.decode(plaintext);
  } catch {
    throw new FernetError('not UTF-8 text');
  }
}
