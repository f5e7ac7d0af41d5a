import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** A new refresh token: 64 random bytes, base64url. */
export function newRefreshToken(): string {
  return randomBytes(64).toString('base64url');
}

/** SHA-256 in hex: what is stored of a refresh token. */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** A 6-digit code from the CSPRNG. */
export function newCode(): string {
  return randomInt(0, 1_000_000).toString().padStart(6, '0');
}

/**
 * What is stored of a one-time code: an HMAC keyed with a server secret and bound to the user and purpose, so a
 * leaked table cannot be brute-forced (a million codes) without the key, and a code cannot be replayed elsewhere.
 */
export function codeHash(
  key: Uint8Array,
  { userId, purpose, code }: { userId: number; purpose: string; code: string },
): string {
  return createHmac('sha256', key).update(`${userId}:${purpose}:${code}`).digest('hex');
}

/** Constant-time comparison of two hex digests. */
export function sameDigest(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
