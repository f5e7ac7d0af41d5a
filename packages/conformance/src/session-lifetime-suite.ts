import { SESSION_DAY_MS, SESSION_LIFETIME_DEFAULTS, type TokenPair } from '@cims/contracts';
import { type CimsClient, createCimsClient, memoryTokenStore, unwrap } from '@cims/sdk';
import { expect, it } from 'vitest';
import type { Target, withWorld as WithWorld, World } from './suite-kit.js';
import { SEEDED } from './suite-kit.js';

const DAY = SESSION_DAY_MS;
const IDLE = SESSION_LIFETIME_DEFAULTS.idleDays * DAY;
const MAX = SESSION_LIFETIME_DEFAULTS.maxDays * DAY;

/** A client holding `pair`, as a device that signed in earlier. */
function holding(world: World, pair: TokenPair): CimsClient {
  const tokenStore = memoryTokenStore({ accessToken: pair.access_token, refreshToken: pair.refresh_token });
  return createCimsClient({ baseUrl: world.baseUrl, tokenStore });
}

/** The session of `pair` as `GET /auth/sessions` lists it, with its times in milliseconds. */
async function listed(world: World, pair: TokenPair) {
  const session = unwrap(await holding(world, pair).auth.listSessions()).find((s) => s.current);
  if (!session) throw new Error('the current session is not listed');
  return {
    created: Date.parse(session.created_at),
    lastUsed: Date.parse(session.last_used_at),
    expires: Date.parse(session.expires_at),
  };
}

async function rotate(world: World, pair: TokenPair): Promise<TokenPair> {
  return unwrap(await world.newClient().auth.refresh({ body: { refresh_token: pair.refresh_token } }));
}

/**
 * Sliding sessions with the default lifetimes (15 days of inactivity, 90 days at most): each rotation renews the
 * session, never past its maximum. Time moves through {@link World.ageSessions}, never by waiting.
 */
export function sessionLifetimeSuite(target: Target, withWorld: typeof WithWorld): void {
  withWorld(target, 'session lifetime', (world) => {
    const who = SEEDED.sales2;
    const signIn = async () =>
      unwrap(
        await world()
          .newClient()
          .auth.login({ body: { username: who.email, password: who.password } }),
      );

    it('a rotation moves the session’s expiry forward, as GET /auth/sessions lists it', async () => {
      const pair = await signIn();
      const fresh = await listed(world(), pair);
      expect(fresh.expires - fresh.created).toBe(IDLE);
      await world().ageSessions(who.email, 10 * DAY);
      const aged = await listed(world(), pair);
      expect(aged.expires).toBe(fresh.expires - 10 * DAY);
      const next = await rotate(world(), pair);
      const renewed = await listed(world(), next);
      expect(renewed.created).toBe(aged.created);
      expect(renewed.expires - renewed.lastUsed).toBe(IDLE);
      expect(renewed.expires - aged.expires).toBeGreaterThan(9 * DAY);
    });

    it('used every 14 days, a session ends 90 days after sign-in: the last renewal is capped, then refused', async () => {
      let pair = await signIn();
      for (let i = 0; i < 6; i++) {
        await world().ageSessions(who.email, 14 * DAY);
        pair = await rotate(world(), pair);
        const session = await listed(world(), pair);
        expect(session.expires).toBe(Math.min(session.lastUsed + IDLE, session.created + MAX));
      }
      // 84 days after sign-in: 6 days left, not 15.
      const last = await listed(world(), pair);
      expect(last.expires - last.created).toBe(MAX);
      await world().ageSessions(who.email, 7 * DAY);
      const refused = await world()
        .newClient()
        .auth.refresh({ body: { refresh_token: pair.refresh_token } });
      expect(refused.status).toBe(401);
      expect(refused.body).toMatchObject({ code: 'REFRESH_TOKEN_INVALID' });
    });
  });
}
