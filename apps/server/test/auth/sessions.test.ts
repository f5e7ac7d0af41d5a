import { describe, expect, it } from 'vitest';
import { query } from '../../src/db/sql.js';
import { createTestApp } from '../harness.js';
import { bearer, CEO, getJson, SALES, sendJson, tokens } from './helpers.js';

const refresh = (t: Parameters<typeof sendJson>[0], token: string) =>
  sendJson(t, 'POST', '/auth/refresh', { refresh_token: token });

/**
 * A grace window no busy machine can outlast between two requests of a test; the tests leave it by moving the spent
 * tokens' `spent_at` past it instead of waiting.
 */
const GRACE_SECONDS = 60;
const afterTheWindow = (t: Parameters<typeof sendJson>[0]) =>
  query(
    t.server.app.context.db.orm.em.fork(),
    `update refresh_token set spent_at = spent_at - make_interval(secs => ?) where spent_at is not null`,
    [GRACE_SECONDS + 1],
  );

describe('POST /auth/refresh: rotation', () => {
  it('spends the token and issues a new pair in the same session', async () => {
    await using t = await createTestApp();
    const first = await tokens(t, CEO.email, CEO.password);
    const second = await refresh(t, first.refresh_token);
    expect(second.res.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.refresh_token);
    const third = await refresh(t, second.body.refresh_token);
    expect(third.res.status).toBe(200);
    const sessions = await getJson(t, '/auth/sessions', bearer(third.body.access_token));
    expect(sessions.body).toHaveLength(1);
    // The access token of the first pair still works: same session, not revoked.
    expect((await getJson(t, '/auth/me', bearer(first.access_token))).res.status).toBe(200);
  });

  it('20 parallel refreshes with one token inside the grace window: all 2xx, one session, one successor', async () => {
    await using t = await createTestApp({ env: { REFRESH_REUSE_GRACE_SECONDS: String(GRACE_SECONDS) } });
    const pair = await tokens(t, CEO.email, CEO.password);
    const results = await Promise.all(Array.from({ length: 20 }, () => refresh(t, pair.refresh_token)));
    expect(results.map((r) => r.res.status)).toEqual(Array(20).fill(200));
    // Everyone gets the same successor: the session never has two live refresh tokens.
    expect(new Set(results.map((r) => r.body.refresh_token)).size).toBe(1);
    const sessions = await getJson(t, '/auth/sessions', bearer(results[0]?.body.access_token));
    expect(sessions.body).toHaveLength(1);
    const [live] = await query(
      t.server.app.context.db.orm.em.fork(),
      'select count(*) as n from refresh_token where spent_at is null',
    );
    expect(Number(live?.n)).toBe(1);
    expect((await refresh(t, results[0]?.body.refresh_token)).res.status).toBe(200);
  });

  it('a lost response: the token before the live one, within the window, returns the live one', async () => {
    await using t = await createTestApp({ env: { REFRESH_REUSE_GRACE_SECONDS: String(GRACE_SECONDS) } });
    const t0 = await tokens(t, CEO.email, CEO.password);
    const t1 = await refresh(t, t0.refresh_token);
    const t2 = await refresh(t, t1.body.refresh_token);
    const again = await refresh(t, t0.refresh_token);
    expect(again.res.status).toBe(200);
    expect(again.body.refresh_token).toBe(t2.body.refresh_token);
  });

  it('a thief replaying within the window gets the owner’s successor, so the next replay is caught', async () => {
    await using t = await createTestApp({ env: { REFRESH_REUSE_GRACE_SECONDS: String(GRACE_SECONDS) } });
    const stolen = await tokens(t, CEO.email, CEO.password);
    const owner = await refresh(t, stolen.refresh_token);
    const thief = await refresh(t, stolen.refresh_token);
    expect(thief.body.refresh_token).toBe(owner.body.refresh_token);
    const ownerNext = await refresh(t, owner.body.refresh_token);
    expect(ownerNext.res.status).toBe(200);
    await afterTheWindow(t);
    const replay = await refresh(t, thief.body.refresh_token);
    expect(replay.body.code).toBe('REFRESH_TOKEN_REUSED');
    expect((await refresh(t, ownerNext.body.refresh_token)).res.status).toBe(401);
  });

  it('the same token after the grace window is reuse: 401 REFRESH_TOKEN_REUSED, the session is revoked, audited', async () => {
    await using t = await createTestApp({ env: { REFRESH_REUSE_GRACE_SECONDS: String(GRACE_SECONDS) } });
    const pair = await tokens(t, CEO.email, CEO.password);
    const next = await refresh(t, pair.refresh_token);
    expect(next.res.status).toBe(200);
    await afterTheWindow(t);
    const reused = await refresh(t, pair.refresh_token);
    expect(reused.res.status).toBe(401);
    expect(reused.body.code).toBe('REFRESH_TOKEN_REUSED');
    // The whole family is gone: the successor and the access tokens fail too.
    expect((await refresh(t, next.body.refresh_token)).res.status).toBe(401);
    expect((await getJson(t, '/auth/me', bearer(next.body.access_token))).res.status).toBe(401);
    const audit = await query(t.server.app.context.db.orm.em.fork(), `select action from audit_log where action = ?`, [
      'refresh_token_reused',
    ]);
    expect(audit).toHaveLength(1);
  });

  it('answers 401 REFRESH_TOKEN_INVALID for unknown, revoked and deactivated', async () => {
    await using t = await createTestApp();
    expect((await refresh(t, 'not-a-token')).body).toEqual({
      detail: 'The refresh token is invalid or expired',
      code: 'REFRESH_TOKEN_INVALID',
    });
    const pair = await tokens(t, SALES.email, SALES.password);
    await query(t.server.app.context.db.orm.em.fork(), 'update app_user set is_active = false where email = ?', [
      SALES.email,
    ]);
    const refused = await refresh(t, pair.refresh_token);
    expect(refused.res.status).toBe(401);
    expect(refused.body.code).toBe('REFRESH_TOKEN_INVALID');
  });

  it('stores only hashes: neither the database nor the logs contain a refresh token', async () => {
    await using t = await createTestApp();
    const pair = await tokens(t, CEO.email, CEO.password);
    const next = await refresh(t, pair.refresh_token);
    const em = t.server.app.context.db.orm.em.fork();
    const dump = JSON.stringify([
      ...(await query(em, 'select * from refresh_token')),
      ...(await query(em, 'select * from auth_session')),
      ...(await query(em, 'select * from audit_log')),
    ]);
    for (const secret of [pair.refresh_token, next.body.refresh_token, pair.access_token]) {
      expect(dump).not.toContain(secret);
      expect(t.logText()).not.toContain(secret);
    }
  });
});

describe('logout, logout-all and the session list', () => {
  it('logout ends the session of the given refresh token and succeeds again when it is already over', async () => {
    await using t = await createTestApp();
    const pair = await tokens(t, CEO.email, CEO.password);
    const out = await sendJson(
      t,
      'POST',
      '/auth/logout',
      { refresh_token: pair.refresh_token },
      bearer(pair.access_token),
    );
    expect(out.res.status).toBe(200);
    expect(out.body).toEqual({ success: true, message: 'Signed out' });
    expect((await refresh(t, pair.refresh_token)).res.status).toBe(401);
    expect((await getJson(t, '/auth/me', bearer(pair.access_token))).res.status).toBe(401);
  });

  it('the legacy expired-token logout: refresh, then logout with the old (rotated) refresh token → 2xx', async () => {
    await using t = await createTestApp();
    const pair = await tokens(t, CEO.email, CEO.password);
    const next = await refresh(t, pair.refresh_token);
    const out = await sendJson(
      t,
      'POST',
      '/auth/logout',
      { refresh_token: pair.refresh_token },
      bearer(next.body.access_token),
    );
    expect(out.res.status).toBe(200);
  });

  it('ignores a refresh token of another user', async () => {
    await using t = await createTestApp();
    const ceo = await tokens(t, CEO.email, CEO.password);
    const sales = await tokens(t, SALES.email, SALES.password);
    const out = await sendJson(
      t,
      'POST',
      '/auth/logout',
      { refresh_token: ceo.refresh_token },
      bearer(sales.access_token),
    );
    expect(out.res.status).toBe(200);
    expect((await refresh(t, ceo.refresh_token)).res.status).toBe(200);
    // The caller's own session is untouched too.
    expect((await getJson(t, '/auth/me', bearer(sales.access_token))).res.status).toBe(200);
  });

  it('logout-all revokes every session, says how many, and outstanding access tokens fail at once', async () => {
    await using t = await createTestApp();
    const a = await tokens(t, CEO.email, CEO.password, 'laptop');
    const b = await tokens(t, CEO.email, CEO.password, 'phone');
    const other = await tokens(t, SALES.email, SALES.password);
    const out = await sendJson(t, 'POST', '/auth/logout-all', undefined, bearer(a.access_token));
    expect(out.res.status).toBe(200);
    expect(out.body).toMatchObject({ success: true, revoked_sessions: 2 });
    for (const pair of [a, b]) {
      expect((await getJson(t, '/auth/me', bearer(pair.access_token))).res.status).toBe(401);
      expect((await refresh(t, pair.refresh_token)).res.status).toBe(401);
    }
    expect((await getJson(t, '/auth/me', bearer(other.access_token))).res.status).toBe(200);
  });

  it('lists the caller’s sessions with the current one marked, and ends one by id', async () => {
    await using t = await createTestApp();
    const laptop = await tokens(t, CEO.email, CEO.password, 'laptop-browser');
    const phone = await tokens(t, CEO.email, CEO.password, 'phone-browser');
    const list = await getJson(t, '/auth/sessions', bearer(laptop.access_token));
    expect(list.body).toHaveLength(2);
    const current = list.body.find((s: { current: boolean }) => s.current);
    expect(current.user_agent).toBe('laptop-browser');
    expect(current.ip_address).toMatch(/127\.0\.0\.1/);
    const phoneSession = list.body.find((s: { current: boolean }) => !s.current);
    const del = await fetch(`${t.url}/auth/sessions/${phoneSession.id}`, {
      method: 'DELETE',
      headers: bearer(laptop.access_token),
    });
    expect(del.status).toBe(204);
    expect((await getJson(t, '/auth/me', bearer(phone.access_token))).res.status).toBe(401);
    const again = await fetch(`${t.url}/auth/sessions/${phoneSession.id}`, {
      method: 'DELETE',
      headers: bearer(laptop.access_token),
    });
    expect(again.status).toBe(404);
    const sales = await tokens(t, SALES.email, SALES.password);
    const foreign = await fetch(`${t.url}/auth/sessions/${current.id}`, {
      method: 'DELETE',
      headers: bearer(sales.access_token),
    });
    expect(foreign.status).toBe(404);
    const badId = await fetch(`${t.url}/auth/sessions/abc`, { method: 'DELETE', headers: bearer(sales.access_token) });
    expect(badId.status).toBe(422);
  });
});
