import { SESSION_DAY_MS, type Session } from '@cims/contracts';
import { describe, expect, it } from 'vitest';
import { query } from '../../src/db/sql.js';
import { createTestApp, type TestApp } from '../harness.js';
import { bearer, CEO, getJson, sendJson, tokens } from './helpers.js';

// Sessions are moved in time by rewriting their rows, never by waiting. Where a test stops short of a deadline, it
// stops MARGIN before it: longer than a test may run (vitest.config.ts), so no machine is too slow for it.
const DAY = SESSION_DAY_MS;
const MARGIN_MS = 5 * 60_000;

const refresh = (t: TestApp, token: string) => sendJson(t, 'POST', '/auth/refresh', { refresh_token: token });

const db = (t: TestApp) => t.server.app.context.db.orm.em.fork();

/** Moves every session `ms` into the past: its sign-in, its last use and its expiry, as if that much time had passed. */
async function age(t: TestApp, ms: number): Promise<void> {
  await query(
    db(t),
    `update auth_session set created_at = created_at - make_interval(secs => ?),
            last_used_at = last_used_at - make_interval(secs => ?), expires_at = expires_at - make_interval(secs => ?)`,
    [ms / 1000, ms / 1000, ms / 1000],
  );
}

/** The caller's current session as `GET /auth/sessions` lists it, with its times in milliseconds. */
async function current(t: TestApp, accessToken: string) {
  const { res, body } = await getJson(t, '/auth/sessions', bearer(accessToken));
  expect(res.status).toBe(200);
  const session = (body as Session[]).find((s) => s.current);
  if (!session) throw new Error('the current session is not listed');
  return {
    created: Date.parse(session.created_at),
    lastUsed: Date.parse(session.last_used_at),
    expires: Date.parse(session.expires_at),
  };
}

/** Refreshes, expecting a new pair. */
async function rotate(t: TestApp, token: string) {
  const { res, body } = await refresh(t, token);
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body as Awaited<ReturnType<typeof tokens>>;
}

describe('sliding sessions: REFRESH_TOKEN_EXPIRE_DAYS of inactivity, SESSION_MAX_DAYS at most', () => {
  it('sign-in: the session ends 15 days later, as the session list shows', async () => {
    await using t = await createTestApp();
    const pair = await tokens(t, CEO.email, CEO.password);
    const session = await current(t, pair.access_token);
    expect(session.expires - session.created).toBe(15 * DAY);
    expect(session.lastUsed).toBe(session.created);
  });

  it('a rotation just before the inactivity deadline renews the session for 15 days from then', async () => {
    await using t = await createTestApp();
    const pair = await tokens(t, CEO.email, CEO.password);
    await age(t, 15 * DAY - MARGIN_MS);
    const before = await current(t, pair.access_token);
    const next = await rotate(t, pair.refresh_token);
    const after = await current(t, next.access_token);
    expect(after.created).toBe(before.created);
    expect(after.lastUsed).toBeGreaterThan(before.lastUsed);
    expect(after.expires - after.lastUsed).toBe(15 * DAY);
    // Moved forward by about 15 days less the margin: the expiry the list shows is the renewed one.
    expect(after.expires - before.expires).toBeGreaterThan(15 * DAY - 2 * MARGIN_MS);
    // Renewed again, the session lives on past 15 days after sign-in: almost 30 days ago now.
    await age(t, 15 * DAY - MARGIN_MS);
    const third = await current(t, (await rotate(t, next.refresh_token)).access_token);
    expect(third.created).toBe(before.created - (15 * DAY - MARGIN_MS));
    expect(third.expires - third.lastUsed).toBe(15 * DAY);
    expect(third.expires - third.created).toBeGreaterThan(30 * DAY);
  });

  it('a session idle for 15 days since its last rotation is refused REFRESH_TOKEN_INVALID, not as reuse', async () => {
    await using t = await createTestApp();
    const pair = await tokens(t, CEO.email, CEO.password);
    const next = await rotate(t, pair.refresh_token);
    // Exactly the inactivity lifetime since the rotation: the expiry is now the moment of that rotation.
    await age(t, 15 * DAY);
    const refused = await refresh(t, next.refresh_token);
    expect(refused.res.status).toBe(401);
    expect(refused.body).toEqual({ detail: 'The refresh token is invalid or expired', code: 'REFRESH_TOKEN_INVALID' });
    expect((await getJson(t, '/auth/me', bearer(next.access_token))).res.status).toBe(401);
    const [row] = await query(db(t), 'select revoked_at from auth_session');
    expect(row?.revoked_at).toBeNull();
  });

  it('used every day, a session still ends SESSION_MAX_DAYS after sign-in; its expiry never passes that', async () => {
    await using t = await createTestApp({ env: { REFRESH_TOKEN_EXPIRE_DAYS: '2', SESSION_MAX_DAYS: '5' } });
    let pair = await tokens(t, CEO.email, CEO.password);
    const signedIn = (await current(t, pair.access_token)).created;
    for (let day = 1; day <= 4; day++) {
      await age(t, DAY);
      pair = await rotate(t, pair.refresh_token);
      const session = await current(t, pair.access_token);
      // Every rotation: two days from now, but never past five days after sign-in.
      expect(session.created).toBe(signedIn - day * DAY);
      expect(session.expires).toBe(Math.min(session.lastUsed + 2 * DAY, session.created + 5 * DAY));
      expect(session.expires).toBeLessThanOrEqual(session.created + 5 * DAY);
    }
    // Day 4 was capped: one day left, not two.
    expect((await current(t, pair.access_token)).expires).toBe(signedIn - 4 * DAY + 5 * DAY);
    await age(t, DAY);
    const refused = await refresh(t, pair.refresh_token);
    expect(refused.res.status).toBe(401);
    expect(refused.body.code).toBe('REFRESH_TOKEN_INVALID');
  });

  it('with the defaults: a rotation 90 days after sign-in less the margin is capped there; past it, refused', async () => {
    await using t = await createTestApp();
    const pair = await tokens(t, CEO.email, CEO.password);
    // As daily use leaves it: signed in 90 days ago less the margin, last rotated a day ago.
    await query(
      db(t),
      `update auth_session set created_at = now() - make_interval(secs => ?),
              last_used_at = now() - interval '1 day', expires_at = now() + interval '14 days'`,
      [(90 * DAY - MARGIN_MS) / 1000],
    );
    const next = await rotate(t, pair.refresh_token);
    const session = await current(t, next.access_token);
    expect(session.expires - session.created).toBe(90 * DAY);
    expect(session.expires - session.lastUsed).toBeLessThan(15 * DAY);
    await age(t, MARGIN_MS);
    const refused = await refresh(t, next.refresh_token);
    expect(refused.res.status).toBe(401);
    expect(refused.body.code).toBe('REFRESH_TOKEN_INVALID');
  });

  it('an imported session follows the same rule from its own created_at, however old it is', async () => {
    await using t = await createTestApp();
    const recent = await tokens(t, CEO.email, CEO.password, 'recent');
    const ancient = await tokens(t, CEO.email, CEO.password, 'ancient');
    // Legacy rows: signed in 30 and 200 days ago, both still within the expiry the old system gave them.
    await query(
      db(t),
      `update auth_session set created_at = now() - make_interval(days => ?), last_used_at = now() - interval '1 day',
              expires_at = now() + interval '1 hour' where user_agent = ?`,
      [30, 'recent'],
    );
    await query(
      db(t),
      `update auth_session set created_at = now() - make_interval(days => ?), last_used_at = now() - interval '1 day',
              expires_at = now() + interval '10 days' where user_agent = ?`,
      [200, 'ancient'],
    );
    const renewed = await rotate(t, recent.refresh_token);
    const session = await current(t, renewed.access_token);
    expect(session.expires - session.lastUsed).toBe(15 * DAY);
    // Past its maximum: ended, not stolen. The session is not revoked and no reuse is audited.
    const refused = await refresh(t, ancient.refresh_token);
    expect(refused.res.status).toBe(401);
    expect(refused.body.code).toBe('REFRESH_TOKEN_INVALID');
    const [row] = await query(
      db(t),
      `select revoked_at, expires_at > now() as live from auth_session
      where user_agent = 'ancient'`,
    );
    expect(row).toMatchObject({ revoked_at: null, live: true });
    expect(await query(db(t), `select 1 from audit_log where action = 'refresh_token_reused'`)).toHaveLength(0);
  });
});
