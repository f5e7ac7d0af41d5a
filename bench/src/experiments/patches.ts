/**
 * EXPERIMENTS, never on by default: the suspected fixes of the server's latency under login load, applied at runtime
 * to the server's own classes (`BENCH_PATCH=sync-jwt,bcrypt-limit` on the server process), so they can be measured
 * before anyone changes the server. Nothing here is used by the benchmark's normal run.
 *
 * - `sync-jwt`: HS256 sign/verify with `node:crypto`'s synchronous HMAC instead of jose, whose WebCrypto HMAC is an
 *   async job on libuv's thread pool — the pool bcrypt occupies during logins. The same checks as
 *   `AccessTokens.verify` (alg pinned, typ, iss, aud, exp/iat with 30 s tolerance, required claims).
 * - `bcrypt-limit`: at most `BENCH_BCRYPT_CONCURRENCY` (default: cores − 1, at least 1) bcrypt operations at once; the
 *   others wait in a queue, so password hashing can never take every core and every pool thread.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import os from 'node:os';
import { type AccessClaims, AccessTokens } from '../../../apps/server/src/modules/auth/access-tokens.js';
import { Passwords } from '../../../apps/server/src/modules/auth/passwords.js';

const b64 = (value: string) => Buffer.from(value, 'base64url');
const json64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function patchSyncJwt(): void {
  AccessTokens.prototype.sign = async function sign(this: AccessTokens, claims: AccessClaims, now = new Date()) {
    const iat = Math.floor(now.getTime() / 1000);
    const head = json64({ alg: 'HS256', typ: 'at+jwt' });
    const body = json64({
      sid: claims.sessionId,
      sub: String(claims.userId),
      jti: randomUUID(),
      iss: 'cims',
      aud: 'cims-api',
      iat,
      exp: iat + this.lifetimeSeconds,
    });
    const signature = createHmac('sha256', this.key).update(`${head}.${body}`).digest('base64url');
    return `${head}.${body}.${signature}`;
  };
  AccessTokens.prototype.verify = async function verify(this: AccessTokens, token: string) {
    const [head, body, signature, extra] = token.split('.');
    if (!head || !body || !signature || extra !== undefined) return undefined;
    const expected = createHmac('sha256', this.key).update(`${head}.${body}`).digest();
    const given = b64(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const header = JSON.parse(b64(head).toString()) as { alg?: unknown; typ?: unknown };
      if (header.alg !== 'HS256' || String(header.typ).toLowerCase() !== 'at+jwt') return undefined;
      const claims = JSON.parse(b64(body).toString()) as Record<string, unknown>;
      const now = Math.floor(Date.now() / 1000);
      const aud = claims.aud;
      if (claims.iss !== 'cims' || !(aud === 'cims-api' || (Array.isArray(aud) && aud.includes('cims-api')))) {
        return undefined;
      }
      if (typeof claims.exp !== 'number' || claims.exp <= now - 30) return undefined;
      if (typeof claims.iat !== 'number' || claims.iat > now + 30) return undefined;
      if (typeof claims.jti !== 'string') return undefined;
      const userId = Number(claims.sub);
      const sessionId = claims.sid;
      if (!Number.isInteger(userId) || typeof sessionId !== 'number' || !Number.isInteger(sessionId)) return undefined;
      return { userId, sessionId };
    } catch {
      return undefined;
    }
  };
}

function patchBcryptLimit(): void {
  const limit = Number(process.env.BENCH_BCRYPT_CONCURRENCY) || Math.max(1, os.availableParallelism() - 1);
  let running = 0;
  const waiting: (() => void)[] = [];
  const limited = async <T>(work: () => Promise<T>): Promise<T> => {
    // A finishing operation hands its slot straight to the next in line, so `running` never exceeds `limit`.
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
  const { hash, verify, verifyNothing } = Passwords.prototype;
  Passwords.prototype.hash = function (this: Passwords, password: string) {
    return limited(() => hash.call(this, password));
  };
  Passwords.prototype.verify = function (this: Passwords, password: string, digest: string) {
    return limited(() => verify.call(this, password, digest));
  };
  Passwords.prototype.verifyNothing = function (this: Passwords, password: string) {
    return limited(() => verifyNothing.call(this, password));
  };
  console.error(`EXPERIMENT: at most ${limit} bcrypt operation(s) at once`);
}

export function applyPatches(names: string[]): void {
  for (const name of names) {
    if (name === 'sync-jwt') patchSyncJwt();
    else if (name === 'bcrypt-limit') patchBcryptLimit();
    else throw new Error(`BENCH_PATCH: unknown patch ${name}; known: sync-jwt, bcrypt-limit`);
  }
  console.error(`EXPERIMENT: patched ${names.join(', ')}`);
}
