import { unwrap } from '@cims/sdk';
import { describe, expect, it } from 'vitest';
import { FAKE_GRAPH_DEMO } from './graph/demo-account.js';
import { createFakeGraphApi } from './graph/fake-graph-api.js';
import { MOCK_USERS } from './state.js';
import { T0, useTestWorld } from './test-world.js';

// A fake Graph API of another app, shared with the test, and New York as the business time zone: at T0
// (09:00 UTC on 1 June) it is 05:00 there.
const graph = createFakeGraphApi({ appId: 'other-app', appSecret: 'other-secret', now: () => T0 });
const w = useTestWorld({ graph, scenario: 'instagram-not-connected', businessTimeZone: 'America/New_York' });
const { client, mocks } = w;

async function asCeo() {
  const { access_token } = await w.login(MOCK_USERS.ceo.email, MOCK_USERS.ceo.password);
  return w.bearer(access_token);
}

const demoSetup = {
  account_username: 'cims.official',
  instagram_business_account_id: FAKE_GRAPH_DEMO.accountId,
  facebook_page_id: FAKE_GRAPH_DEMO.pageId,
  access_token: FAKE_GRAPH_DEMO.token,
};

describe('createMockApi with a graph and the instagram-not-connected scenario', () => {
  it('starts with no account and no history at all', async () => {
    const auth = await asCeo();
    expect(unwrap(await client.instagram.account(auth))).toEqual({ connected: false, account: null });
    expect(mocks.state.instagram.snapshots.size).toBe(0);
    expect(mocks.graph).toBe(graph);
  });

  it('asks the graph it was given; without a usable debug_token the token is taken to last 60 days', async () => {
    const auth = await asCeo();
    graph.useScenario('server-error');
    expect((await client.instagram.setup({ body: demoSetup, ...auth })).status).toBe(502);
    graph.useScenario('healthy');
    const res = unwrap(await client.instagram.setup({ body: demoSetup, ...auth }));
    // The mocks' app token is not this fake's: debug_token answers 400, so the expiry is assumed.
    expect(graph.requests.at(-1)).toMatchObject({ path: '/v25.0/debug_token', status: 400 });
    expect(res.account.token_expires_at).toBe('2026-07-31T05:00:00.000-04:00');
    expect(res.account.next_sync_at).toBe('2026-06-02T00:00:00.000-04:00');
    expect(unwrap(await client.instagram.history({ query: { days: 1 }, ...auth })).to_date).toBe('2026-06-01');
  });

  it('reset() resets the given graph and returns to no account', async () => {
    const auth = await asCeo();
    unwrap(await client.instagram.setup({ body: demoSetup, ...auth }));
    graph.useScenario('rate-limited');
    mocks.reset();
    expect(graph.scenario).toBe('healthy');
    expect(graph.requests).toEqual([]);
    expect(mocks.instagram.account()).toBeNull();
  });

  it('business days follow the time zone: 03:00 UTC is still the day before in New York', async () => {
    w.advance(18 * 3_600_000); // 03:00 UTC on 2 June, 23:00 on 1 June in New York
    const auth = await asCeo();
    unwrap(await client.instagram.setup({ body: demoSetup, ...auth }));
    expect(unwrap(await client.instagram.sync(auth)).snapshot_date).toBe('2026-06-01');
    expect(mocks.instagram.today()).toBe('2026-06-01');
  });
});
