import { randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';

const ISSUER = 'cims';
const AUDIENCE = 'cims-api';
const TYPE = 'at+jwt';

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

  /** The claims of a valid token, or undefined for anything else (expired, tampered, wrong type, garbage). */
  async verify(token: string): Promise<AccessClaims | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        typ: TYPE,
        clockTolerance: 30,
        requiredClaims: ['sub', 'sid', 'exp', 'iat', 'jti'],
      });
      const userId = Number(payload.sub);
      const sessionId = payload.sid;
      if (!Number.isInteger(userId) || typeof sessionId !== 'number' || !Number.isInteger(sessionId)) return undefined;
      return { userId, sessionId };
    } catch (error) {
      if (error instanceof errors.JOSEError) return undefined;
      throw error;
    }
  }
}
