import type { Client } from 'pg';
import type { LegacyRefreshTokenFact, LegacyUserFact } from './facts.js';
import type { SeededRandom } from './random.js';
import { addDays, toNaiveUtc, utcNaiveToIso } from './time.js';

/** Like Python's `secrets.token_urlsafe(64)`: 64 bytes, URL-safe base64 without padding, 86 characters. */
function tokenUrlsafe64(random: SeededRandom): string {
  return random.bytes(64).toString('base64url');
}

/**
 * An active token (expires in 14 days), an expired one and a revoked one (`is_active` false, not expired) for `user`.
 * Expiry is relative to `now`, so "active" stays true whenever the fixture is built.
 */
export async function insertRefreshTokens(
  client: Client,
  { random, user, now }: { random: SeededRandom; user: LegacyUserFact; now: Date },
): Promise<LegacyRefreshTokenFact[]> {
  const specs: [LegacyRefreshTokenFact['kind'], number, boolean][] = [
    ['active', -1, true],
    ['expired', -20, true],
    ['revoked', -2, false],
  ];
  const facts: LegacyRefreshTokenFact[] = [];
  for (const [kind, createdDaysAgo, isActive] of specs) {
    const token = tokenUrlsafe64(random);
    // Whole seconds: the importer compares instants, and sub-second noise would only make the facts harder to use.
    const created = toNaiveUtc(addDays(new Date(Math.floor(now.getTime() / 1000) * 1000), createdDaysAgo));
    const expires = toNaiveUtc(addDays(new Date(`${created.replace(' ', 'T')}Z`), 15));
    await client.query(
      `INSERT INTO refresh_token (user_id, token, expires_at, created_at, is_active, device_info)
       VALUES ($1, $2, $3, $4, $5, NULL)`,
      [user.id, token, expires, created, isActive],
    );
    facts.push({
      kind,
      token,
      userId: user.id,
      createdAt: utcNaiveToIso(created),
      expiresAt: utcNaiveToIso(expires),
      isActive,
    });
  }
  return facts;
}

/** `verification_code` rows: a used code (the literal `"0"`), a pending e-mail code and a pending reset code. */
export async function insertVerificationCodes(
  client: Client,
  users: Record<string, LegacyUserFact>,
): Promise<{ userId: number; type: 'verify_email' | 'reset_password'; code: string }[]> {
  const rows: { userId: number; type: 'verify_email' | 'reset_password'; code: string }[] = [];
  const add = (key: string, type: 'verify_email' | 'reset_password', code: string) => {
    const user = users[key];
    if (user) rows.push({ userId: user.id, type, code });
  };
  add('ceoBoth', 'verify_email', '0');
  add('crmMember', 'verify_email', '0');
  add('unverifiedCustomer', 'verify_email', '4821');
  add('telegramUser', 'reset_password', '0937');
  add('crmMember', 'reset_password', '0');
  if (rows.length === 0) return rows;
  await client.query(
    `INSERT INTO verification_code (user_id, code, type)
     SELECT * FROM unnest($1::int[], $2::text[], $3::text[])`,
    [rows.map((r) => r.userId), rows.map((r) => r.code), rows.map((r) => r.type)],
  );
  return rows;
}
