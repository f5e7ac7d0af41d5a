import { addCalendarDays, contract, type FollowerPoint, growthOf, listRoutes, routeMeta } from '@cims/contracts';
import { FAKE_GRAPH_DEMO, type GraphScenario } from '@cims/mocks';
import { type CimsClient, unwrap } from '@cims/sdk';
import { expect, it, type TestContext } from 'vitest';
import type { Target, withWorld as WithWorld, World } from './suite-kit.js';
import { accessToken, SEEDED, signedIn } from './suite-kit.js';

// Every world starts with no Instagram account connected, its Graph API calls going to a fake Graph API
// (`world.instagram.graph`) in the `healthy` scenario with the demo account and token. History a test cannot create
// through the API in one day is stored with `world.instagram.seedSnapshots`.

/** The demo account of the fake Graph API, as `POST /instagram/setup` takes it. */
export const DEMO_SETUP = {
  account_username: FAKE_GRAPH_DEMO.username,
  instagram_business_account_id: FAKE_GRAPH_DEMO.accountId,
  facebook_page_id: FAKE_GRAPH_DEMO.pageId,
  access_token: FAKE_GRAPH_DEMO.token,
};

/** The world's Instagram controls; the test is skipped on a target without them. */
export function instagramOf(world: World, context: TestContext): NonNullable<World['instagram']> {
  if (!world.instagram) context.skip('this target has no fake Graph API');
  return world.instagram as NonNullable<World['instagram']>;
}

/** Every object key in a JSON value, however deep. */
function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, inner]) => [key, ...keysOf(inner)]);
  }
  return [];
}

/** A response body never carries the token: not its value, not a field for it. */
function expectNoToken(body: unknown): void {
  expect(JSON.stringify(body)).not.toContain(FAKE_GRAPH_DEMO.token);
  expect(keysOf(body).filter((key) => key === 'access_token' || key === 'token')).toEqual([]);
}

/** The CEO of the current world, signed in once per world. */
export function ceoOf(world: () => World) {
  let current: World | undefined;
  let client: Promise<CimsClient> | undefined;
  return () => {
    const w = world();
    if (w !== current || !client) {
      current = w;
      client = signedIn(w, SEEDED.ceo);
    }
    return client;
  };
}

/** Runs `body` with the fake Graph API in `scenario`, and puts it back to `healthy` whatever happens. */
async function inScenario<T>(
  instagram: NonNullable<World['instagram']>,
  scenario: GraphScenario,
  body: () => Promise<T>,
) {
  instagram.graph.useScenario(scenario);
  try {
    return await body();
  } finally {
    instagram.graph.useScenario('healthy');
  }
}

/** A second IG User in the fake Graph API, with a token that may read it (`expiresAt` 0: it never expires). */
const SECOND_ID = '17841400000000002';
function addSecondAccount(instagram: NonNullable<World['instagram']>, expiresAt: number) {
  instagram.graph.accounts.set(SECOND_ID, {
    id: SECOND_ID,
    username: 'cims.second',
    followers_count: 500,
    follows_count: 20,
    media_count: 7,
  });
  instagram.graph.addToken({ token: 'EAASecondAccountToken000001', accountId: SECOND_ID, expiresAt });
  return {
    account_username: 'cims.second',
    instagram_business_account_id: SECOND_ID,
    facebook_page_id: '100000000000002',
    access_token: 'EAASecondAccountToken000001',
  };
}

/** Instagram follower growth (`/instagram/*`): the same answers from every implementation. */
export function instagramSuite(target: Target, withWorld: typeof WithWorld): void {
  withWorld(target, 'Instagram: who may call', (world) => {
    it('every Instagram route is the CEO’s: anonymous 401, a sales manager 403, the CEO in', async (context) => {
      instagramOf(world(), context);
      const routes = listRoutes(contract).filter(({ keys }) => keys[0] === 'instagram');
      expect(routes.map((r) => r.name).sort()).toEqual([
        'instagramAccount',
        'instagramDisconnect',
        'instagramGrowth',
        'instagramHistory',
        'instagramSetup',
        'instagramSync',
      ]);
      const tokens = {
        sales: await accessToken(await signedIn(world(), SEEDED.sales)),
        ceo: await accessToken(await signedIn(world(), SEEDED.ceo)),
      };
      const call = async (method: string, path: string, token?: string) => {
        const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
        if (method === 'POST') headers['content-type'] = 'application/json';
        const res = await fetch(`${world().baseUrl}${path}`, {
          method,
          headers,
          body: method === 'POST' ? '{}' : undefined,
        });
        // Read to the end: cancelling the body of a response the mocks made never settles under MSW.
        await res.arrayBuffer();
        return res.status;
      };
      for (const { name, route } of routes) {
        expect(routeMeta(route).roles, name).toEqual(['CEO']);
        expect(await call(route.method, route.path), `${name} anonymous`).toBe(401);
        expect(await call(route.method, route.path, tokens.sales), `${name} sales manager`).toBe(403);
        expect([401, 403], `${name} CEO`).not.toContain(await call(route.method, route.path, tokens.ceo));
      }
      // Nothing reached the Graph API: the refused calls stopped before, the CEO's had no account or no valid body.
      expect(world().instagram?.graph.requests).toEqual([]);
    });

    it('through the SDK too: the sales manager gets 403 FORBIDDEN', async (context) => {
      instagramOf(world(), context);
      const sales = await signedIn(world(), SEEDED.sales);
      const res = await sales.instagram.setup({ body: DEMO_SETUP });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ code: 'FORBIDDEN' });
      expect((await sales.instagram.account()).status).toBe(403);
    });
  });

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
