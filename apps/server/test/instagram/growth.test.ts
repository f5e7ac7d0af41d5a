import { growthOf } from '@cims/contracts';
import { unwrap } from '@cims/sdk';
import { describe, expect, it } from 'vitest';
import { DEMO_SETUP, days, insertSnapshots, instagramWorld, sql } from './helpers.js';

/** The growth rule's edge cases, on one account whose history each case rewrites. */
describe('GET /instagram/growth', () => {
  it('follows the shared rule: no snapshot, one, gaps, the window boundary, more than a year', async () => {
    await using w = await instagramWorld();
    unwrap(await w.ceo.instagram.setup({ body: DEMO_SETUP }));
    const growth = async () => unwrap(await w.ceo.instagram.growth());
    const reset = () => sql(w.t, 'delete from instagram_snapshot');

    // No snapshot yet: every figure is null, nothing is complete.
    const empty = await growth();
    expect(empty.current_followers).toBeNull();
    expect(empty.as_of).toBeNull();
    expect(empty.last_7_days).toEqual({
      days: 7,
      growth: null,
      growth_percentage: null,
      complete: false,
      from_date: null,
      from_followers: null,
    });
    expect(empty).toEqual(growthOf([]));

    // One snapshot: compared with itself, incomplete everywhere.
    const d = '2026-06-30';
    await insertSnapshots(w.t, [{ date: d, followers_count: 1000 }]);
    const one = await growth();
    expect(one.current_followers).toBe(1000);
    expect(one.as_of).toBe(d);
    expect(one.last_365_days).toEqual({
      days: 365,
      growth: 0,
      growth_percentage: 0,
      complete: false,
      from_date: d,
      from_followers: 1000,
    });

    // Gaps: the baseline is the last snapshot on or before the window start; the window ends at the newest one
    // (as_of), not today.
    await reset();
    const gaps = [
      { date: '2026-05-21', followers_count: 800 }, // d − 40
      { date: '2026-06-10', followers_count: 900 }, // d − 20
      { date: '2026-06-25', followers_count: 990 }, // d − 5
      { date: d, followers_count: 1000 },
    ];
    await insertSnapshots(w.t, gaps);
    const withGaps = await growth();
    expect(withGaps.last_7_days).toMatchObject({ growth: 100, complete: true, from_date: '2026-06-10' });
    expect(withGaps.last_7_days.growth_percentage).toBe(11.11);
    expect(withGaps.last_30_days).toMatchObject({
      growth: 200,
      growth_percentage: 25,
      complete: true,
      from_date: '2026-05-21',
    });
    expect(withGaps.last_90_days).toMatchObject({ growth: 200, complete: false, from_date: '2026-05-21' });
    expect(withGaps).toEqual(growthOf(gaps));

    // A snapshot exactly on the window start is the baseline (on or before, the last one).
    await reset();
    const boundary = [
      { date: '2026-06-22', followers_count: 940 }, // d − 8
      { date: '2026-06-23', followers_count: 950 }, // d − 7: the 7-day window's start
      { date: '2026-06-24', followers_count: 960 }, // d − 6: inside the window
      { date: d, followers_count: 1000 },
    ];
    await insertSnapshots(w.t, boundary);
    const onBoundary = await growth();
    expect(onBoundary.last_7_days).toMatchObject({
      growth: 50,
      complete: true,
      from_date: '2026-06-23',
      from_followers: 950,
    });
    expect(onBoundary.last_30_days).toMatchObject({ complete: false, from_date: '2026-06-22' });
    expect(onBoundary).toEqual(growthOf(boundary));

    // More than 365 days of history: every window is complete, the year's baseline is exactly a year back.
    await reset();
    const long = [
      { date: '2025-05-26', followers_count: 100 }, // d − 400
      { date: '2025-06-29', followers_count: 300 }, // d − 366
      { date: '2025-06-30', followers_count: 333 }, // d − 365
      { date: '2025-07-01', followers_count: 350 }, // d − 364
      { date: '2026-01-01', followers_count: 700 },
      { date: '2026-04-01', followers_count: 900 },
      { date: '2026-06-01', followers_count: 950 },
      { date: '2026-06-23', followers_count: 990 },
      { date: d, followers_count: 1000 },
    ];
    await insertSnapshots(w.t, long);
    const year = await growth();
    expect(year.last_365_days).toEqual({
      days: 365,
      growth: 667,
      growth_percentage: 200.3,
      complete: true,
      from_date: '2025-06-30',
      from_followers: 333,
    });
    expect(year.last_180_days).toMatchObject({ complete: true, from_date: '2026-01-01' });
    for (const window of [year.last_7_days, year.last_30_days, year.last_90_days]) expect(window.complete).toBe(true);
    expect(year).toEqual(growthOf(long));

    // A follower loss is negative growth; a window starting at 0 followers has no percentage.
    await reset();
    const loss = [
      { date: '2026-06-01', followers_count: 0 },
      { date: '2026-06-20', followers_count: 120 },
      { date: d, followers_count: 110 },
    ];
    await insertSnapshots(w.t, loss);
    const down = await growth();
    expect(down.last_7_days).toMatchObject({ growth: -10, growth_percentage: -8.33 });
    expect(down.last_30_days).toMatchObject({ growth: 110, growth_percentage: null, complete: false });
    expect(down).toEqual(growthOf(loss));
  });
});

describe('GET /instagram/history', () => {
  it('one point per business day up to today, missing days null, change against the day before', async () => {
    await using w = await instagramWorld();
    unwrap(await w.ceo.instagram.setup({ body: DEMO_SETUP }));
    const today = days.today();
    const day = (n: number) => days.add(today, n);
    await insertSnapshots(w.t, [
      { date: day(-6), followers_count: 95, following_count: 9, media_count: 1 }, // the day before the range
      { date: day(-5), followers_count: 100, following_count: 10, media_count: 2 },
      { date: day(-4), followers_count: 103, following_count: 10, media_count: 2 },
      { date: day(-2), followers_count: 110, following_count: 11, media_count: 3 },
      { date: day(-1), followers_count: 108, following_count: 11, media_count: 3 },
    ]);
    const history = unwrap(await w.ceo.instagram.history({ query: { days: 6 } }));
    expect(history.from_date).toBe(day(-5));
    expect(history.to_date).toBe(today);
    expect(history.points).toEqual([
      { date: day(-5), followers_count: 100, following_count: 10, media_count: 2, change: 5 },
      { date: day(-4), followers_count: 103, following_count: 10, media_count: 2, change: 3 },
      { date: day(-3), followers_count: null, following_count: null, media_count: null, change: null },
      { date: day(-2), followers_count: 110, following_count: 11, media_count: 3, change: null },
      { date: day(-1), followers_count: 108, following_count: 11, media_count: 3, change: -2 },
      { date: today, followers_count: null, following_count: null, media_count: null, change: null },
    ]);

    // The default is 30 days; the range is bounded.
    const month = unwrap(await w.ceo.instagram.history({ query: {} }));
    expect(month.points).toHaveLength(30);
    expect(month.from_date).toBe(day(-29));
    expect((await w.ceo.instagram.history({ query: { days: 0 } })).status).toBe(422);
    expect((await w.ceo.instagram.history({ query: { days: 3661 } })).status).toBe(422);
    const longest = unwrap(await w.ceo.instagram.history({ query: { days: 3660 } }));
    expect(longest.points).toHaveLength(3660);
  });
});
