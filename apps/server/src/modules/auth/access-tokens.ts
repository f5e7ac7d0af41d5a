import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { SignJWT } from 'jose';

const ISSUER = 'cims';
const AUDIENCE = 'cims-api';
const TYPE = 'at+jwt';
const CLOCK_TOLERANCE_SECONDS = 30;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * The bytes of a segment in canonical base64url (RFC 7515: no padding, no other alphabet, unused bits zero), or
 * undefined. Node's decoder is lenient (it skips `=`, accepts `+` and `/`, ignores the unused bits), so the text
 * must also be exactly what encoding the bytes gives back: one token has one spelling.
 */
function canonical(segment: string): Buffer | undefined {
  if (!BASE64URL.test(segment)) return undefined;
  const bytes = Buffer.from(segment, 'base64url');
  return bytes.toString('base64url') === segment ? bytes : undefined;
}

/** What an access token says: who, in which session. */
export interface AccessClaims {
  userId: number;
  sessionId: number;
}

/**
 * Access tokens: HS256 JWTs with `sub` (user id), `sid` (session id), `jti`, `iat`, `exp`, `iss`, `aud` and the
 * explicit type `at+jwt` (RFC 9068), so no other JWT of ours can pass as one. Verification pins the algorithm.
 */
export class AccessTokens {
  constructor(
    readonly key: Uint8Array,
    readonly lifetimeSeconds: number,
  ) {}

  async sign(claims: AccessClaims, now = new Date()): Promise<string> {
    const iat = Math.floor(now.getTime() / 1000);
    return new SignJWT({ sid: claims.sessionId })
      .setProtectedHeader({ alg: 'HS256', typ: TYPE })
      .setSubject(String(claims.userId))
      .setJti(randomUUID())
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.lifetimeSeconds)
      .sign(this.key);
  }

  /**
   * The claims of a valid token, or undefined for anything else (expired, tampered, wrong type, garbage).
   *
   * Verified with node:crypto's synchronous HMAC rather than jose: jose's WebCrypto HMAC is an async job on libuv's
   * thread pool, where it waits behind bcrypt during a burst of logins (bench/README.md measured a p99 of ~900 ms
   * for `GET /auth/me`). The checks are jose's for this profile: algorithm pinned to HS256, `typ` at+jwt, `iss`,
   * `aud`, `exp`/`iat` with 30 s of clock tolerance, and the required claims.
   */
  async verify(token: string): Promise<AccessClaims | undefined> {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [head = '', body = '', signature = ''] = parts;
    const headBytes = canonical(head);
    const bodyBytes = canonical(body);
    const given = canonical(signature);
    if (!headBytes || !bodyBytes || !given) return undefined;
    const expected = createHmac('sha256', this.key).update(`${head}.${body}`).digest();
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const header = JSON.parse(headBytes.toString('utf8')) as Record<string, unknown>;
      if (header.alg !== 'HS256' || header.typ !== TYPE || 'crit' in header) return undefined;
      const claims = JSON.parse(bodyBytes.toString('utf8')) as Record<string, unknown>;
      const now = Math.floor(Date.now() / 1000);
      const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
      if (claims.iss !== ISSUER || !audience.includes(AUDIENCE)) return undefined;
      if (typeof claims.exp !== 'number' || claims.exp <= now - CLOCK_TOLERANCE_SECONDS) return undefined;
      if (typeof claims.iat !== 'number' || claims.iat > now + CLOCK_TOLERANCE_SECONDS) return undefined;
      if (typeof claims.nbf === 'number' && claims.nbf > now + CLOCK_TOLERANCE_SECONDS) return undefined;
      if (typeof claims.jti !== 'string' || typeof claims.sub !== 'string') return undefined;
      const userId = Number(claims.sub);
      const sessionId = claims.sid;
      if (!Number.isInteger(userId) || typeof sessionId !== 'number' || !Number.isInteger(sessionId)) return undefined;
      return { userId, sessionId };
    } catch {
      // Not base64url JSON: not a token of ours.
      return undefined;
    }
  }
}
