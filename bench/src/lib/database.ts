import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';

export { createFreshDatabase, type FreshDatabase } from '@cims/server/bench';

/** The server's hashing of refresh tokens (apps/server/src/modules/auth/crypto.ts): SHA-256, hex. */
export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * Mints `count` fresh, unspent refresh tokens for `userId`, each in a session of its own (as `count` logins would),
 * straight through SQL with the server's token format (64 random bytes, base64url) and hashing. Much faster than
 * logging in `count` times at bcrypt cost 12. The session's user agent briefly carries the hash, to pair each session
 * with its token in one statement. Ends with VACUUM ANALYZE, so every measured phase starts on a tidy table.
 */
export async function mintRefreshTokens(
  db: pg.Client,
  userId: number,
  count: number,
  sessionDays: number,
): Promise<string[]> {
  const tokens = Array.from({ length: count }, () => randomBytes(64).toString('base64url'));
  const CHUNK = 10_000;
  for (let i = 0; i < tokens.length; i += CHUNK) {
    const hashes = tokens.slice(i, i + CHUNK).map(sha256);
    await db.query(
      `with s as (
         insert into auth_session (user_id, user_agent, ip_address, created_at, last_used_at, expires_at)
         select $1, h, '127.0.0.1', now(), now(), now() + make_interval(days => $3) from unnest($2::text[]) as h
         returning id, user_agent)
       insert into refresh_token (session_id, token_hash, created_at) select id, user_agent, now() from s`,
      [userId, hashes, sessionDays],
    );
  }
  await db.query(`update auth_session set user_agent = 'cims-bench' where user_agent ~ '^[0-9a-f]{64}$'`);
  await db.query('vacuum analyze auth_session, refresh_token, rate_limit_hit');
  return tokens;
}

/** How many refresh tokens have been spent so far (to check that every 2xx refresh spent exactly one). */
export async function spentTokenCount(db: pg.Client): Promise<number> {
  const { rows } = await db.query<{ n: string }>('select count(*) as n from refresh_token where spent_at is not null');
  return Number(rows[0]?.n);
}
