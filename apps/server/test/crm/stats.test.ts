import { LEGACY_STATUSES } from '@cims/contracts';
import { unwrap } from '@cims/sdk';
import { describe, expect, it } from 'vitest';
import { SALES } from '../auth/helpers.js';

import { archive, crmTestApp, insertCustomer, signIn, sql, tashkent } from './helpers.js';

const SECOND = 1000;
const HOUR = 3600 * SECOND;

describe('GET /crm/dashboard', { timeout: 90_000 }, () => {
  it('pages newest first with total_items / total_pages; show_all, status_filter (any case) and search', async () => {
    await using t = await crmTestApp();
    const ceo = await signIn(t);
    const base = Date.now() - HOUR;
    const ids: number[] = [];
    for (let i = 0; i < 7; i++) {
      ids.push(
        await insertCustomer(t, {
          name: `Dash Person ${i}`,
          createdAt: new Date(base + i * SECOND),
          status: i === 3 ? 'rejected' : 'need_to_call',
        }),
      );
    }
    const newestFirst = [...ids].reverse();
    const visible = newestFirst.filter((id) => id !== ids[3]);

    const page1 = unwrap(await ceo.crm.dashboard({ query: { page: 1, page_size: 4 } }));
    expect(page1).toMatchObject({ page: 1, page_size: 4, total_items: 6, total_pages: 2, selected_status: null });
    expect(page1.customers.map((c) => c.id)).toEqual(visible.slice(0, 4));
    const page2 = unwrap(await ceo.crm.dashboard({ query: { page: 2, page_size: 4 } }));
    expect(page2.customers.map((c) => c.id)).toEqual(visible.slice(4));
    const beyond = unwrap(await ceo.crm.dashboard({ query: { page: 3, page_size: 4 } }));
    expect(beyond).toMatchObject({ customers: [], total_items: 6, total_pages: 2 });

    // The legacy client's exact request: every customer, lost ones included.
    const all = unwrap(await ceo.crm.dashboard({ query: { page: 1, page_size: 50, show_all: true } }));
    expect(all.customers.map((c) => c.id)).toEqual(newestFirst);
    expect(all).toMatchObject({ total_items: 7, total_pages: 1 });

    // Naming a lost status shows it even with show_all=false; the name is matched in any case.
    const rejected = unwrap(await ceo.crm.dashboard({ query: { status_filter: 'REJECTED' } }));
    expect(rejected.customers.map((c) => c.id)).toEqual([ids[3]]);
    expect(rejected).toMatchObject({ total_items: 1, total_pages: 1, selected_status: 'rejected' });
    const none = unwrap(await ceo.crm.dashboard({ query: { status_filter: 'no_such_status' } }));
    expect(none).toMatchObject({ customers: [], total_items: 0, total_pages: 0 });

    // Statistics count every non-archived customer whatever the filters.
    for (const d of [page1, rejected, none]) {
      expect(d.status_stats).toMatchObject({ total_customers: 7, need_to_call: 6, rejected: 1, contacted: 0 });
      expect(d.status_dict).toMatchObject({ need_to_call: 6, rejected: 1 });
      expect(d.status_percentages).toMatchObject({ need_to_call: 85.7, rejected: 14.3 });
    }

    const searched = unwrap(await ceo.crm.dashboard({ query: { search: 'dash PERSON 5' } }));
    expect(searched.customers.map((c) => c.id)).toEqual([ids[5]]);
    expect(searched.total_items).toBe(1);
    const searchedLost = unwrap(await ceo.crm.dashboard({ query: { search: 'Dash Person 3' } }));
    expect(searchedLost.total_items).toBe(0);
    const searchedAll = unwrap(await ceo.crm.dashboard({ query: { search: 'Dash Person 3', show_all: true } }));
    expect(searchedAll.customers.map((c) => c.id)).toEqual([ids[3]]);

    const tooBig = await ceo.crm.dashboard({ query: { page_size: 51 } });
    expect(tooBig.status).toBe(422);
  });

  it('search takes % and _ literally and looks in the phone, username, platform, assistant and status', async () => {
    await using t = await crmTestApp();
    const ceo = await signIn(t);
    const percentId = await insertCustomer(t, { name: 'Promo 50% off' });
    const plainId = await insertCustomer(t, { name: 'Promo 500 off' });
    const underscoreId = await insertCustomer(t, { name: 'a_b', phone: '+998977654321' });
    await insertCustomer(t, { name: 'axb' });
    const usernameId = await insertCustomer(t, { name: 'Someone', username: 'UniqueHandle', platform: 'instagram' });
    const search = async (term: string) =>
      unwrap(await ceo.crm.dashboard({ query: { search: term, show_all: true } })).customers.map((c) => c.id);
    expect(await search('50%')).toEqual([percentId]);
    expect((await search('50')).sort()).toEqual([percentId, plainId].sort());
    expect(await search('a_b')).toEqual([underscoreId]);
    expect(await search('7654321')).toEqual([underscoreId]);
    expect(await search('uniquehandle')).toEqual([usernameId]);
    expect(await search('INSTAGRAM')).toEqual([usernameId]);
    expect(await search('need_to')).toHaveLength(5);
    expect(await search("'; drop table customer; --")).toEqual([]);
  });

  it('status_choices are the active statuses in order; permissions are the caller’s pages by display name', async () => {
    await using t = await crmTestApp();
    const ceo = await signIn(t);
    const sales = await signIn(t, SALES);
    await sql(t, `update customer_status set is_active = false where name = 'continuing'`);
    const dashboard = unwrap(await ceo.crm.dashboard());
    expect(dashboard.status_choices.map((c) => c.value)).toEqual(
      LEGACY_STATUSES.filter((name) => name !== 'continuing'),
    );
    expect(dashboard.status_choices[0]).toEqual({
      value: 'contacted',
      label: 'Contacted',
      color: '#3B82F6',
      category: 'open',
    });
    const pages = await sql(t, 'select display_name from app_page where is_active order by sort_order, name');
    expect(dashboard.permissions).toEqual(pages.map((p) => p.display_name));
    expect(unwrap(await sales.crm.dashboard()).permissions).toEqual(['Sales CRM']);
  });
});

describe('GET /crm/stats', { timeout: 90_000 }, () => {
  it('counts every active status and every status in use (zeros included) after create, status change and archive', async () => {
    await using t = await crmTestApp();
    const ceo = await signIn(t);
    const empty = unwrap(await ceo.crm.stats());
    expect(empty).toMatchObject({ total_customers: 0, need_to_call: 0, contacted: 0, rejected: 0 });
    expect(Object.keys(empty.status_dict)).toEqual([...LEGACY_STATUSES]);
    expect(Object.values(empty.status_percentages)).toEqual(LEGACY_STATUSES.map(() => 0));

    const create = async (status: string) =>
      unwrap(
        await ceo.crm.create({
          body: { full_name: `Stats ${status}`, platform: 'telegram', phone_number: '+998 90 123 45 67', status },
        }),
      ).id;
    const a = await create('need_to_call');
    const b = await create('Need_To_Call');
    await create('contacted');
    let stats = unwrap(await ceo.crm.stats());
    expect(stats).toMatchObject({ total_customers: 3, need_to_call: 2, contacted: 1, project_started: 0 });
    expect(stats.status_percentages).toMatchObject({ need_to_call: 66.7, contacted: 33.3, finished: 0 });

    unwrap(await ceo.crm.patch({ params: { id: a }, body: { status: 'project_started' } }));
    stats = unwrap(await ceo.crm.stats());
    expect(stats).toMatchObject({ total_customers: 3, need_to_call: 1, contacted: 1, project_started: 1 });

    unwrap(await ceo.crm.archive({ params: { id: b } }));
    stats = unwrap(await ceo.crm.stats());
    expect(stats).toMatchObject({ total_customers: 2, need_to_call: 0, contacted: 1, project_started: 1 });
    expect(stats.status_percentages).toMatchObject({ contacted: 50, project_started: 50 });
    const dashboard = unwrap(await ceo.crm.dashboard({ query: { show_all: true } }));
    expect(dashboard.total_items).toBe(2);
    expect(dashboard.period_stats.today).toBe(2);

    // An inactive status still in use is counted; an unused inactive one is not listed.
    await sql(
      t,
      `insert into customer_status (name, display_name, sort_order, category, is_active, is_system, created_at, updated_at)
       values ('on_hold', 'On hold', 7, 'open', false, false, now(), now()),
              ('dormant', 'Dormant', 8, 'open', false, false, now(), now())`,
    );
    await insertCustomer(t, { status: 'on_hold' });
    stats = unwrap(await ceo.crm.stats());
    expect(stats.total_customers).toBe(3);
    expect(stats.status_dict).toEqual({
      contacted: 1,
      project_started: 1,
      continuing: 0,
      finished: 0,
      rejected: 0,
      need_to_call: 0,
      on_hold: 1,
    });
  });
});

describe('period statistics (business time zone Asia/Tashkent)', { timeout: 90_000 }, () => {
  it('/crm/stats/period, the dashboard and the summary count by Tashkent days: 23:30 UTC yesterday is today', async () => {
    await using t = await crmTestApp();
    const ceo = await signIn(t);
    const today = tashkent.today();
    const startToday = tashkent.start(today);
    // 00:00 in Tashkent is 19:00 UTC of the previous day.
    expect(startToday.toISOString().slice(0, 10)).toBe(tashkent.addDays(today, -1));
    const lateUtc = new Date(`${tashkent.addDays(today, -1)}T23:30:00Z`);
    expect(tashkent.dayOf(lateUtc)).toBe(today);

    const boundaries = [
      today,
      tashkent.monday(today),
      tashkent.firstOfMonth(today),
      tashkent.addDays(today, -2),
      tashkent.addDays(today, -6),
      tashkent.addDays(today, -29),
      tashkent.addDays(today, -89),
      tashkent.addDays(today, -179),
      tashkent.addDays(today, -364),
    ];
    const instants = [lateUtc];
    for (const day of boundaries) instants.push(tashkent.start(day), new Date(tashkent.start(day).getTime() - SECOND));
    for (const createdAt of instants) await insertCustomer(t, { createdAt });
    // Archived customers never count.
    await insertCustomer(t, { createdAt: lateUtc, archivedAt: new Date() });

    const days = instants.map(tashkent.dayOf);
    const since = (day: string) => days.filter((d) => d >= day && d <= today).length;
    const expected = {
      today: since(today),
      this_week: since(tashkent.monday(today)),
      this_month: since(tashkent.firstOfMonth(today)),
      last_3_months: since(tashkent.addDays(today, -89)),
      last_6_months: since(tashkent.addDays(today, -179)),
      last_year: since(tashkent.addDays(today, -364)),
    };
    // The customer at 00:00 today and the one at 23:30 UTC count as today; 23:59:59 yesterday does not.
    expect(expected.today).toBe(days.filter((d) => d === today).length);
    expect(days.filter((d) => d === today).length).toBeGreaterThanOrEqual(2);

    const period = unwrap(await ceo.crm.periodStats());
    expect(period.period_stats).toEqual(expected);
    expect(period.generated_at).toMatch(/\+05:00$/);
    expect(unwrap(await ceo.crm.dashboard()).period_stats).toEqual(expected);

    const summary = unwrap(await ceo.crm.statsSummary());
    const windows = { today: 1, last_3_days: 3, last_7_days: 7, last_30_days: 30, last_90_days: 90 } as const;
    for (const [key, n] of Object.entries(windows) as [keyof typeof windows, number][]) {
      const count = since(tashkent.addDays(today, 1 - n));
      expect(summary[key].total_customers, key).toBe(count);
      expect(summary[key].status_stats.need_to_call, key).toBe(count);
      expect(summary[key].status_percentages.need_to_call, key).toBe(count > 0 ? 100 : 0);
      expect(summary[key].status_stats.contacted, key).toBe(0);
    }
  });
});

describe('GET /crm/customers/report/period', { timeout: 90_000 }, () => {
  it('accepts 1d to 90d and custom ranges (whole Tashkent days), searches, filters and pages', async () => {
    await using t = await crmTestApp();
    const ceo = await signIn(t);
    const today = tashkent.today();
    const todayIds = [
      await insertCustomer(t, { name: 'Report Alpha', createdAt: tashkent.start(today) }),
      await insertCustomer(t, {
        name: 'Report Beta',
        createdAt: new Date(tashkent.start(today).getTime() + SECOND),
        status: 'contacted',
      }),
    ];
    const yesterday = await insertCustomer(t, {
      name: 'Report Gamma',
      createdAt: new Date(tashkent.start(today).getTime() - SECOND),
    });
    const old = await insertCustomer(t, {
      name: 'Report Old',
      createdAt: tashkent.start(tashkent.addDays(today, -80)),
    });
    await insertCustomer(t, { name: 'Report Archived', createdAt: tashkent.start(today), archivedAt: new Date() });

    const oneDay = unwrap(await ceo.crm.report({ query: { period: '1d' } }));
    expect(oneDay).toMatchObject({ period: '1d', from_date: today, to_date: today, total_customers: 2 });
    expect(oneDay.customers.map((c) => c.id)).toEqual([...todayIds].reverse());
    expect(oneDay.status_dict).toMatchObject({ need_to_call: 1, contacted: 1, rejected: 0 });
    expect(oneDay.status_stats).toMatchObject({ need_to_call: 1, contacted: 1, rejected: 0 });
    expect(oneDay.status_percentages).toMatchObject({ need_to_call: 50, contacted: 50 });

    const ninety = unwrap(await ceo.crm.report({ query: { period: '90d' } }));
    expect(ninety).toMatchObject({ from_date: tashkent.addDays(today, -89), to_date: today, total_customers: 4 });
    for (const [period, days] of [
      ['3d', 3],
      ['15d', 15],
      ['30d', 30],
    ] as const) {
      const window = unwrap(await ceo.crm.report({ query: { period } }));
      expect(window).toMatchObject({
        period,
        from_date: tashkent.addDays(today, 1 - days),
        to_date: today,
        total_customers: 3,
      });
      expect(window.customers.map((c) => c.id)).toEqual([...todayIds].reverse().concat(yesterday));
    }
    const week = unwrap(await ceo.crm.report({ query: {} }));
    expect(week).toMatchObject({ period: '7d', total_customers: 3 });

    const custom = unwrap(
      await ceo.crm.report({
        query: { from_date: tashkent.addDays(today, -80), to_date: tashkent.addDays(today, -1) },
      }),
    );
    expect(custom).toMatchObject({ period: 'custom', total_customers: 2 });
    expect(custom.customers.map((c) => c.id)).toEqual([yesterday, old]);

    const searched = unwrap(
      await ceo.crm.report({ query: { period: '90d', search: 'report', page_size: 3, page: 2 } }),
    );
    expect(searched).toMatchObject({ total_customers: 4, total_pages: 2, page: 2 });
    expect(searched.customers.map((c) => c.id)).toEqual([old]);
    const searchedOne = unwrap(await ceo.crm.report({ query: { period: '90d', search: 'BETA' } }));
    expect(searchedOne.customers.map((c) => c.id)).toEqual([todayIds[1]]);
    expect(searchedOne.status_dict).toMatchObject({ contacted: 1, need_to_call: 0 });

    const filtered = unwrap(await ceo.crm.report({ query: { period: '90d', status_filter: 'Contacted' } }));
    expect(filtered.customers.map((c) => c.id)).toEqual([todayIds[1]]);
    expect(filtered.total_customers).toBe(1);

    expect((await ceo.crm.report({ query: { period: '2d' as '1d' } })).status).toBe(422);
    const reversed = await ceo.crm.report({ query: { from_date: today, to_date: tashkent.addDays(today, -1) } });
    expect(reversed.status).toBe(422);
    expect((await ceo.crm.report({ query: { from_date: today } })).status).toBe(422);
  });
});

describe('plain lists', { timeout: 90_000 }, () => {
  it('latest, filters, archived and international lists are [] when empty, newest first otherwise', async () => {
    await using t = await crmTestApp();
    const ceo = await signIn(t);
    const sales = await signIn(t, SALES);
    expect(unwrap(await ceo.crm.latest())).toEqual([]);
    expect(unwrap(await ceo.crm.filterByStatus({ query: { status_filter: 'contacted' } }))).toEqual([]);
    expect(unwrap(await ceo.crm.filterByPlatform({ query: { platform: 'Telegram Bot' } }))).toEqual([]);
    expect(unwrap(await ceo.crm.filterByDate({ query: { start_date: tashkent.today() } }))).toEqual([]);
    expect(unwrap(await ceo.crm.archived())).toEqual([]);
    expect(unwrap(await ceo.sales.international())).toEqual([]);

    const today = tashkent.today();
    const base = tashkent.start(today).getTime();
    const a = await insertCustomer(t, {
      createdAt: new Date(base + SECOND),
      platform: 'telegram_bot',
      type: 'international',
    });
    const b = await insertCustomer(t, { createdAt: new Date(base + 2 * SECOND), status: 'contacted' });
    const c = await insertCustomer(t, { createdAt: new Date(base - SECOND), platform: 'telegram_bot' });
    const d = await insertCustomer(t, { createdAt: new Date(base + 3 * SECOND), type: 'international' });
    await archive(t, d, new Date(Date.now() - HOUR));
    const e = await insertCustomer(t, { createdAt: new Date(base + 4 * SECOND) });
    await archive(t, e);

    expect(unwrap(await ceo.crm.latest()).map((x) => x.id)).toEqual([b, a, c]);
    expect(unwrap(await ceo.crm.latest({ query: { limit: 1 } })).map((x) => x.id)).toEqual([b]);
    expect(unwrap(await ceo.crm.filterByStatus({ query: { status_filter: 'CONTACTED' } })).map((x) => x.id)).toEqual([
      b,
    ]);
    expect(unwrap(await ceo.crm.filterByStatus({ query: { status_filter: 'unknown' } }))).toEqual([]);
    expect(unwrap(await ceo.crm.filterByPlatform({ query: { platform: 'Telegram Bot' } })).map((x) => x.id)).toEqual([
      a,
      c,
    ]);
    expect(
      unwrap(await ceo.crm.filterByPlatform({ query: { platform: 'Telegram Bot', limit: 1, offset: 1 } })).map(
        (x) => x.id,
      ),
    ).toEqual([c]);
    expect(unwrap(await ceo.crm.filterByDate({ query: { start_date: today } })).map((x) => x.id)).toEqual([b, a]);
    expect(
      unwrap(await ceo.crm.filterByDate({ query: { start_date: tashkent.addDays(today, -1), end_date: today } })).map(
        (x) => x.id,
      ),
    ).toEqual([b, a, c]);
    expect(
      unwrap(await ceo.crm.filterByDate({ query: { start_date: today, end_date: tashkent.addDays(today, -1) } })),
    ).toEqual([]);

    const archived = unwrap(await ceo.crm.archived());
    expect(archived.map((x) => x.id)).toEqual([e, d]);
    expect(archived.every((x) => x.is_archived && x.archived_at?.endsWith('+05:00'))).toBe(true);
    expect((await sales.crm.archived()).status).toBe(403);

    const international = unwrap(await ceo.sales.international());
    expect(international.map((x) => x.id)).toEqual([a]);
    expect(international[0]).toMatchObject({ customer_type: 'international', status: 'need_to_call' });
  });
});

describe('/sales/*', { timeout: 90_000 }, () => {
  it('charts and the detailed breakdown have every day of the window (zeros included); local includes no type', async () => {
    await using t = await crmTestApp();
    const ceo = await signIn(t);
    const today = tashkent.today();
    const at = (daysAgo: number) => new Date(tashkent.start(tashkent.addDays(today, -daysAgo)).getTime() + HOUR);
    await insertCustomer(t, { createdAt: at(0), type: 'local', platform: 'instagram', status: 'project_started' });
    await insertCustomer(t, { createdAt: at(0), type: null, platform: 'instagram' });
    await insertCustomer(t, { createdAt: at(1), type: 'international', platform: 'website', status: 'finished' });
    await insertCustomer(t, { createdAt: at(3), type: null, platform: 'telegram', status: 'rejected' });
    await insertCustomer(t, { createdAt: at(10), type: 'local', platform: 'instagram' });
    await insertCustomer(t, { createdAt: at(40), type: 'local', platform: 'instagram' });
    await insertCustomer(t, { createdAt: at(0), type: 'local', archivedAt: new Date() });
    await sql(t, `update customer_status set display_name = 'Call back' where name = 'need_to_call'`);

    const week = unwrap(await ceo.sales.charts({ query: { days: 7 } }));
    expect(week.period).toEqual({ start_date: tashkent.addDays(today, -6), end_date: today, days: 7 });
    expect(week.trend).toHaveLength(7);
    expect(week.trend.map((d) => d.date)).toEqual([6, 5, 4, 3, 2, 1, 0].map((n) => tashkent.addDays(today, -n)));
    expect(week.trend.map((d) => d.count)).toEqual([0, 0, 0, 1, 0, 1, 2]);
    expect(week.summary).toMatchObject({
      total_period_leads: 4,
      today: 2,
      yesterday: 1,
      project_started: 1,
      finished: 1,
      rejected: 1,
      conversion_rate_percent: 50,
    });
    expect(week.status_distribution).toEqual([
      { key: 'project_started', label: 'Project Started', value: 1, percentage: 25 },
      { key: 'finished', label: 'Finished', value: 1, percentage: 25 },
      { key: 'rejected', label: 'Rejected', value: 1, percentage: 25 },
      { key: 'need_to_call', label: 'Call back', value: 1, percentage: 25 },
    ]);
    expect(week.platform_distribution).toEqual([
      { key: 'instagram', label: 'Instagram', value: 2, percentage: 50 },
      { key: 'telegram', label: 'Telegram', value: 1, percentage: 25 },
      { key: 'website', label: 'Website', value: 1, percentage: 25 },
    ]);
    expect(week.customer_type_distribution).toEqual([
      { key: 'local', label: 'Local', value: 3, percentage: 75 },
      { key: 'international', label: 'International', value: 1, percentage: 25 },
    ]);

    const local = unwrap(await ceo.sales.charts({ query: { days: 30, customer_type: 'LOCAL', platform_limit: 1 } }));
    expect(local.customer_type).toBe('local');
    expect(local.trend).toHaveLength(30);
    expect(local.summary.total_period_leads).toBe(4);
    expect(local.trend.reduce((sum, d) => sum + d.count, 0)).toBe(4);
    expect(local.platform_distribution).toEqual([{ key: 'instagram', label: 'Instagram', value: 3, percentage: 75 }]);
    expect(local.customer_type_distribution.map((i) => i.value)).toEqual([4, 0]);

    expect((await ceo.sales.charts({ query: { days: 6 } })).status).toBe(422);

    for (const days of [1, 30, 365]) {
      const detailed = unwrap(await ceo.sales.detailed({ query: { days } }));
      expect(detailed.daily_breakdown).toHaveLength(days);
      expect(detailed.daily_breakdown.at(-1)).toEqual({ date: today, count: 2 });
      expect(detailed.date_range).toBe(`${tashkent.addDays(today, 1 - days)} to ${today}`);
    }
    const intl = unwrap(await ceo.sales.detailed({ query: { days: 7, customer_type: 'international' } }));
    expect(intl.daily_breakdown.map((d) => d.count)).toEqual([0, 0, 0, 0, 0, 1, 0]);
    expect(intl.summary).toMatchObject({ today: 0, yesterday: 1, customer_type: 'international' });
  });

  it('/sales/stats counts today, yesterday, this week and last week (Monday to Sunday)', async () => {
    await using t = await crmTestApp();
    const ceo = await signIn(t);
    const today = tashkent.today();
    const monday = tashkent.monday(today);
    const instants = [
      tashkent.start(today),
      new Date(tashkent.start(today).getTime() - SECOND),
      tashkent.start(monday),
      new Date(tashkent.start(monday).getTime() - SECOND),
      tashkent.start(tashkent.addDays(monday, -7)),
      new Date(tashkent.start(tashkent.addDays(monday, -7)).getTime() - SECOND),
    ];
    for (const [i, createdAt] of instants.entries()) {
      await insertCustomer(t, { createdAt, type: i % 2 === 0 ? 'international' : null });
    }
    const days = instants.map(tashkent.dayOf);
    const count = (from: string, to: string, only?: (i: number) => boolean) =>
      days.filter((d, i) => d >= from && d <= to && (only ? only(i) : true)).length;
    const expected = (only?: (i: number) => boolean) => ({
      today: count(today, today, only),
      yesterday: count(tashkent.addDays(today, -1), tashkent.addDays(today, -1), only),
      this_week: count(monday, today, only),
      last_week: count(tashkent.addDays(monday, -7), tashkent.addDays(monday, -1), only),
    });
    expect(unwrap(await ceo.sales.stats())).toEqual({ ...expected(), customer_type: null });
    expect(unwrap(await ceo.sales.stats({ query: { customer_type: 'international' } }))).toEqual({
      ...expected((i) => i % 2 === 0),
      customer_type: 'international',
    });
    expect(unwrap(await ceo.sales.stats({ query: { customer_type: 'local' } }))).toEqual({
      ...expected((i) => i % 2 === 1),
      customer_type: 'local',
    });
  });
});
