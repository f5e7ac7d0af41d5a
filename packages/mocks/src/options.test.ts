import { describe, expect, it } from 'vitest';
import { createMockApi } from './mock-api.js';
import { MOCK_USERS } from './state.js';
import { jwtClaims, useTestWorld } from './test-world.js';

const w = useTestWorld({
  refreshGraceSeconds: 0,
  accessTokenTtlSeconds: 60,
  sessionTtlSeconds: 3600,
  sessionMaxSeconds: 7200,
  accountMaxFailures: 3,
  rateLimitWindowSeconds: 60,
});
const { client } = w;
const { ceo } = MOCK_USERS;

describe('createMockApi options', () => {
  it('accessTokenTtlSeconds sets expires_in and exp', async () => {
    const pair = await w.login(ceo.email, ceo.password);
    expect(pair.expires_in).toBe(60);
    const claims = jwtClaims(pair.access_token);
    expect(Number(claims.exp) - Number(claims.iat)).toBe(60);
    w.advance(90_000);
    expect((await client.auth.me(w.bearer(pair.access_token))).status).toBe(401);
  });

  it('refreshGraceSeconds: 0 turns any second use of a refresh token into reuse', async () => {
    const pair = await w.login(ceo.email, ceo.password);
    expect((await client.auth.refresh({ body: { refresh_token: pair.refresh_token } })).status).toBe(200);
    const again = await client.auth.refresh({ body: { refresh_token: pair.refresh_token } });
    expect(again).toMatchObject({ status: 401, body: { code: 'REFRESH_TOKEN_REUSED' } });
  });

  it('sessionTtlSeconds ends an idle session, and each refresh renews it up to sessionMaxSeconds', async () => {
    const idle = await w.login(ceo.email, ceo.password);
    w.advance(3600_000);
    const late = await client.auth.refresh({ body: { refresh_token: idle.refresh_token } });
    expect(late).toMatchObject({ status: 401, body: { code: 'REFRESH_TOKEN_INVALID' } });

    let pair = await w.login(ceo.email, ceo.password);
    const expiry = async () => {
      const list = await client.auth.listSessions(w.bearer(pair.access_token));
      if (list.status !== 200) return expect.fail('listing sessions failed');
      const current = list.body.find((session) => session.current);
      return Date.parse(current?.expires_at ?? '') - Date.parse(current?.created_at ?? '');
    };
    expect(await expiry()).toBe(3600_000);
    // Refreshed every 50 minutes, the session outlives sessionTtlSeconds but ends at sessionMaxSeconds after sign-in.
    for (const renewed of [6600_000, 7200_000]) {
      w.advance(3000_000);
      const rotated = await client.auth.refresh({ body: { refresh_token: pair.refresh_token } });
      if (rotated.status !== 200) return expect.fail('refresh failed');
      pair = rotated.body;
      expect(await expiry()).toBe(renewed);
    }
    w.advance(1200_000);
    const over = await client.auth.refresh({ body: { refresh_token: pair.refresh_token } });
    expect(over).toMatchObject({ status: 401, body: { code: 'REFRESH_TOKEN_INVALID' } });
  });

  it('refuses a sessionMaxSeconds below sessionTtlSeconds, as the server refuses such a configuration', () => {
    expect(() =>
      createMockApi({ baseUrl: 'http://cims.test', sessionTtlSeconds: 3600, sessionMaxSeconds: 3599 }),
    ).toThrow(/sessionMaxSeconds \(3599\) must be at least sessionTtlSeconds \(3600\)/);
  });

  it('accountMaxFailures and rateLimitWindowSeconds set the per-account budget and its window', async () => {
    const login = (password: string) => client.auth.login({ body: { username: ceo.email, password } });
    for (let i = 0; i < 3; i++) expect((await login('wrong-password')).status).toBe(401);
    const blocked = await login(ceo.password);
    expect(blocked).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } });
    expect(blocked.headers.get('retry-after')).toBe('60');
    w.advance(59_000);
    expect((await login(ceo.password)).headers.get('retry-after')).toBe('1');
    w.advance(1_000);
    await w.login(ceo.email, ceo.password);
    // Codes asked for: 3 per window.
    for (let i = 0; i < 3; i++)
      expect((await client.auth.forgotPassword({ body: { email: ceo.email } })).status).toBe(200);
    expect((await client.auth.forgotPassword({ body: { email: ceo.email } })).status).toBe(429);
  });
});
