import { describe, expect, it } from 'vitest';
import { createTestApp } from '../harness.js';
import { bearer, CEO, getJson, legacyLoginBody, login, sendJson, tokens } from './helpers.js';

const OWNER = { email: 'owner@example.com', name: 'Real', surname: 'Owner', password: 'owners-password' };
const SQUATTER_PASSWORD = 'squatters-password';

describe('a contested pending sign-up', () => {
  it('regression: resend-verification after a second registration mailed a verify code that took over the pending sign-up', async () => {
    await using t = await createTestApp();
    expect((await sendJson(t, 'POST', '/auth/register', { ...OWNER, password: SQUATTER_PASSWORD })).res.status).toBe(
      201,
    );
    expect((await sendJson(t, 'POST', '/auth/register', OWNER)).res.status).toBe(201);
    expect((await t.inbox.nth(OWNER.email, 2)).subject).toBe('Finish your CIMS registration');
    // The owner presses "resend code": the mail is again the one that finishes through reset-password.
    expect((await sendJson(t, 'POST', '/auth/resend-verification', { email: OWNER.email })).res.status).toBe(200);
    const resent = await t.inbox.nth(OWNER.email, 3);
    expect(resent.subject).toBe('Finish your CIMS registration');
    const verify = await sendJson(t, 'POST', '/auth/verify-email', { email: OWNER.email, code: resent.code });
    expect([verify.res.status, verify.body.code]).toEqual([400, 'INVALID_CODE']);
    expect((await login(t, OWNER.email, SQUATTER_PASSWORD)).body.code).toBe('EMAIL_NOT_VERIFIED');
    const reset = await sendJson(t, 'POST', '/auth/reset-password', {
      email: OWNER.email,
      code: resent.code,
      new_password: OWNER.password,
    });
    expect(reset.res.status).toBe(200);
    const pair = await tokens(t, OWNER.email, OWNER.password);
    expect((await getJson(t, '/auth/me', bearer(pair.access_token))).body.email_verified).toBe(true);
    expect((await login(t, OWNER.email, SQUATTER_PASSWORD)).body.code).toBe('INVALID_CREDENTIALS');
  });
});

/** A valid address of exactly 250 characters: a 64-character local part and labels of at most 63. */
const LONG_EMAIL = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(53)}.com`;
const IPV6 = '2001:0db8:85a3:0000:0000:8a2e:0370:7334';

describe('rate-limit keys', () => {
  it('regression: POST /auth/login answered 500 for a long address from an IPv6 client (key over varchar(300))', async () => {
    expect(LONG_EMAIL).toHaveLength(250);
    await using t = await createTestApp({ env: { TRUST_PROXY: '1' } });
    const attempt = () =>
      fetch(`${t.url}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': IPV6 },
        body: legacyLoginBody(LONG_EMAIL, 'wrong-password'),
      });
    const first = await attempt();
    expect([first.status, ((await first.json()) as { code: string }).code]).toEqual([401, 'INVALID_CREDENTIALS']);
    // The shortened key still counts: the (account, address) limit of 10 failures applies.
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await attempt()).status);
    expect(statuses).toEqual([...Array(9).fill(401), 429]);
  });

  it('regression: every address of one IPv6 /64 had its own login budget; IPv4-mapped addresses count as IPv4', async () => {
    await using t = await createTestApp({ env: { TRUST_PROXY: '1', RATE_LIMIT_ACCOUNT_MAX: '3' } });
    const from = async (ip: string) =>
      (
        await fetch(`${t.url}/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': ip },
          body: legacyLoginBody(CEO.email, 'wrong-password'),
        })
      ).status;
    const sameSubnet = [];
    for (const ip of [
      '2001:db8:85a3:7::1',
      '2001:db8:85a3:7::2',
      '2001:0db8:85a3:0007:ab:cd:ef:1',
      '2001:db8:85a3:7::4',
    ]) {
      sameSubnet.push(await from(ip));
    }
    expect(sameSubnet).toEqual([401, 401, 401, 429]);
    // Another /64 of the same network is another client.
    expect(await from('2001:db8:85a3:8::1')).toBe(401);
    const mapped = [await from('10.9.8.7'), await from('::ffff:10.9.8.7'), await from('10.9.8.7')];
    expect([...mapped, await from('::ffff:a09:807')]).toEqual([401, 401, 401, 429]);
    // The session keeps the full address.
    const ok = await fetch(`${t.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '2001:db8:85a3:9::42' },
      body: legacyLoginBody(CEO.email, CEO.password),
    });
    const pair = (await ok.json()) as { access_token: string };
    const sessions = (await getJson(t, '/auth/sessions', bearer(pair.access_token))).body as { ip_address: string }[];
    expect(sessions.map((s) => s.ip_address)).toContain('2001:db8:85a3:9::42');
  });
});

describe('code mails', () => {
  it('regression: requests from anywhere used the address’s whole send budget, so the owner never got a code', async () => {
    await using t = await createTestApp({
      env: { TRUST_PROXY: '1', RATE_LIMIT_ACCOUNT_MAX: '2', RATE_LIMIT_ACCOUNT_CEILING: '5' },
    });
    const forgot = async (ip: string) =>
      (await sendJson(t, 'POST', '/auth/forgot-password', { email: CEO.email }, { 'x-forwarded-for': ip })).res.status;
    const attacker = [await forgot('198.51.100.7'), await forgot('198.51.100.7'), await forgot('198.51.100.7')];
    expect(attacker).toEqual([200, 200, 429]);
    // The owner, from their own address, still gets a code.
    expect(await forgot('203.0.113.9')).toBe(200);
    const { code } = await t.inbox.nth(CEO.email, 3);
    const reset = await sendJson(
      t,
      'POST',
      '/auth/reset-password',
      { email: CEO.email, code, new_password: 'the-ceos-new-password' },
      { 'x-forwarded-for': '203.0.113.9' },
    );
    expect(reset.res.status).toBe(200);
    // Across client addresses one address gets at most RATE_LIMIT_ACCOUNT_CEILING (5) code mails per window; a request
    // refused for its client address does not count against the address.
    expect([await forgot('192.0.2.1'), await forgot('192.0.2.2'), await forgot('192.0.2.3')]).toEqual([200, 200, 429]);
  });
});
