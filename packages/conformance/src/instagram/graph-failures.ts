import { unwrap } from '@cims/sdk';
import { expect, it } from 'vitest';
import type { Target, withWorld as WithWorld } from '../suite-kit.js';
import { ceoOf, DEMO_SETUP, expectNoToken, inScenario, instagramOf } from './kit.js';

/** What a caller sees when the Graph API fails. */
export function instagramGraphFailuresSuite(target: Target, withWorld: typeof WithWorld): void {
  withWorld(target, 'Instagram: when the Graph API fails', (world) => {
    const ceo = ceoOf(world);
    // Throttling and Meta's own errors first: once the token is refused, an implementation may stop calling the Graph
    // API until the account is set up again.

    it('rate limited: 503 UPSTREAM_RATE_LIMITED with retry_after_seconds and Retry-After from the usage header', async (context) => {
      const instagram = instagramOf(world(), context);
      const client = await ceo();
      unwrap(await client.instagram.setup({ body: DEMO_SETUP }));
      const res = await inScenario(instagram, 'rate-limited', () => client.instagram.sync());
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({
        code: 'UPSTREAM_RATE_LIMITED',
        retry_after_seconds: 300,
        graph_error: { code: 4 },
      });
      expect(res.headers.get('retry-after')).toBe('300');
    });

    it('a Graph server error: 502 UPSTREAM_UNAVAILABLE with the Graph error', async (context) => {
      const instagram = instagramOf(world(), context);
      const res = await inScenario(instagram, 'server-error', async () => (await ceo()).instagram.sync());
      expect(res.status).toBe(502);
      expect(res.body).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', graph_error: { code: 1 } });
      const state = unwrap(await (await ceo()).instagram.account());
      expect(state.account?.last_error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', graph_code: 1 });
    });

    it('an expired token: sync answers 409 INSTAGRAM_RECONNECT_REQUIRED and the account shows reconnect_required', async (context) => {
      const instagram = instagramOf(world(), context);
      const client = await ceo();
      const res = await inScenario(instagram, 'expired-token', () => client.instagram.sync());
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({
        code: 'INSTAGRAM_RECONNECT_REQUIRED',
        graph_error: { code: 190, subcode: 463 },
      });
      const state = unwrap(await client.instagram.account());
      expect(state.account).toMatchObject({
        reconnect_required: true,
        last_error: { code: 'INSTAGRAM_RECONNECT_REQUIRED', graph_code: 190 },
      });
      expectNoToken(state);
    });

    it('setup is refused while the Graph API refuses the token, and nothing changes', async (context) => {
      const instagram = instagramOf(world(), context);
      const client = await ceo();
      const before = unwrap(await client.instagram.account());
      const res = await inScenario(instagram, 'permission-revoked', () => client.instagram.setup({ body: DEMO_SETUP }));
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'INSTAGRAM_TOKEN_REJECTED', graph_error: { code: 10 } });
      expect(unwrap(await client.instagram.account())).toEqual(before);
    });

    it('back to healthy, setup again clears reconnect_required and the next sync succeeds', async (context) => {
      const instagram = instagramOf(world(), context);
      const client = await ceo();
      const res = unwrap(await client.instagram.setup({ body: DEMO_SETUP }));
      expect(res.account).toMatchObject({ reconnect_required: false });
      const synced = await client.instagram.sync();
      expect(synced.status).toBe(200);
      expect(unwrap(await client.instagram.account()).account).toMatchObject({
        reconnect_required: false,
        last_error: null,
        last_snapshot_date: instagram.today(),
      });
    });
  });
}
