import { unwrap } from '@cims/sdk';
import { expect, it } from 'vitest';
import type { Target, withWorld as WithWorld } from '../suite-kit.js';
import { addSecondAccount, ceoOf, DEMO_SETUP, inScenario, instagramOf, SECOND_ID } from './kit.js';

/** The messages of each outcome and of each Graph API failure, in detail. */
export function instagramMessagesSuite(target: Target, withWorld: typeof WithWorld): void {
  withWorld(target, 'Instagram: messages and Graph failures in detail', (world) => {
    const ceo = ceoOf(world);
    const name = DEMO_SETUP.account_username;
    const reconnect = 'connect the account again with /instagram/setup';
    /** Meta's own message of a failed answer. */
    const metaMessage = (body: unknown) => (body as { graph_error?: { message?: string } }).graph_error?.message;

    it('setup says configured for a new account and updated for a known one; sync and disconnect in the same words', async (context) => {
      instagramOf(world(), context);
      const client = await ceo();
      expect(unwrap(await client.instagram.setup({ body: DEMO_SETUP })).message).toBe(
        `Instagram account '${name}' configured successfully`,
      );
      expect(unwrap(await client.instagram.sync()).message).toBe('Instagram data synchronized successfully');
      expect(unwrap(await client.instagram.setup({ body: DEMO_SETUP })).message).toBe(
        `Instagram account '${name}' updated successfully`,
      );
      expect(unwrap(await client.instagram.disconnect({ query: {} })).message).toBe(
        `Instagram account '${name}' disconnected; its history is kept`,
      );
      // Disconnected, not forgotten: connecting it again updates it.
      expect(unwrap(await client.instagram.setup({ body: DEMO_SETUP })).message).toBe(
        `Instagram account '${name}' updated successfully`,
      );
      const purged = unwrap(await client.instagram.disconnect({ query: { purge_history: true } }));
      expect(purged.message).toBe(
        `Instagram account '${name}' disconnected; ${purged.purged_snapshots} snapshots deleted`,
      );
      expect((await client.instagram.sync()).body).toEqual({
        detail: 'No Instagram account is connected; connect one with /instagram/setup first',
        code: 'INSTAGRAM_NOT_CONNECTED',
      });
      // Purged: the account is gone, so connecting it again makes a new one.
      expect(unwrap(await client.instagram.setup({ body: DEMO_SETUP })).message).toBe(
        `Instagram account '${name}' configured successfully`,
      );
    });

    it('an expired token or a revoked permission on sync: 409, quoting Meta, and the account needs a reconnect', async (context) => {
      const instagram = instagramOf(world(), context);
      const client = await ceo();
      const expired = await inScenario(instagram, 'expired-token', () => client.instagram.sync());
      expect(expired).toMatchObject({ status: 409, body: { code: 'INSTAGRAM_RECONNECT_REQUIRED' } });
      expect((expired.body as { detail: string }).detail).toBe(
        `The Instagram access token expired or was revoked (Graph API: ${metaMessage(expired.body)}): ${reconnect}`,
      );
      unwrap(await client.instagram.setup({ body: DEMO_SETUP }));
      const revoked = await inScenario(instagram, 'permission-revoked', () => client.instagram.sync());
      expect(revoked).toMatchObject({
        status: 409,
        body: { code: 'INSTAGRAM_RECONNECT_REQUIRED', graph_error: { code: 10 } },
      });
      expect((revoked.body as { detail: string }).detail).toBe(
        `A permission the server needs is missing or was revoked (instagram_basic, pages_read_engagement) (Graph API: ${metaMessage(revoked.body)}): ${reconnect} with a token that grants it`,
      );
      expect(unwrap(await client.instagram.account()).account).toMatchObject({
        reconnect_required: true,
        next_sync_at: null,
        last_error: { code: 'INSTAGRAM_RECONNECT_REQUIRED', graph_code: 10 },
      });
      const repaired = unwrap(await client.instagram.setup({ body: DEMO_SETUP }));
      expect(repaired.account).toMatchObject({ reconnect_required: false, last_error: null });
    });

    it('an error code the API does not know on sync is a 502 naming the answer; it needs no reconnect', async (context) => {
      const instagram = instagramOf(world(), context);
      const client = await ceo();
      instagram.graph.failNext({ status: 400, code: 100, subcode: 33, type: 'GraphMethodException' });
      const res = await client.instagram.sync();
      expect(res).toMatchObject({
        status: 502,
        body: { code: 'UPSTREAM_UNAVAILABLE', graph_error: { code: 100, subcode: 33 } },
      });
      expect((res.body as { detail: string }).detail).toBe(
        `The Graph API failed: The Graph API answered HTTP 400 with error 100: ${metaMessage(res.body)}`,
      );
      expect(unwrap(await client.instagram.account()).account).toMatchObject({
        reconnect_required: false,
        last_error: { code: 'UPSTREAM_UNAVAILABLE', graph_code: 100 },
      });
    });

    it("the Graph API's own trouble on setup is a 503 or a 502, and nothing is saved", async (context) => {
      const instagram = instagramOf(world(), context);
      const client = await ceo();
      const before = unwrap(await client.instagram.account());
      const limited = await inScenario(instagram, 'rate-limited', () => client.instagram.setup({ body: DEMO_SETUP }));
      expect([limited.status, limited.headers.get('retry-after')]).toEqual([503, '300']);
      const failing = await inScenario(instagram, 'server-error', () => client.instagram.setup({ body: DEMO_SETUP }));
      expect(failing.status).toBe(502);
      expect(unwrap(await client.instagram.account())).toEqual(before);
    });

    it('one transient failure is retried at once and the sync succeeds, clearing the last error', async (context) => {
      const instagram = instagramOf(world(), context);
      const client = await ceo();
      instagram.graph.failNext({ status: 500, code: 2 });
      expect((await client.instagram.sync()).status).toBe(200);
      expect(unwrap(await client.instagram.account()).account).toMatchObject({
        last_error: null,
        reconnect_required: false,
        last_snapshot_date: instagram.today(),
      });
    });

    it('another account replaces the connected one, with its expiry from debug_token and a history of its own', async (context) => {
      const instagram = instagramOf(world(), context);
      const client = await ceo();
      const demo = unwrap(await client.instagram.setup({ body: DEMO_SETUP }));
      unwrap(await client.instagram.sync());
      const expiresAt = Math.floor(Date.now() / 1000) + 30 * 86_400;
      const second = addSecondAccount(instagram, expiresAt);
      const res = unwrap(await client.instagram.setup({ body: second }));
      expect(res.message).toBe("Instagram account 'cims.second' configured successfully");
      expect(res.account).toMatchObject({
        account_username: 'cims.second',
        instagram_business_account_id: SECOND_ID,
        last_snapshot_date: null,
        last_synced_at: null,
      });
      expect(res.account_id).not.toBe(demo.account_id);
      expect(Date.parse(res.account.token_expires_at ?? '')).toBe(expiresAt * 1000);
      expect(unwrap(await client.instagram.growth()).current_followers).toBeNull();
      expect(unwrap(await client.instagram.sync()).followers_count).toBe(500);
      // The demo account comes back with its id and its history.
      const back = unwrap(await client.instagram.setup({ body: DEMO_SETUP }));
      expect(back.account_id).toBe(demo.account_id);
      expect(back.account.last_snapshot_date).toBe(instagram.today());
    });

    it('takes token_expires_at as given, and a token that never expires has none', async (context) => {
      const instagram = instagramOf(world(), context);
      const client = await ceo();
      const given = unwrap(
        await client.instagram.setup({ body: { ...DEMO_SETUP, token_expires_at: '2099-09-01T00:00:00Z' } }),
      );
      expect(Date.parse(given.account.token_expires_at ?? '')).toBe(Date.parse('2099-09-01T00:00:00Z'));
      const forever = unwrap(await client.instagram.setup({ body: addSecondAccount(instagram, 0) }));
      expect(forever.account.token_expires_at).toBeNull();
      unwrap(await client.instagram.setup({ body: DEMO_SETUP }));
    });
  });
}
