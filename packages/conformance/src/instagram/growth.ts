import { addCalendarDays, type FollowerPoint, growthOf } from '@cims/contracts';
import { FAKE_GRAPH_DEMO } from '@cims/mocks';
import { unwrap } from '@cims/sdk';
import { expect, it } from 'vitest';
import type { Target, withWorld as WithWorld } from '../suite-kit.js';
import { ceoOf, DEMO_SETUP, expectNoToken, instagramOf } from './kit.js';

/** Syncing the follower count, the growth windows and the history. */
export function instagramGrowthSuite(target: Target, withWorld: typeof WithWorld): void {
  withWorld(target, 'Instagram: sync, growth and history', (world) => {
    const ceo = ceoOf(world);

    it("sync stores today's snapshot with the Graph API's counts", async (context) => {
      const instagram = instagramOf(world(), context);
      const client = await ceo();
      unwrap(await client.instagram.setup({ body: DEMO_SETUP }));
      const counts = instagram.graph.accounts.get(FAKE_GRAPH_DEMO.accountId);
      if (!counts) throw new Error('the fake has no demo account');
      const res = await client.instagram.sync();
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(unwrap(res)).toMatchObject({
        message: 'Instagram data synchronized successfully',
        followers_count: counts.followers_count,
        following_count: counts.follows_count,
        media_count: counts.media_count,
        account_username: FAKE_GRAPH_DEMO.username,
        snapshot_date: instagram.today(),
      });
      expectNoToken(res.body);
      expect(unwrap(await client.instagram.account()).account).toMatchObject({
        last_snapshot_date: instagram.today(),
        last_error: null,
      });
    });

    it('a second sync the same day replaces the snapshot: still one point today', async (context) => {
      const instagram = instagramOf(world(), context);
      const client = await ceo();
      const account = instagram.graph.accounts.get(FAKE_GRAPH_DEMO.accountId);
      if (!account) throw new Error('the fake has no demo account');
      account.followers_count += 17;
      const again = unwrap(await client.instagram.sync());
      expect(again.followers_count).toBe(account.followers_count);
      const history = unwrap(await client.instagram.history({ query: { days: 1 } }));
      expect(history).toEqual({
        from_date: instagram.today(),
        to_date: instagram.today(),
        points: [expect.objectContaining({ date: instagram.today(), followers_count: account.followers_count })],
      });
    });

    it('growth from a seeded history equals growthOf() of the same points: boundaries, gaps, short history', async (context) => {
      const instagram = instagramOf(world(), context);
      const client = await ceo();
      const today = instagram.today();
      const synced = unwrap(await client.instagram.history({ query: { days: 1 } })).points[0]?.followers_count;
      if (synced === null || synced === undefined) throw new Error('no snapshot today');
      const day = (back: number) => addCalendarDays(today, -back);
      // Exactly 7 and 90 days back (on the boundary), 31 but not 30 (a gap), 200 the oldest: the 365-day window is
      // longer than the history, so it is compared with the first snapshot and incomplete.
      const seeded = [
        { date: day(200), followers_count: 800, following_count: 50, media_count: 10 },
        { date: day(90), followers_count: 1000, following_count: 55, media_count: 12 },
        { date: day(31), followers_count: 1100 },
        { date: day(7), followers_count: 1180 },
        { date: day(3), followers_count: 1190 },
        { date: day(2), followers_count: 1195 },
      ];
      await instagram.seedSnapshots(seeded);
      const points: FollowerPoint[] = [...seeded, { date: today, followers_count: synced }];
      const growth = unwrap(await client.instagram.growth());
      expect(growth).toEqual(growthOf(points));
      expect(growth.current_followers).toBe(synced);
      expect(growth.last_7_days).toMatchObject({ complete: true, from_date: day(7), growth: synced - 1180 });
      expect(growth.last_30_days).toMatchObject({ complete: true, from_date: day(31) });
      expect(growth.last_90_days).toMatchObject({ complete: true, from_date: day(90), from_followers: 1000 });
      expect(growth.last_180_days).toMatchObject({ complete: true, from_date: day(200) });
      expect(growth.last_365_days).toMatchObject({ complete: false, from_date: day(200), growth: synced - 800 });
      expect(growth.last_365_days.growth_percentage).toBe(Math.round(((synced - 800) * 10_000) / 800) / 100);
    });

    it('history: one point per day up to today, nulls for missing days, change only between two known days', async (context) => {
      const instagram = instagramOf(world(), context);
      const today = instagram.today();
      const day = (back: number) => addCalendarDays(today, -back);
      const history = unwrap(await (await ceo()).instagram.history({ query: { days: 4 } }));
      expect(history.from_date).toBe(day(3));
      expect(history.to_date).toBe(today);
      expect(history.points.map((p) => p.date)).toEqual([day(3), day(2), day(1), today]);
      const [three, two, one, now] = history.points;
      expect(three).toMatchObject({ followers_count: 1190, following_count: 0, media_count: 0, change: null });
      expect(two).toMatchObject({ followers_count: 1195, change: 5 });
      expect(one).toEqual({
        date: day(1),
        followers_count: null,
        following_count: null,
        media_count: null,
        change: null,
      });
      expect(now?.followers_count).not.toBeNull();
      expect(now?.change).toBeNull();
      const long = unwrap(await (await ceo()).instagram.history({ query: { days: 201 } }));
      expect(long.points).toHaveLength(201);
      expect(long.points[0]).toMatchObject({
        date: day(200),
        followers_count: 800,
        following_count: 50,
        media_count: 10,
      });
      expect(long.points.filter((p) => p.followers_count !== null)).toHaveLength(7);
      const defaults = unwrap(await (await ceo()).instagram.history());
      expect(defaults.points).toHaveLength(30);
      expect((await (await ceo()).instagram.history({ query: { days: 0 } })).status).toBe(422);
    });
  });
}
