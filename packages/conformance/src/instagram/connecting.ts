import { addCalendarDays } from '@cims/contracts';
import { FAKE_GRAPH_DEMO } from '@cims/mocks';
import { unwrap } from '@cims/sdk';
import { expect, it } from 'vitest';
import type { Target, withWorld as WithWorld } from '../suite-kit.js';
import { ceoOf, DEMO_SETUP, expectNoToken, instagramOf } from './kit.js';

/** Connecting the Instagram account with `POST /instagram/setup`. */
export function instagramConnectingSuite(target: Target, withWorld: typeof WithWorld): void {
  withWorld(target, 'Instagram: connecting the account', (world) => {
    const ceo = ceoOf(world);

    it('before setup: not connected, and growth, history, sync and disconnect answer 404 INSTAGRAM_NOT_CONNECTED', async (context) => {
      instagramOf(world(), context);
      const client = await ceo();
      expect(unwrap(await client.instagram.account())).toEqual({ connected: false, account: null });
      const answers = [
        await client.instagram.growth(),
        await client.instagram.history(),
        await client.instagram.sync(),
        await client.instagram.disconnect({ query: {} }),
      ];
      for (const res of answers) {
        expect(res.status).toBe(404);
        expect(res.body).toMatchObject({ code: 'INSTAGRAM_NOT_CONNECTED' });
      }
    });

    it('a token the Graph API refuses: 400 INSTAGRAM_TOKEN_REJECTED, and still not connected', async (context) => {
      instagramOf(world(), context);
      const client = await ceo();
      const res = await client.instagram.setup({
        body: { ...DEMO_SETUP, access_token: 'EAAThisTokenIsNotKnown000001' },
      });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'INSTAGRAM_TOKEN_REJECTED', graph_error: { code: 190 } });
      const other = await client.instagram.setup({
        body: { ...DEMO_SETUP, instagram_business_account_id: '17841499999999999' },
      });
      expect(other.status).toBe(400);
      expect(other.body).toMatchObject({ code: 'INSTAGRAM_TOKEN_REJECTED' });
      expect(unwrap(await client.instagram.account())).toEqual({ connected: false, account: null });
    });

    it('setup with the demo token connects the account; no response ever carries the token', async (context) => {
      const instagram = instagramOf(world(), context);
      const client = await ceo();
      const res = await client.instagram.setup({
        body: { ...DEMO_SETUP, account_username: `@${FAKE_GRAPH_DEMO.username}` },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const body = unwrap(res);
      expect(body.message).toBe(`Instagram account '${FAKE_GRAPH_DEMO.username}' configured successfully`);
      expect(body.account).toMatchObject({
        id: body.account_id,
        account_username: FAKE_GRAPH_DEMO.username,
        instagram_business_account_id: FAKE_GRAPH_DEMO.accountId,
        facebook_page_id: FAKE_GRAPH_DEMO.pageId,
        reconnect_required: false,
        last_error: null,
        last_snapshot_date: null,
        last_synced_at: null,
      });
      expectNoToken(body);
      const state = unwrap(await client.instagram.account());
      expect(state.connected).toBe(true);
      expect(state.account).toMatchObject({ id: body.account_id, account_username: FAKE_GRAPH_DEMO.username });
      expectNoToken(state);
      // The token was checked against the Graph API, and never written to its log in clear.
      expect(instagram.graph.requests.some((r) => r.path.endsWith(`/${FAKE_GRAPH_DEMO.accountId}`))).toBe(true);
      expect(JSON.stringify(instagram.graph.requests)).not.toContain(FAKE_GRAPH_DEMO.token);
    });

    it('validates the setup body with 422 before asking the Graph API', async (context) => {
      const instagram = instagramOf(world(), context);
      const before = instagram.graph.requests.length;
      const res = await (await ceo()).instagram.setup({
        body: { ...DEMO_SETUP, instagram_business_account_id: 'not-a-number' },
      });
      expect(res.status).toBe(422);
      expect(instagram.graph.requests.length).toBe(before);
    });

    it('a token_expires_at already past is accepted, and the account needs a reconnect with no next sync', async (context) => {
      const instagram = instagramOf(world(), context);
      const client = await ceo();
      // Yesterday at 00:00 UTC: in the past in every time zone once the business day has turned.
      const expired = `${addCalendarDays(instagram.today(), -1)}T00:00:00Z`;
      const res = await client.instagram.setup({ body: { ...DEMO_SETUP, token_expires_at: expired } });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const body = unwrap(res);
      expect(body.message).toBe(`Instagram account '${FAKE_GRAPH_DEMO.username}' updated successfully`);
      expect(body.account).toMatchObject({ reconnect_required: true, next_sync_at: null, last_error: null });
      expect(Date.parse(body.account.token_expires_at ?? '')).toBe(Date.parse(expired));
      const state = unwrap(await client.instagram.account());
      expect(state.connected).toBe(true);
      expect(state.account).toMatchObject({ reconnect_required: true, next_sync_at: null });
      expect(Date.parse(state.account?.token_expires_at ?? '')).toBe(Date.parse(expired));
    });
  });
}
