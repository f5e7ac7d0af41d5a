import { describe, expect, it } from 'vitest';
import { query } from '../../src/db/sql.js';
import { createTestApp } from '../harness.js';
import { bearer, getJson, login, sendJson, tokens } from './helpers.js';

const NEW = { email: 'new.person@example.com', name: 'New', surname: 'Person', password: 'a-good-password' };

describe('registration and e-mail verification', () => {
  it('register → the code arrives by real SMTP → verify signs in with a full pair', async () => {
    await using t = await createTestApp();
    const reg = await sendJson(t, 'POST', '/auth/register', NEW);
    expect(reg.res.status).toBe(201);
    expect(reg.body.success).toBe(true);
    const mail = await t.inbox.latest(NEW.email);
    expect(mail.subject).toBe('Your CIMS verification code');
    expect(mail.code).toMatch(/^\d{6}$/);
    // Not verified yet: login says so after the correct password.
    expect((await login(t, NEW.email, NEW.password)).body.code).toBe('EMAIL_NOT_VERIFIED');
    const verified = await sendJson(t, 'POST', '/auth/verify-email', { email: NEW.email, code: mail.code });
    expect(verified.res.status).toBe(200);
    expect(verified.body).toMatchObject({ token_type: 'bearer', refresh_token: expect.any(String) });
    const me = await getJson(t, '/auth/me', bearer(verified.body.access_token));
    expect(me.body).toMatchObject({ email: NEW.email, email_verified: true });
    expect((await login(t, NEW.email, NEW.password)).res.status).toBe(200);
  });

  it('regression: self-promotion at register — role and company_code in the body grant nothing', async () => {
    await using t = await createTestApp();
    await sendJson(t, 'POST', '/auth/register', { ...NEW, role: 'CEO', company_code: 'ceo' });
    const { code } = await t.inbox.latest(NEW.email);
    const pair = await sendJson(t, 'POST', '/auth/verify-email', { email: NEW.email, code });
    const me = await getJson(t, '/auth/me', bearer(pair.body.access_token));
    expect(me.body.role).toBe('Customer');
    expect(me.body.company_code).toBe('oddiy');
    expect(Object.values(me.body.permissions).some(Boolean)).toBe(false);
  });

  it('regression: the legacy code-"0" takeover is impossible; a used code never works again', async () => {
    await using t = await createTestApp();
    await sendJson(t, 'POST', '/auth/register', NEW);
    const { code } = await t.inbox.latest(NEW.email);
    expect((await sendJson(t, 'POST', '/auth/verify-email', { email: NEW.email, code })).res.status).toBe(200);
    const zero = await sendJson(t, 'POST', '/auth/verify-email', { email: NEW.email, code: '0' });
    expect(zero.res.status).toBe(422);
    const zeros = await sendJson(t, 'POST', '/auth/verify-email', { email: NEW.email, code: '000000' });
    expect(zeros.res.status).toBe(400);
    const again = await sendJson(t, 'POST', '/auth/verify-email', { email: NEW.email, code });
    expect(again.res.status).toBe(400);
    expect(again.body.code).toBe('INVALID_CODE');
    // The same with password reset: a used reset code cannot reset again.
    await sendJson(t, 'POST', '/auth/forgot-password', { email: NEW.email });
    const reset = await t.inbox.nth(NEW.email, 2);
    const body = { email: NEW.email, code: reset.code, new_password: 'another-password' };
    expect((await sendJson(t, 'POST', '/auth/reset-password', body)).res.status).toBe(200);
    const replay = await sendJson(t, 'POST', '/auth/reset-password', { ...body, new_password: 'attacker-password' });
    expect(replay.res.status).toBe(400);
    expect((await sendJson(t, 'POST', '/auth/reset-password', { ...body, code: '0' })).res.status).toBe(422);
    expect((await login(t, NEW.email, 'another-password')).res.status).toBe(200);
  });

  it('a code allows 5 attempts, then even the right code is refused', async () => {
    await using t = await createTestApp();
    await sendJson(t, 'POST', '/auth/register', NEW);
    const { code } = await t.inbox.latest(NEW.email);
    const wrong = code === '123456' ? '654321' : '123456';
    const attempts = await Promise.all(
      Array.from({ length: 8 }, () => sendJson(t, 'POST', '/auth/verify-email', { email: NEW.email, code: wrong })),
    );
    expect(attempts.every((a) => a.res.status === 400)).toBe(true);
    const late = await sendJson(t, 'POST', '/auth/verify-email', { email: NEW.email, code });
    expect(late.res.status).toBe(400);
    // A new code starts over.
    await sendJson(t, 'POST', '/auth/resend-verification', { email: NEW.email });
    const fresh = await t.inbox.nth(NEW.email, 2);
    expect(fresh?.code).toBeDefined();
    expect((await sendJson(t, 'POST', '/auth/verify-email', { email: NEW.email, code: fresh?.code })).res.status).toBe(
      200,
    );
  });

  it('an expired code is refused', async () => {
    await using t = await createTestApp();
    await sendJson(t, 'POST', '/auth/register', NEW);
    const { code } = await t.inbox.latest(NEW.email);
    await query(
      t.server.app.context.db.orm.em.fork(),
      `update verification_code set expires_at = now() - interval '1 second'`,
    );
    expect((await sendJson(t, 'POST', '/auth/verify-email', { email: NEW.email, code })).res.status).toBe(400);
  });

  it('answers 409 EMAIL_TAKEN for a verified address; racing registrations leave one account', async () => {
    await using t = await createTestApp();
    const both = await Promise.all([
      sendJson(t, 'POST', '/auth/register', NEW),
      sendJson(t, 'POST', '/auth/register', NEW),
    ]);
    // A second registration of an unverified address answers like the first and changes nothing: one row.
    expect(both.map((r) => r.res.status)).toEqual([201, 201]);
    const em = t.server.app.context.db.orm.em.fork();
    const [count] = await query(em, 'select count(*) as n from app_user where email = ?', [NEW.email]);
    expect(Number(count?.n)).toBe(1);
    const taken = await sendJson(t, 'POST', '/auth/register', { ...NEW, email: 'CEO@cims.local' });
    expect(taken.res.status).toBe(409);
    expect(taken.body).toMatchObject({ code: 'EMAIL_TAKEN' });
  });

  it('is closed with REGISTRATION_OPEN=false', async () => {
    await using t = await createTestApp({ env: { REGISTRATION_OPEN: 'false' } });
    const res = await sendJson(t, 'POST', '/auth/register', NEW);
    expect(res.res.status).toBe(403);
    expect(res.body.code).toBe('REGISTRATION_CLOSED');
  });

  it('rejects weak input with 422 and never writes half an account', async () => {
    await using t = await createTestApp();
    const res = await sendJson(t, 'POST', '/auth/register', { ...NEW, password: 'short', email: 'not-mail' });
    expect(res.res.status).toBe(422);
    expect(res.body.detail.map((d: { loc: string[] }) => d.loc.at(-1)).sort()).toEqual(['email', 'password']);
    const [count] = await query(t.server.app.context.db.orm.em.fork(), 'select count(*) as n from app_user');
    expect(Number(count?.n)).toBe(3);
  });
});

describe('password reset', () => {
  it('answers the same for known and unknown addresses, and a reset ends every session', async () => {
    await using t = await createTestApp();
    const known = await sendJson(t, 'POST', '/auth/forgot-password', { email: 'ceo@cims.local' });
    const unknown = await sendJson(t, 'POST', '/auth/forgot-password', { email: 'ghost@cims.local' });
    expect(known.body).toEqual(unknown.body);
    expect(known.res.status).toBe(200);
    const session = await tokens(t, 'ceo@cims.local', 'ceo-demo-password');
    const { code, subject } = await t.inbox.latest('ceo@cims.local');
    expect(subject).toBe('Your CIMS password reset code');
    const reset = await sendJson(t, 'POST', '/auth/reset-password', {
      email: 'ceo@cims.local',
      code,
      new_password: 'a-brand-new-password',
    });
    expect(reset.res.status).toBe(200);
    expect((await getJson(t, '/auth/me', bearer(session.access_token))).res.status).toBe(401);
    expect((await sendJson(t, 'POST', '/auth/refresh', { refresh_token: session.refresh_token })).res.status).toBe(401);
    expect((await login(t, 'ceo@cims.local', 'ceo-demo-password')).res.status).toBe(401);
    expect((await login(t, 'ceo@cims.local', 'a-brand-new-password')).res.status).toBe(200);
    expect(t.inbox.mails.filter((m) => m.to.includes('ghost@cims.local'))).toHaveLength(0);
    const wrong = await sendJson(t, 'POST', '/auth/reset-password', {
      email: 'ghost@cims.local',
      code: '123456',
      new_password: 'whatever-password',
    });
    expect(wrong.res.status).toBe(400);
  });

  it('keeps codes and passwords out of the database in plain text and out of the logs', async () => {
    await using t = await createTestApp();
    await sendJson(t, 'POST', '/auth/register', NEW);
    const { code } = await t.inbox.latest(NEW.email);
    const em = t.server.app.context.db.orm.em.fork();
    const dump = JSON.stringify([
      ...(await query(em, 'select * from verification_code')),
      ...(await query(em, 'select * from app_user')),
    ]);
    expect(dump).not.toContain(`"${code}"`);
    expect(dump).not.toContain(NEW.password);
    expect(t.logText()).not.toContain(code);
    expect(t.logText()).not.toContain(NEW.password);
  });
});
