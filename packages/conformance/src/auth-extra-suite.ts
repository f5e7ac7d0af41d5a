import { unwrap } from '@cims/sdk';
import { expect, it } from 'vitest';
import { unique } from './crm-kit.js';
import type { Target, withWorld as WithWorld, World } from './suite-kit.js';
import { accessToken, SEEDED, signedIn } from './suite-kit.js';

/** A raw form-urlencoded `POST /auth/login`, as the legacy client and browsers send it. */
function postLogin(world: World, body: string, contentType = 'application/x-www-form-urlencoded') {
  return fetch(`${world.baseUrl}/auth/login`, { method: 'POST', headers: { 'content-type': contentType }, body });
}

/** The details of sign-in, bearer tokens and registration beyond the auth suite. */
export function authExtraSuite(target: Target, withWorld: typeof WithWorld): void {
  withWorld(target, 'sign-in in detail', (world) => {
    it('an unknown address and a wrong password get the same 401 body, with WWW-Authenticate: Bearer', async () => {
      const unknown = await world()
        .newClient()
        .auth.login({ body: { username: `nobody-${unique()}@example.com`, password: 'whatever-1' } });
      const wrong = await world()
        .newClient()
        .auth.login({ body: { username: SEEDED.ceo.email, password: 'not-the-password' } });
      for (const res of [unknown, wrong]) {
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ detail: expect.any(String), code: 'INVALID_CREDENTIALS' });
        expect(res.headers.get('www-authenticate')).toBe('Bearer');
      }
      expect(unknown.body).toEqual(wrong.body);
    });

    it('matches the e-mail address trimmed and in any case', async () => {
      const res = await world()
        .newClient()
        .auth.login({ body: { username: `  ${SEEDED.ceo.email.toUpperCase()} `, password: SEEDED.ceo.password } });
      expect(res.status).toBe(200);
    });

    it('reports a deactivated account (403 ACCOUNT_INACTIVE) only after a correct password', async () => {
      const ceo = await signedIn(world(), SEEDED.ceo);
      const who = { email: `inactive-${unique()}@example.com`, password: 'inactive-password' };
      const { id } = unwrap(await ceo.ceo.createUser({ body: { ...who, name: 'Inactive', role: 'Member' } }));
      unwrap(await ceo.ceo.updateUser({ params: { id }, body: { is_active: false } }));
      const anon = world().newClient();
      const wrong = await anon.auth.login({ body: { username: who.email, password: 'not-the-password' } });
      expect(wrong.status).toBe(401);
      const right = await anon.auth.login({ body: { username: who.email, password: who.password } });
      expect(right).toMatchObject({ status: 403, body: { code: 'ACCOUNT_INACTIVE' } });
    });

    it('answers 422 at body.password for a missing password and 415 for a JSON body', async () => {
      const missing = await postLogin(world(), `username=${encodeURIComponent(SEEDED.ceo.email)}`);
      expect(missing.status).toBe(422);
      expect(await missing.json()).toMatchObject({
        detail: [{ loc: ['body', 'password'], type: 'missing' }],
        code: 'VALIDATION_FAILED',
      });
      const json = await postLogin(
        world(),
        JSON.stringify({ username: SEEDED.ceo.email, password: SEEDED.ceo.password }),
        'application/json',
      );
      expect(json.status).toBe(415);
      expect(await json.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    });

    it('accepts the legacy client form (grant_type and empty OAuth2 fields) and answers JSON', async () => {
      const { email, password } = SEEDED.ceo;
      const res = await postLogin(
        world(),
        `username=${encodeURIComponent(email)}&password=${password}&grant_type=password&scope=&client_id=&client_secret=`,
      );
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('application/json');
      expect(await res.json()).toMatchObject({ token_type: 'bearer', access_token: expect.any(String) });
    });

    it('the sales managers see the CRM page only and land on /crm', async () => {
      for (const who of [SEEDED.sales, SEEDED.sales2]) {
        const sales = await signedIn(world(), who);
        const me = unwrap(await sales.auth.me());
        expect(me).toMatchObject({ role: 'SalesManager', company_code: 'oddiy' });
        expect(Object.entries(me.permissions).filter(([, allowed]) => allowed)).toEqual([['crm', true]]);
        expect(unwrap(await sales.auth.dashboardRedirect())).toEqual({ redirect_url: '/crm' });
      }
    });
  });

  withWorld(target, 'bearer tokens in detail', (world) => {
    async function expect401(headers: Record<string, string>) {
      const res = await fetch(`${world().baseUrl}/auth/me`, { headers });
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(await res.json()).toEqual({ detail: expect.any(String), code: 'UNAUTHENTICATED' });
    }

    it('refuse a malformed, null, Basic, altered, forged or truncated token with 401; the scheme is any case', async () => {
      const token = await accessToken(await signedIn(world(), SEEDED.ceo));
      const [header, payload, signature] = token.split('.');
      const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8'));
      const forged = Buffer.from(JSON.stringify({ ...claims, sub: '2', exp: 9_999_999_999 })).toString('base64url');
      for (const authorization of [
        'Bearer',
        'Bearer null',
        `Basic ${token}`,
        `Bearer ${token}x`,
        `Bearer ${header}.${forged}.${signature}`,
        `Bearer ${header}.${payload}`,
      ]) {
        await expect401({ authorization });
      }
      const lower = await fetch(`${world().baseUrl}/auth/me`, { headers: { authorization: `bearer ${token}` } });
      expect(lower.status).toBe(200);
      await lower.arrayBuffer();
    });

    it('check the token before the body: no token and a bad body is 401, not 422', async () => {
      const res = await fetch(`${world().baseUrl}/auth/me/profile-info`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 42 }),
      });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    });
  });

  withWorld(target, 'registration in detail', (world) => {
    it('an unverified account cannot sign in (403 EMAIL_NOT_VERIFIED); a verified Customer has no page to land on', async () => {
      const email = `newcomer-${unique()}@example.com`;
      const password = 'long-enough-1';
      const anon = world().newClient();
      expect((await anon.auth.register({ body: { email, name: 'New', surname: 'Comer', password } })).status).toBe(201);
      const early = await anon.auth.login({ body: { username: email, password } });
      expect(early).toMatchObject({ status: 403, body: { code: 'EMAIL_NOT_VERIFIED' } });
      const code = await world().latestCode(email);
      const verified = world().newClient();
      await verified.verifyEmail({ email, code });
      const redirect = await verified.auth.dashboardRedirect();
      expect(redirect).toMatchObject({ status: 403, body: { code: 'NO_PAGE_ACCESS' } });
      const again = await anon.auth.verifyEmail({ body: { email, code } });
      expect(again).toMatchObject({ status: 400, body: { code: 'INVALID_CODE' } });
      expect((await anon.auth.login({ body: { username: email, password } })).status).toBe(200);
    });

    it('refuses the address of a verified account in any case, a self-registered one too, with 409 EMAIL_TAKEN', async () => {
      const anon = world().newClient();
      const body = { name: 'New', surname: 'Comer', password: 'long-enough-1' };
      const seeded = await anon.auth.register({ body: { ...body, email: SEEDED.ceo.email.toUpperCase() } });
      expect(seeded).toMatchObject({ status: 409, body: { code: 'EMAIL_TAKEN' } });
      const email = `self-${unique()}@example.com`;
      expect((await anon.auth.register({ body: { ...body, email } })).status).toBe(201);
      await world()
        .newClient()
        .verifyEmail({ email, code: await world().latestCode(email) });
      const again = await anon.auth.register({ body: { ...body, email, password: 'someone-elses-1' } });
      expect(again).toMatchObject({ status: 409, body: { code: 'EMAIL_TAKEN' } });
      expect((await anon.auth.login({ body: { username: email, password: body.password } })).status).toBe(200);
    });
  });
}
