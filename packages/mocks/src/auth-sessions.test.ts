import { describe, expect, it } from 'vitest';
import { MOCK_USERS } from './state.js';
import { jwtClaims, useTestWorld } from './test-world.js';

const w = useTestWorld();
const { client, mocks } = w;
const { ceo, sales1, sales2 } = MOCK_USERS;

const DAY = 86_400_000;

describe('refresh', () => {
  it('rotates: the new pair works, in the same session', async () => {
    const first = await w.login(ceo.email, ceo.password);
    const res = await client.auth.refresh({ body: { refresh_token: first.refresh_token } });
    expect(res.status).toBe(200);
    if (res.status !== 200) return;
    expect(res.body.refresh_token).not.toBe(first.refresh_token);
    expect(jwtClaims(res.body.access_token).sid).toBe(jwtClaims(first.access_token).sid);
    expect((await client.auth.me(w.bearer(res.body.access_token))).status).toBe(200);
    const next = await client.auth.refresh({ body: { refresh_token: res.body.refresh_token } });
    expect(next.status).toBe(200);
  });

  /** The refresh tokens of a session not yet spent: rotation keeps exactly one. */
  function liveTokens(sid: unknown): string[] {
    return [...mocks.state.refreshTokens]
      .filter(([, record]) => record.sessionId === sid && record.spentAt === null)
      .map(([token]) => token);
  }

  it('gives a just-rotated token, within 10 s, a new access token and the session’s one live refresh token', async () => {
    const first = await w.login(ceo.email, ceo.password);
    const sid = jwtClaims(first.access_token).sid;
    const tabA = await client.auth.refresh({ body: { refresh_token: first.refresh_token } });
    if (tabA.status !== 200) return expect.fail('refresh failed');
    w.advance(9_000);
    // 20 tabs presenting the spent token at once: all 200, all with the same successor, still one live token.
    const tabs = await Promise.all(
      Array.from({ length: 20 }, () => client.auth.refresh({ body: { refresh_token: first.refresh_token } })),
    );
    expect(tabs.map((r) => r.status)).toEqual(Array(20).fill(200));
    const bodies = tabs.map((r) => (r.status === 200 ? r.body : expect.fail('refresh failed')));
    expect(new Set(bodies.map((b) => b.refresh_token))).toEqual(new Set([tabA.body.refresh_token]));
    expect(new Set(bodies.map((b) => b.access_token)).size).toBe(20);
    for (const body of bodies) expect(jwtClaims(body.access_token).sid).toBe(sid);
    expect((await client.auth.me(w.bearer(bodies[19]?.access_token ?? ''))).status).toBe(200);
    expect(liveTokens(sid)).toEqual([tabA.body.refresh_token]);
    expect(mocks.state.sessions.size).toBe(1);
    // The successor rotates as usual, and then it is the one a late tab gets.
    const next = await client.auth.refresh({ body: { refresh_token: tabA.body.refresh_token } });
    if (next.status !== 200) return expect.fail('refresh failed');
    expect(liveTokens(sid)).toEqual([next.body.refresh_token]);
    const late = await client.auth.refresh({ body: { refresh_token: first.refresh_token } });
    expect(late).toMatchObject({ status: 200, body: { refresh_token: next.body.refresh_token } });
  });

  it('a lost response: with t0 → t1 → t2 rotated, t0 (or t1) within the window returns t2', async () => {
    const t0 = await w.login(ceo.email, ceo.password);
    const t1 = await client.auth.refresh({ body: { refresh_token: t0.refresh_token } });
    if (t1.status !== 200) return expect.fail('refresh failed');
    w.advance(2_000);
    const t2 = await client.auth.refresh({ body: { refresh_token: t1.body.refresh_token } });
    if (t2.status !== 200) return expect.fail('refresh failed');
    w.advance(2_000);
    for (const spent of [t0.refresh_token, t1.body.refresh_token, t0.refresh_token]) {
      const again = await client.auth.refresh({ body: { refresh_token: spent } });
      expect(again).toMatchObject({ status: 200, body: { refresh_token: t2.body.refresh_token } });
    }
    expect(liveTokens(jwtClaims(t0.access_token).sid)).toEqual([t2.body.refresh_token]);
  });

  it('ends the session on reuse once the presented token was spent 10 s ago, even while a later one is in its window', async () => {
    const t0 = await w.login(ceo.email, ceo.password);
    const t1 = await client.auth.refresh({ body: { refresh_token: t0.refresh_token } });
    if (t1.status !== 200) return expect.fail('refresh failed');
    w.advance(5_000);
    const t2 = await client.auth.refresh({ body: { refresh_token: t1.body.refresh_token } });
    if (t2.status !== 200) return expect.fail('refresh failed');
    w.advance(5_000); // 10 s after t0 was spent, 5 s after t1 was
    const reuse = await client.auth.refresh({ body: { refresh_token: t0.refresh_token } });
    expect(reuse).toMatchObject({ status: 401, body: { code: 'REFRESH_TOKEN_REUSED' } });
    expect(mocks.state.sessions.get(1)?.revokeReason).toBe('refresh-token-reuse');
    expect((await client.auth.me(w.bearer(t2.body.access_token))).status).toBe(401);
    // The session is over: its live token and the one still within its window are merely invalid now.
    for (const token of [t2.body.refresh_token, t1.body.refresh_token]) {
      const after = await client.auth.refresh({ body: { refresh_token: token } });
      expect(after).toMatchObject({ status: 401, body: { code: 'REFRESH_TOKEN_INVALID' } });
    }
  });

  it('a thief replaying within the window gets the owner’s successor, so a later replay is caught', async () => {
    const stolen = await w.login(ceo.email, ceo.password);
    const owner = await client.auth.refresh({ body: { refresh_token: stolen.refresh_token } });
    const thief = await client.auth.refresh({ body: { refresh_token: stolen.refresh_token } });
    if (owner.status !== 200 || thief.status !== 200) return expect.fail('refresh failed');
    expect(thief.body.refresh_token).toBe(owner.body.refresh_token);
    const ownerNext = await client.auth.refresh({ body: { refresh_token: owner.body.refresh_token } });
    if (ownerNext.status !== 200) return expect.fail('refresh failed');
    w.advance(10_000);
    const replay = await client.auth.refresh({ body: { refresh_token: thief.body.refresh_token } });
    expect(replay).toMatchObject({ status: 401, body: { code: 'REFRESH_TOKEN_REUSED' } });
    const ownerAfter = await client.auth.refresh({ body: { refresh_token: ownerNext.body.refresh_token } });
    expect(ownerAfter).toMatchObject({ status: 401, body: { code: 'REFRESH_TOKEN_INVALID' } });
  });

  it('answers a spent token of a session that simply expired 401 REFRESH_TOKEN_INVALID, never REUSED', async () => {
    // Used every 14 days, the session lives until its 90-day maximum; the last rotation comes 5 s before it.
    let t0 = await w.login(ceo.email, ceo.password);
    for (let i = 0; i < 6; i++) {
      w.advance(14 * DAY);
      const next = await client.auth.refresh({ body: { refresh_token: t0.refresh_token } });
      if (next.status !== 200) return expect.fail('refresh failed');
      t0 = next.body;
    }
    w.advance(6 * DAY - 5_000);
    const t1 = await client.auth.refresh({ body: { refresh_token: t0.refresh_token } });
    if (t1.status !== 200) return expect.fail('refresh failed');
    w.advance(5_000); // the session's maximum, within t0's grace window
    for (const token of [t0.refresh_token, t1.body.refresh_token]) {
      const expired = await client.auth.refresh({ body: { refresh_token: token } });
      expect(expired).toMatchObject({ status: 401, body: { code: 'REFRESH_TOKEN_INVALID' } });
    }
    w.advance(60_000); // and past the window
    const late = await client.auth.refresh({ body: { refresh_token: t0.refresh_token } });
    expect(late).toMatchObject({ status: 401, body: { code: 'REFRESH_TOKEN_INVALID' } });
    expect(mocks.state.sessions.get(1)?.revokeReason).toBeNull();
  });

  it('refuses a session past its 90-day maximum whose expiry says otherwise (set up so), as ended, not reuse', async () => {
    const pair = await w.login(ceo.email, ceo.password);
    const session = mocks.state.sessions.get(jwtClaims(pair.access_token).sid as number);
    if (!session) return expect.fail('no session');
    session.createdAt -= 90 * DAY;
    const refused = await client.auth.refresh({ body: { refresh_token: pair.refresh_token } });
    expect(refused).toMatchObject({ status: 401, body: { code: 'REFRESH_TOKEN_INVALID' } });
    expect(session.revokedAt).toBeNull();
    session.createdAt += 1_000; // a second inside the maximum: renewed up to it
    const renewed = await client.auth.refresh({ body: { refresh_token: pair.refresh_token } });
    expect(renewed.status).toBe(200);
    expect(session.expiresAt).toBe(session.createdAt + 90 * DAY);
  });

  it('refuses unknown, revoked and expired tokens, and the tokens of a deactivated user', async () => {
    const unknown = await client.auth.refresh({ body: { refresh_token: 'not-a-token' } });
    expect(unknown).toMatchObject({ status: 401, body: { code: 'REFRESH_TOKEN_INVALID' } });

    const loggedOut = await w.login(ceo.email, ceo.password);
    await client.auth.logout({ body: {}, ...w.bearer(loggedOut.access_token) });
    expect((await client.auth.refresh({ body: { refresh_token: loggedOut.refresh_token } })).status).toBe(401);

    const deactivated = await w.login(sales1.email, sales1.password);
    mocks.users.update(sales1.email, { is_active: false });
    const inactive = await client.auth.refresh({ body: { refresh_token: deactivated.refresh_token } });
    expect(inactive).toMatchObject({ status: 401, body: { code: 'REFRESH_TOKEN_INVALID' } });

    const old = await w.login(sales2.email, sales2.password);
    w.advance(15 * 24 * 3600 * 1000);
    const expired = await client.auth.refresh({ body: { refresh_token: old.refresh_token } });
    expect(expired).toMatchObject({ status: 401, body: { code: 'REFRESH_TOKEN_INVALID' } });
  });
});

describe('logout and sessions', () => {
  it('logout without a token ends the current session only', async () => {
    const laptop = await w.login(ceo.email, ceo.password);
    const phone = await w.login(ceo.email, ceo.password);
    const res = await client.auth.logout({ body: {}, ...w.bearer(laptop.access_token) });
    expect(res).toMatchObject({ status: 200, body: { success: true } });
    expect((await client.auth.me(w.bearer(laptop.access_token))).status).toBe(401);
    expect((await client.auth.me(w.bearer(phone.access_token))).status).toBe(200);
  });

  it('logout with a refresh token ends that session if it is the caller’s, and ignores anyone else’s', async () => {
    const laptop = await w.login(ceo.email, ceo.password);
    const phone = await w.login(ceo.email, ceo.password);
    const other = await w.login(sales1.email, sales1.password);

    const foreign = await client.auth.logout({
      body: { refresh_token: other.refresh_token },
      ...w.bearer(laptop.access_token),
    });
    expect(foreign.status).toBe(200);
    expect((await client.auth.me(w.bearer(other.access_token))).status).toBe(200);
    expect((await client.auth.me(w.bearer(laptop.access_token))).status).toBe(200);

    await client.auth.logout({ body: { refresh_token: phone.refresh_token }, ...w.bearer(laptop.access_token) });
    expect((await client.auth.me(w.bearer(phone.access_token))).status).toBe(401);
    expect((await client.auth.me(w.bearer(laptop.access_token))).status).toBe(200);
    // An already-ended session is fine.
    const again = await client.auth.logout({
      body: { refresh_token: phone.refresh_token },
      ...w.bearer(laptop.access_token),
    });
    expect(again.status).toBe(200);
  });

  it('logout with the refresh token spent by the refresh that preceded it ends the session (legacy client retry)', async () => {
    const pair = await w.login(ceo.email, ceo.password);
    const rotated = await client.auth.refresh({ body: { refresh_token: pair.refresh_token } });
    if (rotated.status !== 200) return expect.fail('refresh failed');
    await client.auth.logout({ body: { refresh_token: pair.refresh_token }, ...w.bearer(rotated.body.access_token) });
    const after = await client.auth.refresh({ body: { refresh_token: rotated.body.refresh_token } });
    expect(after).toMatchObject({ status: 401, body: { code: 'REFRESH_TOKEN_INVALID' } });
  });

  it('logout-all ends every session and says how many', async () => {
    const sessions = [];
    for (let i = 0; i < 3; i++) sessions.push(await w.login(ceo.email, ceo.password));
    const other = await w.login(sales1.email, sales1.password);
    const res = await client.auth.logoutAll({ ...w.bearer(sessions[0]?.access_token ?? '') });
    expect(res).toMatchObject({ status: 200, body: { success: true, revoked_sessions: 3 } });
    for (const pair of sessions) expect((await client.auth.me(w.bearer(pair.access_token))).status).toBe(401);
    expect((await client.auth.me(w.bearer(other.access_token))).status).toBe(200);
  });

  it('takes a body-less POST sent with an empty body and no Content-Type, as browsers and MSW’s worker send it', async () => {
    const pair = await w.login(ceo.email, ceo.password);
    const res = await w.fetch('/auth/logout-all', {
      method: 'POST',
      headers: { authorization: `Bearer ${pair.access_token}` },
      body: new Uint8Array(0),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ revoked_sessions: 1 });
  });

  it('lists the caller’s active sessions and revokes one by id', async () => {
    const laptop = await w.login(ceo.email, ceo.password, 'Laptop/1.0');
    w.advance(60_000);
    const phone = await w.login(ceo.email, ceo.password, 'Phone/2.0');
    const other = await w.login(sales1.email, sales1.password);

    const list = await client.auth.listSessions(w.bearer(phone.access_token));
    expect(list.status).toBe(200);
    // Most recently used first.
    expect(list.body).toEqual([
      expect.objectContaining({ id: 2, user_agent: 'Phone/2.0', current: true }),
      {
        id: 1,
        user_agent: 'Laptop/1.0',
        ip_address: null,
        created_at: '2026-06-01T09:00:00.000Z',
        last_used_at: '2026-06-01T09:00:00.000Z',
        expires_at: '2026-06-16T09:00:00.000Z',
        current: false,
      },
    ]);
    // Refreshing a session makes it the most recently used.
    w.advance(60_000);
    await client.auth.refresh({ body: { refresh_token: laptop.refresh_token } });
    const reordered = await client.auth.listSessions(w.bearer(phone.access_token));
    expect(reordered.status === 200 && reordered.body.map((s) => [s.id, s.last_used_at])).toEqual([
      [1, '2026-06-01T09:02:00.000Z'],
      [2, '2026-06-01T09:01:00.000Z'],
    ]);

    const notMine = await w.fetch(`/auth/sessions/${jwtClaims(other.access_token).sid}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${phone.access_token}` },
    });
    expect(notMine.status).toBe(404);
    expect(await notMine.json()).toMatchObject({ code: 'NOT_FOUND' });
    const unknown = await w.fetch('/auth/sessions/999', {
      method: 'DELETE',
      headers: { authorization: `Bearer ${phone.access_token}` },
    });
    expect(unknown.status).toBe(404);

    const revoked = await w.fetch('/auth/sessions/1', {
      method: 'DELETE',
      headers: { authorization: `Bearer ${phone.access_token}` },
    });
    expect(revoked.status).toBe(204);
    expect(await revoked.text()).toBe('');
    expect((await client.auth.me(w.bearer(laptop.access_token))).status).toBe(401);
    const again = await w.fetch('/auth/sessions/1', {
      method: 'DELETE',
      headers: { authorization: `Bearer ${phone.access_token}` },
    });
    expect(again.status).toBe(404);
    const left = await client.auth.listSessions(w.bearer(phone.access_token));
    expect(left.status === 200 && left.body.map((s) => s.id)).toEqual([2]);
  });

  it('answers 422 for a session id that is not a positive integer', async () => {
    const { access_token } = await w.login(ceo.email, ceo.password);
    const res = await w.fetch('/auth/sessions/abc', {
      method: 'DELETE',
      headers: { authorization: `Bearer ${access_token}` },
    });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ detail: [{ loc: ['path', 'id'] }] });
  });
});
