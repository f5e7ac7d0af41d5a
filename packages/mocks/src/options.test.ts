import { describe, expect, it } from 'vitest';
import { MOCK_USERS } from './state.js';
import { jwtClaims, useTestWorld } from './test-world.js';

const w = useTestWorld({
  refreshGraceSeconds: 0,
  accessTokenTtlSeconds: 60,
  sessionTtlSeconds: 3600,
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

  it('sessionTtlSeconds bounds a session, and refreshing does not extend it', async () => {
    const pair = await w.login(ceo.email, ceo.password);
    w.advance(3000_000);
    const rotated = await client.auth.refresh({ body: { refresh_token: pair.refresh_token } });
    if (rotated.status !== 200) return expect.fail('refresh failed');
    w.advance(600_000);
    const late = await client.auth.refresh({ body: { refresh_token: rotated.body.refresh_token } });
    expect(late).toMatchObject({ status: 401, body: { code: 'REFRESH_TOKEN_INVALID' } });
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
