import { PGlite } from '@electric-sql/pglite';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { asInt, query } from '../../src/db/sql.js';
import { createTestApp, type TestApp } from '../harness.js';
import { bearer, CEO, getJson, legacyLoginBody, login, SALES, sendJson, tokens } from './helpers.js';

const OWNER = { email: 'owner@example.com', name: 'Real', surname: 'Owner', password: 'owners-password' };
const SQUATTER_PASSWORD = 'squatters-password';

/** A login from a given client address (the app runs with TRUST_PROXY=1, so X-Forwarded-For is the client). */
async function loginFrom(t: TestApp, ip: string, email: string, password: string) {
  const res = await fetch(`${t.url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': ip },
    body: legacyLoginBody(email, password),
  });
  return { res, body: (await res.json()) as Record<string, unknown> };
}

function resetFrom(t: TestApp, ip: string, email: string, code: string | undefined, newPassword = 'a-new-password-1') {
  return sendJson(
    t,
    'POST',
    '/auth/reset-password',
    { email, code, new_password: newPassword },
    {
      'x-forwarded-for': ip,
    },
  );
}

const em = (t: TestApp) => t.server.app.context.db.orm.em.fork();

describe('a second registration of a pending address', () => {
  it('regression: re-registering an unverified address replaced its password (takeover of a pending sign-up)', async () => {
    await using t = await createTestApp();
    const first = await sendJson(t, 'POST', '/auth/register', OWNER);
    expect(first.res.status).toBe(201);
    const firstCode = (await t.inbox.latest(OWNER.email)).code;
    const [before] = await query(em(t), 'select password_hash, name from app_user where email = ?', [OWNER.email]);
    const second = await sendJson(t, 'POST', '/auth/register', {
      ...OWNER,
      name: 'Someone',
      password: SQUATTER_PASSWORD,
    });
    // The same answer as a new registration: nothing more is revealed.
    expect(second.res.status).toBe(201);
    expect(second.body).toEqual(first.body);
    const [after] = await query(em(t), 'select password_hash, name from app_user where email = ?', [OWNER.email]);
    expect(after).toEqual(before);
    expect((await login(t, OWNER.email, SQUATTER_PASSWORD)).body.code).toBe('INVALID_CREDENTIALS');
    // The earlier verification code no longer finishes the sign-up: only choosing a password with a code does.
    const verify = await sendJson(t, 'POST', '/auth/verify-email', { email: OWNER.email, code: firstCode });
    expect(verify.body.code).toBe('INVALID_CODE');
    const mail = await t.inbox.nth(OWNER.email, 2);
    expect(mail.subject).toBe('Finish your CIMS registration');
    const reset = await sendJson(t, 'POST', '/auth/reset-password', {
      email: OWNER.email,
      code: mail.code,
      new_password: 'owners-new-password',
    });
    expect(reset.res.status).toBe(200);
    const pair = await tokens(t, OWNER.email, 'owners-new-password');
    expect((await getJson(t, '/auth/me', bearer(pair.access_token))).body.email_verified).toBe(true);
  });

  it('regression: the owner of a squatted unverified address reclaims it with forgot/reset-password', async () => {
    await using t = await createTestApp();
    await sendJson(t, 'POST', '/auth/register', { ...OWNER, password: SQUATTER_PASSWORD });
    await sendJson(t, 'POST', '/auth/forgot-password', { email: OWNER.email });
    const { code, subject } = await t.inbox.nth(OWNER.email, 2);
    expect(subject).toBe('Your CIMS password reset code');
    const reset = await sendJson(t, 'POST', '/auth/reset-password', {
      email: OWNER.email,
      code,
      new_password: OWNER.password,
    });
    expect(reset.res.status).toBe(200);
    // Proving the mailbox verified the address; the squatter's password is gone.
    expect((await login(t, OWNER.email, OWNER.password)).res.status).toBe(200);
    expect((await login(t, OWNER.email, SQUATTER_PASSWORD)).res.status).toBe(401);
  });

  it('a verified address is still 409 EMAIL_TAKEN, and a second registration never adds a row', async () => {
    await using t = await createTestApp();
    const both = await Promise.all([
      sendJson(t, 'POST', '/auth/register', OWNER),
      sendJson(t, 'POST', '/auth/register', OWNER),
    ]);
    expect(both.map((r) => r.res.status)).toEqual([201, 201]);
    const [count] = await query(em(t), 'select count(*) as n from app_user where email = ?', [OWNER.email]);
    expect(asInt(count?.n)).toBe(1);
    const taken = await sendJson(t, 'POST', '/auth/register', { ...OWNER, email: CEO.email });
    expect([taken.res.status, taken.body.code]).toEqual([409, 'EMAIL_TAKEN']);
  });

  it('regression: POST /auth/register mailed a code on every call (mail flooding): the send limit applies', async () => {
    await using t = await createTestApp({ env: { RATE_LIMIT_ACCOUNT_MAX: '3' } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await sendJson(t, 'POST', '/auth/register', OWNER)).res.status);
    expect(statuses).toEqual([201, 201, 201, 429, 429]);
    // Shared with forgot-password: the address has used its budget.
    expect((await sendJson(t, 'POST', '/auth/forgot-password', { email: OWNER.email })).res.status).toBe(429);
    await t.inbox.nth(OWNER.email, 3);
    expect(t.inbox.mails.filter((m) => m.to.includes(OWNER.email))).toHaveLength(3);
  });
});

describe('purging unverified accounts', () => {
  it('deletes self-registered accounts unverified for UNVERIFIED_ACCOUNT_DAYS, and nothing else', async () => {
    await using t = await createTestApp({ env: { UNVERIFIED_ACCOUNT_DAYS: '3' } });
    for (const email of ['old@example.com', 'recent@example.com', 'verified@example.com']) {
      await sendJson(t, 'POST', '/auth/register', { ...OWNER, email });
    }
    await sendJson(t, 'POST', '/auth/verify-email', {
      email: 'verified@example.com',
      code: (await t.inbox.latest('verified@example.com')).code,
    });
    await query(
      em(t),
      `update app_user set created_at = now() - interval '4 days'
        where email in ('old@example.com', 'verified@example.com') or role = 'CEO'`,
    );
    await query(em(t), `update app_user set created_at = now() - interval '2 days' where email = 'recent@example.com'`);
    await t.server.app.context.auth.accounts.purgeExpired();
    const rows = await query(em(t), 'select email from app_user order by email');
    expect(rows.map((r) => r.email)).toEqual([
      'ceo@cims.local',
      'recent@example.com',
      'sales1@cims.local',
      'sales2@cims.local',
      'verified@example.com',
    ]);
    // The address is free again.
    expect((await sendJson(t, 'POST', '/auth/register', { ...OWNER, email: 'old@example.com' })).res.status).toBe(201);
  });
});

describe('failed sign-ins and codes do not lock the owner out', () => {
  const env = { TRUST_PROXY: '1' };

  it('regression: 10 wrong passwords from anywhere locked the CEO out of login and the password change', async () => {
    await using t = await createTestApp({ env });
    const session = await tokens(t, CEO.email, CEO.password);
    for (let i = 0; i < 10; i++) {
      expect((await loginFrom(t, '203.0.113.66', CEO.email, 'wrong-password')).res.status).toBe(401);
    }
    expect((await loginFrom(t, '203.0.113.66', CEO.email, CEO.password)).res.status).toBe(429);
    // The owner, elsewhere, signs in, and changes the password in a session.
    expect((await loginFrom(t, '198.51.100.1', CEO.email, CEO.password)).res.status).toBe(200);
    const change = await sendJson(
      t,
      'PATCH',
      '/auth/me/password',
      { current_password: CEO.password, new_password: 'the-ceos-new-password' },
      bearer(session.access_token),
    );
    expect(change.res.status).toBe(200);
  });

  it('failures from many addresses stop at the per-account ceiling (RATE_LIMIT_ACCOUNT_CEILING)', async () => {
    await using t = await createTestApp({
      env: { ...env, RATE_LIMIT_ACCOUNT_MAX: '2', RATE_LIMIT_ACCOUNT_CEILING: '5' },
    });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      statuses.push((await loginFrom(t, `203.0.113.${i}`, SALES.email, 'wrong-password')).res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    expect((await loginFrom(t, '198.51.100.1', SALES.email, SALES.password)).res.status).toBe(429);
  });

  it('a wrong current password counts per session, not against sign-ins', async () => {
    await using t = await createTestApp({ env: { ...env, RATE_LIMIT_ACCOUNT_MAX: '3' } });
    const a = await tokens(t, SALES.email, SALES.password);
    const b = await tokens(t, SALES.email, SALES.password);
    const change = (token: string, current: string) =>
      sendJson(
        t,
        'PATCH',
        '/auth/me/password',
        { current_password: current, new_password: 'a-new-sales-password' },
        bearer(token),
      );
    const wrong: number[] = [];
    for (let i = 0; i < 4; i++) wrong.push((await change(a.access_token, 'not-the-password')).res.status);
    expect(wrong).toEqual([400, 400, 400, 429]);
    expect((await change(a.access_token, SALES.password)).res.status).toBe(429);
    // Sign-ins are unaffected, and so is another session.
    expect((await login(t, SALES.email, SALES.password)).res.status).toBe(200);
    expect((await change(b.access_token, SALES.password)).res.status).toBe(200);
  });

  it('regression: 10 wrong codes without any code sent blocked the genuine reset code', async () => {
    await using t = await createTestApp({ env });
    for (let i = 0; i < 40; i++) {
      const wrong = await resetFrom(t, '203.0.113.66', SALES.email, String(100000 + i));
      expect(wrong.body.code).toBe('INVALID_CODE');
    }
    await sendJson(t, 'POST', '/auth/forgot-password', { email: SALES.email });
    const { code } = await t.inbox.nth(SALES.email, 1);
    expect((await resetFrom(t, '198.51.100.1', SALES.email, code)).res.status).toBe(200);
  });

  it('wrong guesses of live codes are limited per (account, address) per day; a fresh code gets its own attempts', async () => {
    await using t = await createTestApp({ env: { ...env, RATE_LIMIT_ACCOUNT_MAX: '100' } });
    const guess = async (ip: string) => {
      const { code } = await t.inbox.latest(SALES.email);
      return resetFrom(t, ip, SALES.email, code === '000000' ? '000001' : '000000');
    };
    // 30 wrong guesses over 6 codes (5 each) from one address; the 31st is refused before it is tried.
    for (let n = 1; n <= 6; n++) {
      await sendJson(t, 'POST', '/auth/forgot-password', { email: SALES.email });
      await t.inbox.nth(SALES.email, n);
      for (let i = 0; i < 5; i++) expect((await guess('203.0.113.66')).body.code).toBe('INVALID_CODE');
    }
    await sendJson(t, 'POST', '/auth/forgot-password', { email: SALES.email });
    const fresh = await t.inbox.nth(SALES.email, 7);
    expect((await guess('203.0.113.66')).res.status).toBe(429);
    expect((await resetFrom(t, '203.0.113.66', SALES.email, fresh.code)).res.status).toBe(429);
    // The owner, elsewhere, still uses the fresh code.
    expect((await resetFrom(t, '198.51.100.1', SALES.email, fresh.code)).res.status).toBe(200);
  });
});

describe('forgot-password does the same work for known and unknown addresses', () => {
  afterEach(() => vi.restoreAllMocks());

  it('regression: a known address ran an extra statement (~0.8 ms slower): the statements are the same', async () => {
    await using t = await createTestApp({ database: 'pglite' });
    const statements: string[] = [];
    const original = PGlite.prototype.query;
    vi.spyOn(PGlite.prototype, 'query').mockImplementation(function (this: PGlite, ...args) {
      statements.push(String(args[0]));
      return original.apply(this, args as Parameters<typeof original>) as ReturnType<typeof original>;
    });
    // Values differ between the two requests; the statements themselves must not.
    const shape = (sql: string) =>
      sql
        .replace(/'(?:[^']|'')*'/g, '?')
        .replace(/\b\d+\b/g, '?')
        .replace(/\s+/g, ' ');
    const run = async (email: string) => {
      statements.length = 0;
      const res = await sendJson(t, 'POST', '/auth/forgot-password', { email });
      expect(res.res.status).toBe(200);
      // The code is stored (or, for an unknown address, the same statement stores nothing) after the answer.
      await t.server.app.context.auth.core.idle();
      return statements.map(shape);
    };
    const known = await run(SALES.email);
    const unknown = await run('nobody-here@cims.local');
    expect(known.length).toBeGreaterThan(3);
    expect(unknown).toEqual(known);
    expect(known.some((sql) => sql.trim().startsWith('insert into verification_code'))).toBe(true);
    // Only the known address got a mail, and only it has a code row.
    await t.inbox.latest(SALES.email);
    expect(t.inbox.mails.filter((m) => m.to.includes('nobody-here@cims.local'))).toHaveLength(0);
    const codes = await query(em(t), 'select user_id from verification_code');
    expect(codes).toHaveLength(1);
  });
});

describe('sealed refresh successors', () => {
  it('regression: successors used a second AES-GCM helper (no associated data, no key id); an unreadable one gives no grace answer and keeps the session', async () => {
    await using t = await createTestApp();
    const first = await tokens(t, CEO.email, CEO.password);
    const next = await sendJson(t, 'POST', '/auth/refresh', { refresh_token: first.refresh_token });
    expect(next.res.status).toBe(200);
    const [row] = await query(em(t), 'select id, sealed_successor from refresh_token where spent_at is not null');
    // The one cipher's text form: version, key id, IV, tag, ciphertext.
    expect(String(row?.sealed_successor)).toMatch(/^v1\.[0-9a-f]{16}\.[\w-]{16}\.[\w-]{22}\.[\w-]+$/);
    // Within the grace window the successor is answered…
    const grace = await sendJson(t, 'POST', '/auth/refresh', { refresh_token: first.refresh_token });
    expect(grace.body.refresh_token).toBe(next.body.refresh_token);
    // …but one in the old format (iv ‖ tag ‖ ciphertext, base64url) is not, and the session lives on.
    await query(em(t), 'update refresh_token set sealed_successor = ? where id = ?', [
      Buffer.alloc(90, 7).toString('base64url'),
      row?.id,
    ]);
    const old = await sendJson(t, 'POST', '/auth/refresh', { refresh_token: first.refresh_token });
    expect([old.res.status, old.body.code]).toEqual([401, 'REFRESH_TOKEN_INVALID']);
    expect((await sendJson(t, 'POST', '/auth/refresh', { refresh_token: next.body.refresh_token })).res.status).toBe(
      200,
    );
  });
});
