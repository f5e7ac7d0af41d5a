import { describe, expect, it } from 'vitest';
import { MOCK_USERS } from './state.js';
import { pngFile, useTestWorld } from './test-world.js';

// The defaults: 10 per account per 15-minute window (the clock starts at 09:00:00 UTC, a window boundary).
const w = useTestWorld();
const { client, mocks } = w;
const { ceo, sales1 } = MOCK_USERS;

const WINDOW_MS = 15 * 60 * 1000;
const RATE_LIMITED = { status: 429, body: { detail: expect.any(String), code: 'RATE_LIMITED' } };

function login(username: string, password: string) {
  return client.auth.login({ body: { username, password } });
}

/** A 6-digit code that is not `code`. */
function wrongFor(code: string | undefined): string {
  return code === '000000' ? '111111' : '000000';
}

describe('failed sign-ins per address', () => {
  it('after 10 failures even the right password gets 429 with Retry-After, until the window ends', async () => {
    for (let i = 0; i < 10; i++) {
      expect((await login(ceo.email, `wrong-password-${i}`)).status).toBe(401);
    }
    const blocked = await login(ceo.email, ceo.password);
    expect(blocked).toMatchObject(RATE_LIMITED);
    expect(blocked.headers.get('retry-after')).toBe('900');
    w.advance(100_000);
    const wrong = await login(ceo.email, 'wrong-password');
    expect(wrong).toMatchObject(RATE_LIMITED);
    expect(wrong.headers.get('retry-after')).toBe('800');
    // Another address is not affected, nor are the sessions already open.
    await w.login(sales1.email, sales1.password);
    w.advance(WINDOW_MS - 100_000);
    await w.login(ceo.email, ceo.password);
  });

  it('a successful sign-in does not use the budget', async () => {
    for (let i = 0; i < 9; i++) expect((await login(ceo.email, 'wrong-password')).status).toBe(401);
    for (let i = 0; i < 15; i++) await w.login(ceo.email, ceo.password);
    expect((await login(ceo.email, 'wrong-password')).status).toBe(401);
    expect(await login(ceo.email, ceo.password)).toMatchObject(RATE_LIMITED);
  });

  it('counts the address in any case, and unknown addresses alike', async () => {
    for (let i = 0; i < 10; i++) expect((await login(' CEO@CIMS.local', 'wrong-password')).status).toBe(401);
    expect(await login(ceo.email, ceo.password)).toMatchObject(RATE_LIMITED);
    for (let i = 0; i < 10; i++) expect((await login('nobody@cims.local', 'wrong-password')).status).toBe(401);
    expect(await login('nobody@cims.local', 'wrong-password')).toMatchObject(RATE_LIMITED);
  });

  it('regression: a wrong current password counts per session, not against sign-ins; name changes do not', async () => {
    const { access_token } = await w.login(ceo.email, ceo.password);
    const other = await w.login(ceo.email, ceo.password);
    const auth = { authorization: `Bearer ${access_token}` };
    for (let i = 0; i < 5; i++) {
      const res = await client.auth.changePassword({
        body: { current_password: 'not-the-password', new_password: 'brand-new-password' },
        ...w.bearer(access_token),
      });
      expect(res).toMatchObject({ status: 400, body: { code: 'WRONG_CURRENT_PASSWORD' } });
    }
    for (let i = 0; i < 5; i++) {
      const form = new FormData();
      form.set('current_password', 'not-the-password');
      form.set('new_password', 'brand-new-password');
      const res = await w.fetch('/auth/me/profile', { method: 'PATCH', headers: auth, body: form });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'WRONG_CURRENT_PASSWORD' });
    }
    const named = await client.auth.updateProfileInfo({ body: { name: 'Renamed' }, ...w.bearer(access_token) });
    expect(named.status).toBe(200);
    const withPicture = new FormData();
    withPicture.set('name', 'Again');
    withPicture.set('image', pngFile());
    expect((await w.fetch('/auth/me/profile', { method: 'PATCH', headers: auth, body: withPicture })).status).toBe(200);

    // Used up in this session: even the right current password gets 429.
    const change = await w.fetch('/auth/me/password', {
      method: 'PATCH',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ current_password: ceo.password, new_password: 'brand-new-password' }),
    });
    expect(change.status).toBe(429);
    expect(change.headers.get('retry-after')).toBe('900');
    expect(await change.json()).toEqual({ detail: expect.any(String), code: 'RATE_LIMITED' });
    expect(mocks.users.find(ceo.email)?.password).toBe(ceo.password);
    // Sign-ins, and another session, are not affected.
    await w.login(ceo.email, ceo.password);
    const elsewhere = await client.auth.changePassword({
      body: { current_password: ceo.password, new_password: 'brand-new-password' },
      ...w.bearer(other.access_token),
    });
    expect(elsewhere.status).toBe(200);
  });

  it('a right current password does not use the budget', async () => {
    const { access_token } = await w.login(ceo.email, ceo.password);
    let password: string = ceo.password;
    for (let i = 0; i < 12; i++) {
      const next = `rotating-password-${i}`;
      const res = await client.auth.changePassword({
        body: { current_password: password, new_password: next },
        ...w.bearer(access_token),
      });
      expect(res.status).toBe(200);
      password = next;
    }
    await w.login(ceo.email, password);
  });
});

describe('wrong codes per account', () => {
  it('a code survives 5 wrong guesses; a freshly mailed code gets its own', async () => {
    await client.auth.forgotPassword({ body: { email: ceo.email } });
    const first = mocks.mailbox.latest(ceo.email)?.code ?? '';
    for (let i = 0; i < 5; i++) {
      const res = await client.auth.resetPassword({
        body: { email: ceo.email, code: wrongFor(first), new_password: 'brand-new-password' },
      });
      expect(res.status).toBe(400);
    }
    const used = { email: ceo.email, code: first, new_password: 'brand-new-password' };
    expect((await client.auth.resetPassword({ body: used })).status).toBe(400);
    await client.auth.forgotPassword({ body: { email: ceo.email } });
    const fresh = mocks.mailbox.latest(ceo.email)?.code ?? '';
    expect((await client.auth.resetPassword({ body: { ...used, code: fresh } })).status).toBe(200);
  });

  it('at most 30 wrong guesses of live codes per account and client per day, whatever the windows', async () => {
    const email = 'new@example.com';
    await client.auth.register({ body: { email, name: 'New', surname: 'Comer', password: 'long-enough-1' } });
    for (let window = 0; window < 3; window++) {
      for (let code = 0; code < 2; code++) {
        await client.auth.resendVerification({ body: { email } });
        const sent = mocks.mailbox.latest(email)?.code;
        for (let i = 0; i < 5; i++) {
          const res = await client.auth.verifyEmail({ body: { email, code: wrongFor(sent) } });
          expect(res).toMatchObject({ status: 400, body: { code: 'INVALID_CODE' } });
        }
      }
      w.advance(WINDOW_MS); // 09:15, 09:30, 09:45
    }
    await client.auth.resendVerification({ body: { email } });
    const code = mocks.mailbox.latest(email)?.code ?? '';
    const blocked = await client.auth.verifyEmail({ body: { email, code } });
    expect(blocked).toMatchObject(RATE_LIMITED);
    expect(blocked.headers.get('retry-after')).toBe(String(14 * 3600 + 15 * 60)); // until midnight UTC
    w.advance(14 * 3600 * 1000 + 15 * 60 * 1000);
    await client.auth.resendVerification({ body: { email } });
    const tomorrow = mocks.mailbox.latest(email)?.code ?? '';
    expect((await client.auth.verifyEmail({ body: { email, code: tomorrow } })).status).toBe(200);
  });
});

describe('codes asked for per address', () => {
  it('register, resend-verification and forgot-password share 10 per window, and answer alike for any address', async () => {
    await client.auth.register({
      body: { email: 'new@example.com', name: 'New', surname: 'Comer', password: 'long-enough-1' },
    });
    for (const email of ['new@example.com', 'nobody@cims.local']) {
      const answers = [];
      // Registering used one of the new address's 10.
      const budget = email === 'new@example.com' ? 9 : 10;
      for (let i = 0; i < budget; i++) {
        answers.push(
          i % 2 === 0
            ? await client.auth.resendVerification({ body: { email } })
            : await client.auth.forgotPassword({ body: { email } }),
        );
      }
      expect(answers.map((r) => r.status)).toEqual(Array(budget).fill(200));
      const over = [
        await client.auth.resendVerification({ body: { email } }),
        await client.auth.forgotPassword({ body: { email: email.toUpperCase() } }),
      ];
      for (const res of over) {
        expect(res).toMatchObject(RATE_LIMITED);
        expect(res.headers.get('retry-after')).toBe('900');
      }
    }
    // 1 from registering, then 9 more; nothing once limited.
    expect(mocks.mailbox.all('new@example.com')).toHaveLength(10);
    expect(mocks.mailbox.all('nobody@cims.local')).toHaveLength(0);
    w.advance(WINDOW_MS);
    expect((await client.auth.forgotPassword({ body: { email: 'new@example.com' } })).status).toBe(200);
  });
});

describe('reset()', () => {
  it('forgets the counters', async () => {
    for (let i = 0; i < 10; i++) await login(ceo.email, 'wrong-password');
    expect(await login(ceo.email, ceo.password)).toMatchObject(RATE_LIMITED);
    mocks.reset();
    await w.login(ceo.email, ceo.password);
  });
});
