import { addCalendarDays } from '@cims/contracts';
import { unwrap } from '@cims/sdk';
import { expect, it } from 'vitest';
import type { Target, withWorld as WithWorld } from '../suite-kit.js';
import { ceoOf, DEMO_SETUP, instagramOf } from './kit.js';

/** Disconnecting the account. */
export function instagramDisconnectingSuite(target: Target, withWorld: typeof WithWorld): void {
  withWorld(target, 'Instagram: disconnecting', (world) => {
    const ceo = ceoOf(world);

    it('disconnect keeps the history: connecting the account again brings it back', async (context) => {
      const instagram = instagramOf(world(), context);
      const client = await ceo();
      const today = instagram.today();
      unwrap(await client.instagram.setup({ body: DEMO_SETUP }));
      unwrap(await client.instagram.sync());
      await instagram.seedSnapshots([
        { date: addCalendarDays(today, -2), followers_count: 900 },
        { date: addCalendarDays(today, -1), followers_count: 950 },
      ]);
      const res = await client.instagram.disconnect({ query: {} });
      expect(unwrap(res)).toEqual({ message: expect.any(String), purged_snapshots: 0 });
      expect(unwrap(await client.instagram.account())).toEqual({ connected: false, account: null });
      expect((await client.instagram.growth()).status).toBe(404);
      unwrap(await client.instagram.setup({ body: DEMO_SETUP }));
      const history = unwrap(await client.instagram.history({ query: { days: 3 } }));
      expect(history.points.map((p) => p.followers_count)).toEqual([900, 950, expect.any(Number)]);
    });

    it('purge_history=true deletes the snapshots as well', async (context) => {
      const instagram = instagramOf(world(), context);
      const client = await ceo();
      const today = instagram.today();
      const res = await client.instagram.disconnect({ query: { purge_history: true } });
      expect(unwrap(res).purged_snapshots).toBe(3);
      expect(unwrap(await client.instagram.account()).connected).toBe(false);
      unwrap(await client.instagram.setup({ body: DEMO_SETUP }));
      const history = unwrap(await client.instagram.history({ query: { days: 3 } }));
      expect(history.points.slice(0, 2)).toEqual([
        {
          date: addCalendarDays(today, -2),
          followers_count: null,
          following_count: null,
          media_count: null,
          change: null,
        },
        {
          date: addCalendarDays(today, -1),
          followers_count: null,
          following_count: null,
          media_count: null,
          change: null,
        },
      ]);
    });
  });
}
