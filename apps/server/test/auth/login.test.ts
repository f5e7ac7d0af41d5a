import { describe, expect, it } from 'vitest';
import { query } from '../../src/db/sql.js';
import { createTestApp } from '../harness.js';
import { bearer, CEO, getJson, login, SALES, tokens } from './helpers.js';

describe('POST /auth/login (the legacy client’s form)', () => {
  it('answers a token pair for the exact body the legacy client sends, and /auth/me reads the user', async () => {
    await using t = await createTestApp();
    const pair = await tokens(t, CEO.email, CEO.password);
    expect(pair).toMatchObject({ token_type: 'bearer', expires_in: 3000 * 60 });
    expect(pair.refresh_token).toMatch(/^[\w-]{86}$/);
    const me = await getJson(t, '/auth/me', bearer(pair.access_token));
    expect(me.res.status).toBe(200);
    expect(me.res.headers.get('content-type')).toContain('application/json');
    expect(me.body).toMatchObject({ email: CEO.email, role: 'CEO', is_active: true, email_verified: true });
    expect(Object.values(me.body.permissions).every((v) => v === true)).toBe(true);
    const sales = await tokens(t, SALES.email, SALES.password);
    const salesMe = await getJson(t, '/auth/me', bearer(sales.access_token));
    expect(salesMe.body.role).toBe('SalesManager');
    expect(salesMe.body.permissions).toMatchObject({ crm: true, ceo: false, update_list: false });
  });

  it('is case-insensitive and trims the e-mail', async () => {
    await using t = await createTestApp();
    const { res } = await login(t, '  CEO@Cims.Local ', CEO.password);
    expect(res.status).toBe(200);
  });

  it('gives a wrong password and an unknown e-mail the same 401 with WWW-Authenticate', async () => {
    await using t = await createTestApp();
    const wrong = await login(t, CEO.email, 'not-the-password');
    const unknown = await login(t, 'nobody@cims.local', 'whatever-password');
    expect(wrong.res.status).toBe(401);
    expect(unknown.res.status).toBe(401);
    expect(wrong.body).toEqual({ detail: 'Incorrect e-mail or password', code: 'INVALID_CREDENTIALS' });
    expect(unknown.body).toEqual(wrong.body);
    expect(wrong.res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('does the same password-hashing work for an unknown e-mail as for a known one', async () => {
    await using t = await createTestApp({ env: { BCRYPT_COST: '11' } });
    // Warm up (the dummy hash is made on first use).
    await login(t, 'nobody@cims.local', 'x-password');
    // The work is measured as this process's CPU time (the server runs in it; bcrypt on its thread pool), not as
    // elapsed time, which depends on how busy the machine is.
    const work = async (email: string) => {
      const started = process.cpuUsage();
      await login(t, email, 'wrong-password-1');
      const used = process.cpuUsage(started);
      return (used.user + used.system) / 1000;
    };
    const known = Math.min(await work(CEO.email), await work(CEO.email));
    const unknown = Math.min(await work('nobody@cims.local'), await work('nobody2@cims.local'));
    // bcrypt at cost 11 is ~100 ms of CPU; without the dummy comparison an unknown address would cost a few ms.
    expect(unknown).toBeGreaterThan(known * 0.5);
  });

  it('reports an unverified or deactivated account only after a correct password', async () => {
    await using t = await createTestApp();
    const em = t.server.app.context.db.orm.em.fork();
    await query(em, `update app_user set email_verified_at = null where email = ?`, [SALES.email]);
    expect((await login(t, SALES.email, 'wrong-password')).res.status).toBe(401);
    const unverified = await login(t, SALES.email, SALES.password);
    expect(unverified.res.status).toBe(403);
    expect(unverified.body.code).toBe('EMAIL_NOT_VERIFIED');
    await query(em, `update app_user set is_active = false where email = ?`, [CEO.email]);
    expect((await login(t, CEO.email, 'wrong-password')).res.status).toBe(401);
    const inactive = await login(t, CEO.email, CEO.password);
    expect(inactive.res.status).toBe(403);
    expect(inactive.body.code).toBe('ACCOUNT_INACTIVE');
  });

  it('answers 422 with the legacy field names (username, password) for a bad form', async () => {
    await using t = await createTestApp();
    const res = await fetch(`${t.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=not-an-email',
    });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.detail.map((d: { loc: string[] }) => d.loc.at(-1))).toEqual(['username', 'password']);
  });

  it('refuses JSON on the form route with 415', async () => {
    await using t = await createTestApp();
    const res = await fetch(`${t.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: CEO.email, password: CEO.password }),
    });
    expect(res.status).toBe(415);
  });
});

describe('bearer authentication', () => {
  it('answers 401 UNAUTHENTICATED with WWW-Authenticate for every kind of bad token', async () => {
    await using t = await createTestApp();
    const pair = await tokens(t, CEO.email, CEO.password);
    const tampered = `${pair.access_token.slice(0, -4)}AAAA`;
    const expired = await t.server.app.context.auth.core.deps.accessTokens.sign(
      { userId: 1, sessionId: 1 },
      new Date(Date.now() - 4000 * 60 * 1000),
    );
    const noneAlg = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${Buffer.from(
      JSON.stringify({ sub: '1', sid: 1, exp: 9999999999 }),
    ).toString('base64url')}.`;
    for (const headers of [
      {},
      { authorization: 'Bearer undefined' },
      { authorization: 'Bearer' },
      { authorization: 'Basic abc' },
      { authorization: `Bearer ${tampered}` },
      { authorization: `Bearer ${expired}` },
      { authorization: `Bearer ${noneAlg}` },
    ]) {
      const res = await getJson(t, '/auth/me', headers as Record<string, string>);
      expect(res.res.status, JSON.stringify(headers)).toBe(401);
      expect(res.body.code).toBe('UNAUTHENTICATED');
      expect(res.res.headers.get('www-authenticate')).toBe('Bearer');
    }
  });

  it('a deactivated user’s outstanding access token fails at once', async () => {
    await using t = await createTestApp();
    const pair = await tokens(t, SALES.email, SALES.password);
    expect((await getJson(t, '/auth/me', bearer(pair.access_token))).res.status).toBe(200);
    await query(t.server.app.context.db.orm.em.fork(), `update app_user set is_active = false where email = ?`, [
      SALES.email,
    ]);
    expect((await getJson(t, '/auth/me', bearer(pair.access_token))).res.status).toBe(401);
  });
});

describe('GET /auth/dashboard-redirect', () => {
  it('sends the CEO to /ceo and a sales manager to their first page', async () => {
    await using t = await createTestApp();
    const ceo = await tokens(t, CEO.email, CEO.password);
    expect((await getJson(t, '/auth/dashboard-redirect', bearer(ceo.access_token))).body).toEqual({
      redirect_url: '/ceo',
    });
    const sales = await tokens(t, SALES.email, SALES.password);
    expect((await getJson(t, '/auth/dashboard-redirect', bearer(sales.access_token))).body).toEqual({
      redirect_url: '/crm',
    });
    await query(t.server.app.context.db.orm.em.fork(), 'delete from user_page_permission');
    const none = await getJson(t, '/auth/dashboard-redirect', bearer(sales.access_token));
    expect(none.res.status).toBe(403);
    expect(none.body.code).toBe('NO_PAGE_ACCESS');
  });
});

describe('order of checks', () => {
  it('answers 401 for a missing token before looking at the body, and never reads an upload from a stranger', async () => {
    await using t = await createTestApp();
    const badBody = await fetch(`${t.url}/auth/me/profile-info`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 42 }),
    });
    expect(badBody.status).toBe(401);
    const upload = new FormData();
    upload.append('image', new File([new Uint8Array(6 * 1024 * 1024)], 'big.png', { type: 'image/png' }));
    const stranger = await fetch(`${t.url}/auth/me/profile-image`, { method: 'POST', body: upload });
    expect(stranger.status).toBe(401);
  });
});
