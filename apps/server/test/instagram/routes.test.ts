import { unwrap } from '@cims/sdk';
import { describe, expect, it } from 'vitest';
import { asInt } from '../../src/db/sql.js';
import { bearer, SALES, sendJson, tokens } from '../auth/helpers.js';
import { countSnapshots, DEMO_SETUP, days, FAKE_GRAPH_DEMO, insertSnapshots, instagramWorld, sql } from './helpers.js';

describe('connecting the account', () => {
  it('checks the token with the Graph API, stores it, and shows the account without it', async () => {
    await using w = await instagramWorld();
    expect(unwrap(await w.ceo.instagram.account())).toEqual({ connected: false, account: null });

    const res = await w.ceo.instagram.setup({ body: { ...DEMO_SETUP, account_username: '@cims.official' } });
    expect(res.status).toBe(200);
    const body = unwrap(res);
    expect(body.message).toBe("Instagram account 'cims.official' configured successfully");
    expect(body.account).toMatchObject({
      id: body.account_id,
      account_username: 'cims.official',
      instagram_business_account_id: FAKE_GRAPH_DEMO.accountId,
      facebook_page_id: FAKE_GRAPH_DEMO.pageId,
      token_renewed_at: null,
      last_synced_at: null,
      last_snapshot_date: null,
      last_error: null,
      reconnect_required: false,
      // The scheduler is off in this app.
      next_sync_at: null,
    });
    // With the app credentials the expiry comes from debug_token: the fake's demo token lives 60 days.
    const expires = Date.parse(body.account.token_expires_at ?? '');
    expect(Math.abs(expires - (Date.now() + 60 * 86_400_000))).toBeLessThan(60_000);
    expect(w.graphCalls(`/${FAKE_GRAPH_DEMO.accountId}`)).toBe(1);
    expect(w.graphCalls('/debug_token')).toBe(1);

    const state = unwrap(await w.ceo.instagram.account());
    expect(state).toEqual({ connected: true, account: body.account });
    expect(JSON.stringify(state)).not.toContain(FAKE_GRAPH_DEMO.token);

    // Audited, without the token.
    const audit = await sql(
      w.t,
      "select action, summary, data::text as data from audit_log where module = 'instagram'",
    );
    expect(audit).toEqual([expect.objectContaining({ action: 'setup', summary: 'Connected @cims.official' })]);
    expect(JSON.stringify(audit)).not.toContain(FAKE_GRAPH_DEMO.token);
  });

  it('an explicit token_expires_at wins; without app credentials the expiry is assumed to be 60 days', async () => {
    await using w = await instagramWorld({ app: false });
    const given = '2031-01-02T03:04:05.000Z';
    const res = unwrap(await w.ceo.instagram.setup({ body: { ...DEMO_SETUP, token_expires_at: given } }));
    expect(Date.parse(res.account.token_expires_at ?? '')).toBe(Date.parse(given));
    const again = unwrap(await w.ceo.instagram.setup({ body: DEMO_SETUP }));
    expect(again.message).toBe("Instagram account 'cims.official' updated successfully");
    const expires = Date.parse(again.account.token_expires_at ?? '');
    expect(Math.abs(expires - (Date.now() + 60 * 86_400_000))).toBeLessThan(60_000);
    expect(w.graphCalls('/debug_token')).toBe(0);
  });

  it('a token that never expires (debug_token expires_at 0) has token_expires_at null', async () => {
    await using w = await instagramWorld();
    w.fake.graph.addToken({
      token: 'EAAFakeNeverExpiring00000001',
      accountId: FAKE_GRAPH_DEMO.accountId,
      expiresAt: 0,
    });
    const res = unwrap(
      await w.ceo.instagram.setup({ body: { ...DEMO_SETUP, access_token: 'EAAFakeNeverExpiring00000001' } }),
    );
    expect(res.account.token_expires_at).toBeNull();
  });

  it('setting up the same account again replaces the token and keeps the history; another account replaces it', async () => {
    await using w = await instagramWorld();
    const first = unwrap(await w.ceo.instagram.setup({ body: DEMO_SETUP }));
    unwrap(await w.ceo.instagram.sync());
    const before = await sql(w.t, 'select token_ciphertext, connected_at from instagram_account');

    const again = unwrap(await w.ceo.instagram.setup({ body: DEMO_SETUP }));
    expect(again.account_id).toBe(first.account_id);
    expect(again.account.last_snapshot_date).toBe(days.today());
    const after = await sql(w.t, 'select token_ciphertext, connected_at from instagram_account');
    expect(after[0]?.token_ciphertext).not.toBe(before[0]?.token_ciphertext);
    expect(String(after[0]?.connected_at)).toBe(String(before[0]?.connected_at));

    // Another account: the first is disconnected (history kept), the second connected.
    w.fake.graph.accounts.set('17841400000000002', {
      id: '17841400000000002',
      username: 'cims.second',
      followers_count: 50,
      follows_count: 5,
      media_count: 1,
    });
    w.fake.graph.addToken({ token: 'EAAFakeSecondAccountToken0001', accountId: '17841400000000002', expiresAt: 0 });
    const second = unwrap(
      await w.ceo.instagram.setup({
        body: {
          account_username: 'cims.second',
          instagram_business_account_id: '17841400000000002',
          facebook_page_id: '100000000000002',
          access_token: 'EAAFakeSecondAccountToken0001',
        },
      }),
    );
    expect(second.account_id).not.toBe(first.account_id);
    const rows = await sql(
      w.t,
      'select id, disconnected_at is null as connected, token_ciphertext is null as wiped from instagram_account order by id',
    );
    expect(rows).toEqual([
      { id: first.account_id, connected: false, wiped: true },
      { id: second.account_id, connected: true, wiped: false },
    ]);
    expect(await countSnapshots(w.t)).toBe(1);
    // The new account has no history of its own.
    expect(unwrap(await w.ceo.instagram.growth()).current_followers).toBeNull();

    // Connecting the first account again brings its history back.
    const back = unwrap(await w.ceo.instagram.setup({ body: DEMO_SETUP }));
    expect(back.account_id).toBe(first.account_id);
    expect(unwrap(await w.ceo.instagram.growth()).as_of).toBe(days.today());
    const actions = await sql(w.t, "select action from audit_log where module = 'instagram' order by id");
    expect(actions.map((row) => row.action)).toEqual(['setup', 'setup', 'disconnect', 'setup', 'disconnect', 'setup']);
  });

  it('one account is connected at a time, even when two setups of different accounts race', async () => {
    await using w = await instagramWorld();
    for (const n of [2, 3, 4]) {
      const id = `1784140000000000${n}`;
      w.fake.graph.accounts.set(id, { id, username: `a${n}`, followers_count: n, follows_count: 0, media_count: 0 });
      w.fake.graph.addToken({ token: `EAAFakeRaceToken000000000${n}`, accountId: id, expiresAt: 0 });
    }
    const results = await Promise.all(
      [2, 3, 4].map((n) =>
        w.ceo.instagram.setup({
          body: {
            account_username: `a${n}`,
            instagram_business_account_id: `1784140000000000${n}`,
            facebook_page_id: '100000000000001',
            access_token: `EAAFakeRaceToken000000000${n}`,
          },
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    const [row] = await sql(w.t, 'select count(*) as n from instagram_account where disconnected_at is null');
    expect(asInt(row?.n)).toBe(1);
  });

  it('rejects a malformed setup with 422 on the field, before calling the Graph API', async () => {
    await using w = await instagramWorld();
    const res = await w.ceo.instagram.setup({ body: { ...DEMO_SETUP, instagram_business_account_id: 'abc' } });
    expect(res.status).toBe(422);
    expect(w.graphCalls()).toBe(0);
  });
});

describe('syncing', () => {
  it('stores one snapshot per business day: a later sync replaces it, and answers the legacy fields', async () => {
    await using w = await instagramWorld();
    expect((await w.ceo.instagram.sync()).status).toBe(404);
    unwrap(await w.ceo.instagram.setup({ body: DEMO_SETUP }));
    const demo = w.fake.graph.accounts.get(FAKE_GRAPH_DEMO.accountId);
    if (!demo) throw new Error('no demo account');

    const res = unwrap(await w.ceo.instagram.sync());
    expect(res).toMatchObject({
      message: 'Instagram data synchronized successfully',
      followers_count: demo.followers_count,
      following_count: demo.follows_count,
      media_count: demo.media_count,
      account_username: 'cims.official',
      snapshot_date: days.today(),
    });
    expect(res.synced_at).toMatch(/\+05:00$/);

    demo.followers_count += 7;
    demo.username = 'cims.renamed';
    const later = unwrap(await w.ceo.instagram.sync());
    expect(later.followers_count).toBe(res.followers_count + 7);
    const rows = await sql(
      w.t,
      "select to_char(snapshot_date, 'YYYY-MM-DD') as date, followers_count from instagram_snapshot",
    );
    expect(rows).toEqual([{ date: days.today(), followers_count: res.followers_count + 7 }]);
    // The Graph API's username wins after a sync.
    const account = unwrap(await w.ceo.instagram.account()).account;
    expect(account).toMatchObject({ account_username: 'cims.renamed', last_snapshot_date: days.today() });
    expect(account?.last_synced_at).not.toBeNull();
    // The last usage headers are kept for observability.
    const [usage] = await sql(w.t, "select graph_usage->'app'->>'call_count' as calls from instagram_account");
    expect(usage?.calls).toBe('1');
  });

  it('two concurrent syncs leave one row for the day', async () => {
    await using w = await instagramWorld();
    unwrap(await w.ceo.instagram.setup({ body: DEMO_SETUP }));
    const results = await Promise.all([w.ceo.instagram.sync(), w.ceo.instagram.sync(), w.ceo.instagram.sync()]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(await countSnapshots(w.t)).toBe(1);
  });
});

describe('disconnecting', () => {
  it('wipes the token and keeps the history, or purges it; 404 when nothing is connected', async () => {
    await using w = await instagramWorld();
    expect((await w.ceo.instagram.disconnect({ query: {} })).status).toBe(404);
    unwrap(await w.ceo.instagram.setup({ body: DEMO_SETUP }));
    await insertSnapshots(w.t, [
      { date: days.add(days.today(), -2), followers_count: 10 },
      { date: days.add(days.today(), -1), followers_count: 11 },
    ]);
    const kept = unwrap(await w.ceo.instagram.disconnect({ query: {} }));
    expect(kept).toEqual({
      message: "Instagram account 'cims.official' disconnected; its history is kept",
      purged_snapshots: 0,
    });
    expect(await countSnapshots(w.t)).toBe(2);
    const [row] = await sql(
      w.t,
      'select token_key_id, token_iv, token_tag, token_ciphertext, disconnected_at from instagram_account',
    );
    expect(row).toMatchObject({ token_key_id: null, token_iv: null, token_tag: null, token_ciphertext: null });
    expect(row?.disconnected_at).not.toBeNull();
    expect(unwrap(await w.ceo.instagram.account())).toEqual({ connected: false, account: null });
    for (const res of [
      await w.ceo.instagram.growth(),
      await w.ceo.instagram.history({ query: {} }),
      await w.ceo.instagram.sync(),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ code: 'INSTAGRAM_NOT_CONNECTED' });
    }

    unwrap(await w.ceo.instagram.setup({ body: DEMO_SETUP }));
    const purged = unwrap(await w.ceo.instagram.disconnect({ query: { purge_history: true } }));
    expect(purged.purged_snapshots).toBe(2);
    expect(await countSnapshots(w.t)).toBe(0);
    const [left] = await sql(w.t, 'select count(*) as n from instagram_account');
    expect(asInt(left?.n)).toBe(0);
  });
});

describe('who may call the Instagram routes', () => {
  const routes: [string, string, unknown][] = [
    ['POST', '/instagram/setup', DEMO_SETUP],
    ['POST', '/instagram/sync', undefined],
    ['GET', '/instagram/growth', undefined],
    ['GET', '/instagram/history?days=7', undefined],
    ['GET', '/instagram/account', undefined],
    ['DELETE', '/instagram/account', undefined],
  ];

  it('the CEO only: 401 without a token, 403 for a sales manager, on every route', async () => {
    await using w = await instagramWorld();
    const sales = await tokens(w.t, SALES.email, SALES.password);
    for (const [method, path, body] of routes) {
      const anonymous = await sendJson(w.t, method, path, body);
      expect(anonymous.res.status, `${method} ${path} without a token`).toBe(401);
      const manager = await sendJson(w.t, method, path, body, bearer(sales.access_token));
      expect(manager.res.status, `${method} ${path} as a sales manager`).toBe(403);
      expect(manager.body).toMatchObject({ code: 'FORBIDDEN' });
    }
    expect(w.graphCalls()).toBe(0);
    expect(await sql(w.t, 'select id from instagram_account')).toEqual([]);
  });
});
