import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { base64url, randomBytes } from './tokens.js';

/** What checking a signed URL found. */
export type SignatureCheck = 'valid' | 'invalid' | 'expired';

/**
 * Signs and checks short-lived URLs the way the server signs `audio_url`: `sig` is the base64url HMAC-SHA256 of
 * `"<subject>.<expires>"` (the subject is the resource id, e.g. a recording's file id), `expires` unix seconds. The key
 * is random per mock API, so a URL from one mock API does not work on another. Synchronous (@noble/hashes), so it
 * also works where Web Crypto is missing (pages served over plain http).
 */
export function createUrlSigner(options: { now: () => number; ttlSeconds: number }) {
  const key = randomBytes(32);
  const mac = (subject: string, expires: string) =>
    base64url(hmac(sha256, key, new TextEncoder().encode(`${subject}.${expires}`)));
  return {
    /** `expires` and `sig` for the subject, valid for `ttlSeconds` from now. */
    sign(subject: string): { expires: string; sig: string } {
      const expires = String(Math.floor(options.now() / 1000) + options.ttlSeconds);
      return { expires, sig: mac(subject, expires) };
    },
    check(subject: string, expires: string | null, sig: string | null): SignatureCheck {
      if (!expires || !sig || !/^\d+$/.test(expires) || mac(subject, expires) !== sig) return 'invalid';
      return Number(expires) * 1000 <= options.now() ? 'expired' : 'valid';
    },
  };
}

/** The URL signer of one mock API. */
export type UrlSigner = ReturnType<typeof createUrlSigner>;
