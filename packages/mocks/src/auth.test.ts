import { describe, expect, it } from 'vitest';
import { MOCK_USERS } from './state.js';
import { jwtClaims, useTestWorld } from './test-world.js';

const w = useTestWorld();
const { client, mocks } = w;
const { ceo } = MOCK_USERS;

const UNAUTHENTICATED = { detail: expect.any(String), code: 'UNAUTHENTICATED' };

describe('seeded users', () => {
  it('the CEO signs in and sees every page, landing on /ceo', async () => {
    const pair = await w.login(ceo.email, ceo.password);
    expect(pair).toMatchObject({ token_type: 'bearer', expires_in: 180_000 });
    const claims = jwtClaims(pair.access_token);
    expect(claims).toMatchObject({ sub: '1', sid: 1, jti: expect.any(String) });
    expect(Number(claims.exp) - Number(claims.iat)).toBe(pair.expires_in);

    const me = await client.auth.me(w.bearer(pair.access_token));
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      id: 1,
      email: ceo.email,
      role: 'CEO',
      company_code: 'ceo',
      email_verified: true,
      is_active: true,
      profile_image: null,
    });
    if (me.status !== 200) return;
    expect(Object.keys(me.body.permissions)).toHaveLength(10);
    expect(Object.values(me.body.permissions).every(Boolean)).toBe(true);
    const redirect = await client.auth.dashboardRedirect(w.bearer(pair.access_token));
    expect(redirect.body).toEqual({ redirect_url: '/ceo' });
  });

  it('lands other roles on /member_dashboard or their first page in page order', async () => {
    mocks.users.add({ email: 'member@cims.local', password: 'member-password', role: 'Member' });
    mocks.users.add({
      email: 'finance@cims.local',
      password: 'finance-password',
      role: 'Finance',
      pages: ['update_list', 'company_payments', 'payment_list'],
    });
    const member = await w.login('member@cims.local', 'member-password');
    expect((await client.auth.dashboardRedirect(w.bearer(member.access_token))).body).toEqual({
      redirect_url: '/member_dashboard',
    });
    const finance = await w.login('finance@cims.local', 'finance-password');
    expect((await client.auth.dashboardRedirect(w.bearer(finance.access_token))).body).toEqual({
      redirect_url: '/payment_list',
    });
  });
});

describe('register → mailbox → verify', () => {
  const newcomer = { email: 'New.Comer@Example.com ', name: 'New', surname: 'Comer', password: 'long-enough-1' };

  it('creates an unverified Customer whatever role is asked for, and mails a code that signs in', async () => {
    const res = await client.auth.register({ body: { ...newcomer, role: 'CEO', company_code: 'ceo' } });
    expect(res).toMatchObject({ status: 201, body: { success: true, message: expect.any(String) } });

    const mail = mocks.mailbox.latest('new.comer@example.com');
    expect(mail).toMatchObject({ to: 'new.comer@example.com', purpose: 'verify-email', code: expect.any(String) });
    expect(mail?.code).toMatch(/^\d{6}$/);
    expect(mail?.text).toContain(mail?.code);

    const early = await client.auth.login({ body: { username: newcomer.email, password: newcomer.password } });
    expect(early).toMatchObject({ status: 403, body: { code: 'EMAIL_NOT_VERIFIED' } });

    const verified = await client.auth.verifyEmail({ body: { email: newcomer.email, code: mail?.code ?? '' } });
    expect(verified.status).toBe(200);
    if (verified.status !== 200) return;
    const me = await client.auth.me(w.bearer(verified.body.access_token));
    expect(me.body).toMatchObject({
      id: 4,
      email: 'new.comer@example.com',
      name: 'New',
      role: 'Customer',
      company_code: 'oddiy',
      email_verified: true,
      telegram_id: null,
    });
    if (me.status !== 200) return;
    expect(Object.values(me.body.permissions).some(Boolean)).toBe(false);
    const redirect = await client.auth.dashboardRedirect(w.bearer(verified.body.access_token));
    expect(redirect).toMatchObject({ status: 403, body: { code: 'NO_PAGE_ACCESS' } });

    // Single use; and now a plain login works.
    const again = await client.auth.verifyEmail({ body: { email: newcomer.email, code: mail?.code ?? '' } });
    expect(again).toMatchObject({ status: 400, body: { code: 'INVALID_CODE' } });
    await w.login(newcomer.email, newcomer.password);
  });

  it('regression: registering an unverified address again replaced its password; now the account stays as it was', async () => {
    const first = await client.auth.register({
      body: { ...newcomer, telegram_id: '@first', job_title: 'First' },
    });
    expect(first.status).toBe(201);
    const oldCode = mocks.mailbox.latest(newcomer.email)?.code ?? '';
    const second = await client.auth.register({
      body: { email: 'NEW.COMER@example.com', name: 'Other', surname: 'Person', password: 'someone-elses-password' },
    });
    // The same answer as a new registration.
    expect(second).toEqual({ ...first, headers: expect.anything() });
    expect([...mocks.state.users.values()].filter((u) => u.email === 'new.comer@example.com')).toHaveLength(1);
    expect(mocks.users.find(newcomer.email)).toMatchObject({
      id: 4,
      password: newcomer.password,
      name: newcomer.name,
      telegram_id: '@first',
      job_title: 'First',
      role: 'Customer',
      email_verified: false,
    });
    const mails = mocks.mailbox.all(newcomer.email);
    expect(mails.map((m) => [m.purpose, m.subject])).toEqual([
      ['verify-email', 'Your CIMS verification code'],
      ['reset-password', 'Finish your CIMS registration'],
    ]);
    // The earlier verification code no longer works: finishing needs a password chosen with the mailed code.
    const stale = await client.auth.verifyEmail({ body: { email: newcomer.email, code: oldCode } });
    expect(stale).toMatchObject({ status: 400, body: { code: 'INVALID_CODE' } });
    const reset = await client.auth.resetPassword({
      body: { email: newcomer.email, code: mails[1]?.code ?? '', new_password: 'owners-password-1' },
    });
    expect(reset.status).toBe(200);
    expect(mocks.users.find(newcomer.email)?.email_verified).toBe(true);
    const wrong = await client.auth.login({ body: { username: newcomer.email, password: 'someone-elses-password' } });
    expect(wrong.status).toBe(401);
    await w.login(newcomer.email, 'owners-password-1');
  });

  it('two registrations of the same new address both get 201 and leave one account', async () => {
    const both = await Promise.all([
      client.auth.register({ body: newcomer }),
      client.auth.register({ body: { ...newcomer, name: 'Other' } }),
    ]);
    expect(both.map((r) => r.status)).toEqual([201, 201]);
    expect(mocks.state.users.size).toBe(4);
    expect(mocks.mailbox.all(newcomer.email)).toHaveLength(2);
  });

  it('keeps an unverified account that was not self-registered (not a Customer): 409', async () => {
    mocks.users.add({
      email: 'invited@cims.local',
      password: 'invited-password',
      role: 'Member',
      email_verified: false,
    });
    const res = await client.auth.register({ body: { ...newcomer, email: 'invited@cims.local' } });
    expect(res).toMatchObject({ status: 409, body: { code: 'EMAIL_TAKEN' } });
    expect(mocks.users.find('invited@cims.local')).toMatchObject({ password: 'invited-password', name: 'Test' });
    expect(mocks.mailbox.messages).toHaveLength(0);
  });

  it('applies the contract rules to passwords (422)', async () => {
    const res = await client.auth.register({ body: { ...newcomer, password: 'short' } });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', detail: [{ loc: ['body', 'password'] }] });
  });

  it('kills a code after 5 wrong attempts, and after 30 minutes', async () => {
    await client.auth.register({ body: newcomer });
    const code = mocks.mailbox.latest(newcomer.email)?.code ?? '';
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) {
      const res = await client.auth.verifyEmail({ body: { email: newcomer.email, code: wrong } });
      expect(res).toMatchObject({ status: 400, body: { code: 'INVALID_CODE' } });
    }
    expect((await client.auth.verifyEmail({ body: { email: newcomer.email, code } })).status).toBe(400);

    await client.auth.resendVerification({ body: { email: newcomer.email } });
    const fresh = mocks.mailbox.latest(newcomer.email)?.code ?? '';
    w.advance(30 * 60 * 1000);
    expect((await client.auth.verifyEmail({ body: { email: newcomer.email, code: fresh } })).status).toBe(400);

    await client.auth.resendVerification({ body: { email: newcomer.email } });
    const last = mocks.mailbox.latest(newcomer.email)?.code ?? '';
    w.advance(29 * 60 * 1000);
    expect((await client.auth.verifyEmail({ body: { email: newcomer.email, code: last } })).status).toBe(200);
  });

  it('answers a deactivated account with a correct code 403 ACCOUNT_INACTIVE, issuing nothing and keeping the code', async () => {
    await client.auth.register({ body: newcomer });
    const code = mocks.mailbox.latest(newcomer.email)?.code ?? '';
    const wrong = code === '000000' ? '111111' : '000000';
    mocks.users.update(newcomer.email, { is_active: false });
    const guessed = await client.auth.verifyEmail({ body: { email: newcomer.email, code: wrong } });
    expect(guessed).toMatchObject({ status: 400, body: { code: 'INVALID_CODE' } });
    const refused = await client.auth.verifyEmail({ body: { email: newcomer.email, code } });
    expect(refused).toEqual({
      status: 403,
      body: { detail: 'This account is deactivated', code: 'ACCOUNT_INACTIVE' },
      headers: expect.anything(),
    });
    expect(mocks.state.sessions.size).toBe(0);
    expect(mocks.users.find(newcomer.email)?.email_verified).toBe(false);
    mocks.users.update(newcomer.email, { is_active: true });
    expect((await client.auth.verifyEmail({ body: { email: newcomer.email, code } })).status).toBe(200);
  });

  it('answers an unknown address like a wrong code', async () => {
    const res = await client.auth.verifyEmail({ body: { email: 'nobody@cims.local', code: '123456' } });
    expect(res).toMatchObject({ status: 400, body: { code: 'INVALID_CODE' } });
  });

  it('resend-verification and forgot-password answer the same whatever the address', async () => {
    await client.auth.register({ body: newcomer });
    const resends = await Promise.all(
      [newcomer.email, ceo.email, 'nobody@cims.local'].map((email) =>
        client.auth.resendVerification({ body: { email } }),
      ),
    );
    expect(new Set(resends.map((r) => JSON.stringify([r.status, r.body])))).toHaveLength(1);
    expect(mocks.mailbox.all(newcomer.email)).toHaveLength(2);
    expect(mocks.mailbox.all(ceo.email)).toHaveLength(0);

    const forgots = await Promise.all(
      [ceo.email, 'nobody@cims.local'].map((email) => client.auth.forgotPassword({ body: { email } })),
    );
    expect(new Set(forgots.map((r) => JSON.stringify([r.status, r.body])))).toHaveLength(1);
    expect(mocks.mailbox.latest(ceo.email)).toMatchObject({ purpose: 'reset-password' });
    expect(mocks.mailbox.all('nobody@cims.local')).toHaveLength(0);
  });

  it('resets a password with the mailed code and ends every session', async () => {
    const before = await w.login(ceo.email, ceo.password);
    await client.auth.forgotPassword({ body: { email: ceo.email } });
    const code = mocks.mailbox.latest(ceo.email)?.code ?? '';

    const wrong = await client.auth.resetPassword({
      body: { email: ceo.email, code: code === '999999' ? '000000' : '999999', new_password: 'brand-new-password' },
    });
    expect(wrong).toMatchObject({ status: 400, body: { code: 'INVALID_CODE' } });

    const ok = await client.auth.resetPassword({
      body: { email: ceo.email, code, new_password: 'brand-new-password' },
    });
    expect(ok).toMatchObject({ status: 200, body: { success: true } });
    expect((await client.auth.me(w.bearer(before.access_token))).status).toBe(401);
    const refresh = await client.auth.refresh({ body: { refresh_token: before.refresh_token } });
    expect(refresh).toMatchObject({ status: 401, body: { code: 'REFRESH_TOKEN_INVALID' } });
    expect((await client.auth.login({ body: { username: ceo.email, password: ceo.password } })).status).toBe(401);
    await w.login(ceo.email, 'brand-new-password');
  });
});

describe('bearer routes', () => {
  async function expect401(headers: Record<string, string>) {
    const res = await w.fetch('/auth/me', { headers });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(await res.json()).toEqual(UNAUTHENTICATED);
  }

  it('refuse an expired token (past exp and the 30 s clock tolerance)', async () => {
    const { access_token, expires_in } = await w.login(ceo.email, ceo.password);
    w.advance(expires_in * 1000);
    expect((await client.auth.me(w.bearer(access_token))).status).toBe(200);
    w.advance(30_000);
    await expect401({ authorization: `Bearer ${access_token}` });
  });
});
