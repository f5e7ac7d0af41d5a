import { addCalendarDays, growthOf } from '@cims/contracts';
import { unwrap } from '@cims/sdk';
import { describe, expect, it } from 'vitest';
import { demoFollowersOn, FAKE_GRAPH_DEMO } from './graph/demo-account.js';
import { SEEDED_HISTORY_DAYS, SEEDED_MISSING_DAYS } from './model/instagram-seed.js';
import { MOCK_USERS } from './state.js';
import { useTestWorld } from './test-world.js';

// The clock stands at Monday 2026-06-01 09:00 UTC, 14:00 in Tashkent (UTC+5, the default business time zone).
const w = useTestWorld();
const { client, mocks } = w;
const { ceo } = MOCK_USERS;
const TODAY = '2026-06-01';
const YESTERDAY = '2026-05-31';

async function asCeo() {
  const { access_token } = await w.login(ceo.email, ceo.password);
  return w.bearer(access_token);
}

const demoSetup = {
  account_username: '@cims.official',
  instagram_business_account_id: FAKE_GRAPH_DEMO.accountId,
  facebook_page_id: FAKE_GRAPH_DEMO.pageId,
  access_token: FAKE_GRAPH_DEMO.token,
};

describe('the seeded demo account', () => {
  it('is connected with its ids, yesterday as its last snapshot, and the next midnight as its next sync', async () => {
    const state = unwrap(await client.instagram.account(await asCeo()));
    expect(state.connected).toBe(true);
    expect(state.account).toMatchObject({
      id: 1,
      account_username: FAKE_GRAPH_DEMO.username,
      instagram_business_account_id: FAKE_GRAPH_DEMO.accountId,
      facebook_page_id: FAKE_GRAPH_DEMO.pageId,
      last_snapshot_date: YESTERDAY,
      last_synced_at: '2026-05-31T00:05:00.000+05:00',
      last_error: null,
      reconnect_required: false,
      token_expires_at: '2026-07-31T14:00:00.000+05:00', // 60 days after the clock's start
      next_sync_at: '2026-06-02T00:00:00.000+05:00',
    });
    expect(JSON.stringify(state)).not.toContain(FAKE_GRAPH_DEMO.token);
    expect(Object.keys(state.account ?? {}).filter((key) => key.includes('token'))).toEqual([
      'token_expires_at',
      'token_renewed_at',
    ]);
  });

  it('has a year and more of daily history up to yesterday, with nulls for the missing days', async () => {
    const auth = await asCeo();
    const history = unwrap(await client.instagram.history({ query: { days: SEEDED_HISTORY_DAYS + 1 }, ...auth }));
    expect(history.to_date).toBe(TODAY);
    expect(history.from_date).toBe(addCalendarDays(TODAY, -SEEDED_HISTORY_DAYS));
    expect(history.points).toHaveLength(SEEDED_HISTORY_DAYS + 1);
    const today = history.points.at(-1);
    expect(today).toEqual({
      date: TODAY,
      followers_count: null,
      following_count: null,
      media_count: null,
      change: null,
    });
    for (const back of SEEDED_MISSING_DAYS) {
      const point = history.points.find((p) => p.date === addCalendarDays(TODAY, -back));
      expect(point?.followers_count, `${back} days ago`).toBeNull();
    }
    const day = history.points.find((p) => p.date === '2026-03-10');
    const counts = demoFollowersOn('2026-03-10');
    expect(day).toEqual({
      date: '2026-03-10',
      followers_count: counts.followers_count,
      following_count: counts.follows_count,
      media_count: counts.media_count,
      change: counts.followers_count - demoFollowersOn('2026-03-09').followers_count,
    });
    // The day after a missing day has no change.
    const afterGap = history.points.find((p) => p.date === addCalendarDays(TODAY, -4));
    expect(afterGap?.followers_count).not.toBeNull();
    expect(afterGap?.change).toBeNull();
    expect(history.points.filter((p) => p.followers_count !== null)).toHaveLength(
      SEEDED_HISTORY_DAYS - SEEDED_MISSING_DAYS.length,
    );
  });

  it('shows complete growth for every window, by the shared rule, without calling the Graph API', async () => {
    const growth = unwrap(await client.instagram.growth(await asCeo()));
    expect(growth).toEqual(growthOf(mocks.instagram.snapshots()));
    expect(growth.current_followers).toBe(demoFollowersOn(YESTERDAY).followers_count);
    expect(growth.as_of).toBe(YESTERDAY);
    for (const window of [growth.last_7_days, growth.last_30_days, growth.last_365_days]) {
      expect(window.complete).toBe(true);
      expect(window.growth).toBe((growth.current_followers ?? 0) - (window.from_followers ?? 0));
    }
    expect(growth.last_365_days.from_date).toBe(addCalendarDays(YESTERDAY, -365));
    expect(mocks.graph.requests).toEqual([]);
  });

  it('defaults history to 30 days and refuses more than 3660', async () => {
    const auth = await asCeo();
    const history = unwrap(await client.instagram.history(auth));
    expect(history.points).toHaveLength(30);
    expect(history.from_date).toBe(addCalendarDays(TODAY, -29));
    const bad = await client.instagram.history({ query: { days: 3661 }, ...auth });
    expect(bad.status).toBe(422);
  });
});

describe('POST /instagram/sync', () => {
  it('stores the snapshot on the business day: after midnight in Tashkent it is tomorrow already', async () => {
    const auth = await asCeo();
    w.advance(10 * 3_600_000); // 19:00 UTC, 00:00 on 2 June in Tashkent
    const synced = unwrap(await client.instagram.sync(auth));
    expect(synced.snapshot_date).toBe('2026-06-02');
    const history = unwrap(await client.instagram.history({ query: { days: 3 }, ...auth }));
    expect(history.points.map((p) => [p.date, p.followers_count === null])).toEqual([
      [YESTERDAY, false],
      [TODAY, true],
      ['2026-06-02', false],
    ]);
  });

  it('other throttling codes: a minute without a usage header, the longest estimate with one', async () => {
    const auth = await asCeo();
    mocks.graph.failNext({ status: 400, code: 17 });
    const user = await client.instagram.sync(auth);
    expect([user.status, (user.body as { retry_after_seconds?: number }).retry_after_seconds]).toEqual([503, 60]);
    mocks.graph.failNext({
      status: 403,
      code: 80002,
      message: 'There have been too many calls to this Instagram account.',
      headers: {
        'X-Business-Use-Case-Usage': JSON.stringify({
          [FAKE_GRAPH_DEMO.accountId]: [
            { type: 'instagram', call_count: 100, estimated_time_to_regain_access: 2 },
            { type: 'pages', call_count: 90, estimated_time_to_regain_access: 0 },
          ],
        }),
      },
    });
    const buc = await client.instagram.sync(auth);
    expect(buc.status).toBe(503);
    expect(buc.body).toMatchObject({ retry_after_seconds: 120, graph_error: { code: 80002 } });
    expect(buc.headers.get('retry-after')).toBe('120');
  });
});

describe('reconnect_required and next_sync_at, by the server rule', () => {
  it('a stored token past its expiry needs a reconnect before any sync notices, and has no next sync', async () => {
    // The seeded token expires 60 days after the clock's start.
    w.advance(60 * 86_400_000 - 1);
    const before = unwrap(await client.instagram.account(await asCeo())).account;
    expect(before).toMatchObject({ reconnect_required: false, next_sync_at: '2026-08-01T00:00:00.000+05:00' });
    w.advance(1);
    const after = unwrap(await client.instagram.account(await asCeo())).account;
    expect(after).toMatchObject({
      token_expires_at: '2026-07-31T14:00:00.000+05:00',
      reconnect_required: true,
      next_sync_at: null,
      last_error: null,
    });
    expect(mocks.graph.requests).toEqual([]);
  });
});

describe('Instagram scenarios', () => {
  it('instagram-not-connected: no account, history kept for when it comes back; reset() restores', async () => {
    const auth = await asCeo();
    mocks.useScenario('instagram-not-connected');
    expect(unwrap(await client.instagram.account(auth)).connected).toBe(false);
    expect((await client.instagram.growth(auth)).status).toBe(404);
    mocks.reset();
    const again = await asCeo();
    expect(unwrap(await client.instagram.account(again)).account?.last_snapshot_date).toBe(YESTERDAY);
  });

  it('instagram-reconnect-required: the stored token has expired; setup with a valid token repairs it', async () => {
    const auth = await asCeo();
    mocks.useScenario('instagram-reconnect-required');
    const state = unwrap(await client.instagram.account(auth));
    expect(state.account).toMatchObject({
      reconnect_required: true,
      last_error: { code: 'INSTAGRAM_RECONNECT_REQUIRED', graph_code: 190, at: '2026-06-01T00:00:00.000+05:00' },
      token_expires_at: '2026-05-31T23:59:00.000+05:00',
      last_snapshot_date: YESTERDAY,
    });
    expect(mocks.graph.scenario).toBe('healthy');
    const sync = await client.instagram.sync(auth);
    expect(sync.status).toBe(409);
    expect(sync.body).toMatchObject({ graph_error: { code: 190, subcode: 463 } });
    const repaired = unwrap(await client.instagram.setup({ body: demoSetup, ...auth }));
    expect(repaired.account).toMatchObject({ reconnect_required: false, last_error: null });
    expect(unwrap(await client.instagram.sync(auth)).snapshot_date).toBe(TODAY);
  });

  it('reset() reconnects the demo account and resets the fake Graph API', async () => {
    const auth = await asCeo();
    mocks.graph.useScenario('server-error');
    await client.instagram.disconnect({ query: { purge_history: true }, ...auth });
    mocks.reset();
    expect(mocks.graph.scenario).toBe('healthy');
    expect(mocks.graph.requests).toEqual([]);
    expect(mocks.instagram.snapshots()).toHaveLength(SEEDED_HISTORY_DAYS - SEEDED_MISSING_DAYS.length);
    expect(mocks.instagram.account()).toMatchObject({ id: 1, reconnect_required: false });
  });

  it('addSnapshots stores history for the connected account, replacing a day already stored', async () => {
    mocks.instagram.addSnapshots([
      { date: YESTERDAY, followers_count: 1 },
      { date: TODAY, followers_count: 3 },
    ]);
    const snapshots = mocks.instagram.snapshots();
    expect(snapshots.at(-2)).toMatchObject({ date: YESTERDAY, followers_count: 1, following_count: 0 });
    expect(snapshots.at(-1)).toMatchObject({ date: TODAY, followers_count: 3 });
    expect(mocks.instagram.today()).toBe(TODAY);
    mocks.useScenario('instagram-not-connected');
    expect(() => mocks.instagram.addSnapshots([{ date: TODAY, followers_count: 1 }])).toThrow(/No Instagram account/);
  });
});
