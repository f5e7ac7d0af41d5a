import { unwrap } from '@cims/sdk';
import { beforeEach, describe, expect, it } from 'vitest';
import type { MockCustomerInput } from './model/crm-model.js';
import { MOCK_USERS } from './state.js';
import { useTestWorld } from './test-world.js';

// The clock stands at Monday 2026-06-01 09:00 UTC, 14:00 in Tashkent (UTC+5, the default business time zone).
const w = useTestWorld({ scenario: 'empty-crm' });
const { client, mocks } = w;
const { ceo, sales1, sales2 } = MOCK_USERS;

async function as(user: { email: string; password: string }) {
  const { access_token } = await w.login(user.email, user.password);
  return w.bearer(access_token);
}

function add(at: string, fields: Partial<MockCustomerInput> = {}) {
  return mocks.crm.addCustomer({
    full_name: `Lead of ${at}`,
    platform: 'telegram',
    phone_number: '+998901234567',
    created_at: Date.parse(at),
    ...fields,
  });
}

describe('statistics in the business time zone', () => {
  beforeEach(() => {
    add('2026-03-03T18:30:00Z'); // Tue 3 March 23:30 in Tashkent: 90 days ago, outside "the last 90 days"
    add('2026-03-03T19:30:00Z'); // Wed 4 March 00:30: the first of the last 90 days
    add('2026-05-24T10:00:00Z', { platform: 'instagram' }); // Sunday of the week before last
    add('2026-05-25T10:00:00Z', { customer_type: 'international', status: 'contacted' }); // last Monday
    add('2026-05-31T18:30:00Z', { customer_type: null }); // Sunday 23:30: yesterday
    add('2026-05-31T19:30:00Z', { customer_type: 'local', status: 'finished' }); // Monday 00:30: today, though not in UTC
    const archived = mocks.state.crm.customers.get(add('2026-06-01T08:00:00Z').id);
    if (archived) archived.archived_at = Date.parse('2026-06-01T08:30:00Z');
  });

  it('counts new customers per calendar period, archived ones left out', async () => {
    const auth = await as(ceo);
    const { period_stats, generated_at } = unwrap(await client.crm.periodStats(auth));
    expect(generated_at).toBe('2026-06-01T14:00:00.000+05:00');
    expect(period_stats).toEqual({
      today: 1,
      this_week: 1,
      this_month: 1,
      last_3_months: 5,
      last_6_months: 6,
      last_year: 6,
    });
    const summary = unwrap(await client.crm.statsSummary(auth));
    expect(
      [summary.today, summary.last_3_days, summary.last_7_days, summary.last_30_days, summary.last_90_days].map(
        (window) => window.total_customers,
      ),
    ).toEqual([1, 2, 2, 4, 5]);
    expect(summary.today.status_stats).toMatchObject({ finished: 1, need_to_call: 0 });
    expect(summary.last_3_days.status_percentages).toMatchObject({ finished: 50, need_to_call: 50, contacted: 0 });
    const stats = unwrap(await client.crm.stats(auth));
    expect(stats).toMatchObject({ total_customers: 6, need_to_call: 4, contacted: 1, finished: 1 });
    expect(stats.status_percentages).toMatchObject({ need_to_call: 66.7, contacted: 16.7, finished: 16.7 });
  });

  it('filters and reports by business days', async () => {
    const auth = await as(ceo);
    const day = async (start_date: string, end_date?: string) =>
      unwrap(await client.crm.filterByDate({ query: { start_date, ...(end_date ? { end_date } : {}) }, ...auth })).map(
        (c) => c.created_at,
      );
    expect(await day('2026-05-31')).toEqual(['2026-05-31T23:30:00.000+05:00']);
    expect(await day('2026-05-31', '2026-06-01')).toEqual([
      '2026-06-01T00:30:00.000+05:00',
      '2026-05-31T23:30:00.000+05:00',
    ]);
    const oneDay = unwrap(await client.crm.report({ query: { period: '1d' }, ...auth }));
    expect(oneDay).toMatchObject({ period: '1d', from_date: '2026-06-01', to_date: '2026-06-01', total_customers: 1 });
    const custom = unwrap(
      await client.crm.report({ query: { from_date: '2026-05-24', to_date: '2026-05-25', page_size: 1 }, ...auth }),
    );
    expect(custom).toMatchObject({ period: 'custom', total_customers: 2, total_pages: 2, page_size: 1 });
    expect(custom.status_dict).toMatchObject({ need_to_call: 1, contacted: 1 });
    const searched = unwrap(
      await client.crm.report({ query: { period: '90d', status_filter: 'CONTACTED', search: 'lead' }, ...auth }),
    );
    expect(searched.customers.map((c) => c.status)).toEqual(['contacted']);
    const backwards = await client.crm.report({ query: { from_date: '2026-05-25', to_date: '2026-05-24' }, ...auth });
    expect(backwards).toMatchObject({ status: 422, body: { detail: [{ loc: ['query', 'from_date'] }] } });
  });

  it('/sales: today, yesterday, this and last week; local counts customers without a type', async () => {
    const auth = await as(ceo);
    const stats = async (customer_type?: 'local' | 'international') =>
      unwrap(await client.sales.stats({ query: customer_type ? { customer_type } : {}, ...auth }));
    expect(await stats()).toEqual({ today: 1, yesterday: 1, this_week: 1, last_week: 2, customer_type: null });
    expect(await stats('local')).toEqual({
      today: 1,
      yesterday: 1,
      this_week: 1,
      last_week: 1,
      customer_type: 'local',
    });
    expect(await stats('international')).toMatchObject({ today: 0, last_week: 1 });

    const detailed = unwrap(await client.sales.detailed({ query: { days: 7 }, ...auth }));
    expect(detailed.date_range).toBe('2026-05-26 to 2026-06-01');
    expect(detailed.daily_breakdown.map((d) => d.count)).toEqual([0, 0, 0, 0, 0, 1, 1]);

    const charts = unwrap(await client.sales.charts({ query: { days: 10, platform_limit: 1 }, ...auth }));
    expect(charts.period).toEqual({ start_date: '2026-05-23', end_date: '2026-06-01', days: 10 });
    expect(charts.summary).toMatchObject({ total_period_leads: 4, finished: 1, conversion_rate_percent: 25 });
    expect(charts.trend).toHaveLength(10);
    expect(charts.platform_distribution).toEqual([{ key: 'telegram', label: 'Telegram', value: 3, percentage: 75 }]);
    expect(charts.customer_type_distribution).toEqual([
      { key: 'local', label: 'Local', value: 3, percentage: 75 },
      { key: 'international', label: 'International', value: 1, percentage: 25 },
    ]);
    expect(charts.status_distribution.find((d) => d.key === 'finished')).toMatchObject({ value: 1, percentage: 25 });
    const international = unwrap(await client.sales.international(auth));
    expect(international.map((c) => c.customer_type)).toEqual(['international']);
  });
});

describe('conversion and sales-manager activity, from the status history', () => {
  it('a customer that was ever in a won status counts as converted', async () => {
    const auth = await as(ceo);
    const won = add('2026-05-01T10:00:00Z');
    add('2026-05-02T10:00:00Z');
    const newest = add('2026-05-03T10:00:00Z');
    await client.crm.patch({ params: { id: won.id }, body: { status: 'project_started' }, ...auth });
    await client.crm.patch({ params: { id: won.id }, body: { status: 'rejected' }, ...auth });
    expect(unwrap(await client.crm.conversionRate(auth))).toEqual({
      total_customers: 3,
      project_started_count: 1,
      converted_count: 1,
      conversion_rate: 33.33,
      period: 'Last 100 customers',
    });
    await client.crm.patch({ params: { id: newest.id }, body: { status: 'finished' }, ...auth });
    expect(unwrap(await client.crm.conversionRate({ query: { limit: 2 }, ...auth }))).toMatchObject({
      total_customers: 2,
      project_started_count: 0,
      converted_count: 1,
      conversion_rate: 50,
    });
  });

  it('counts each change for the manager the customer had at that moment', async () => {
    const boss = await as(ceo);
    const s1 = await as(sales1);
    const s2 = await as(sales2);
    const lead = add('2026-05-20T10:00:00Z'); // auto-assigned: sales1 (id 2) first
    expect(lead.sales_manager?.id).toBe(2);
    await client.crm.patch({ params: { id: lead.id }, body: { status: 'contacted' }, ...s1 });
    await client.crm.assign({ body: { customer_id: lead.id, sales_manager_id: 3 }, ...boss });
    w.advance(24 * 3600 * 1000); // Tuesday
    await client.crm.patch({ params: { id: lead.id }, body: { status: 'project_started' }, ...s2 });

    const mine = unwrap(await client.crm.managerActivity({ query: { from_date: '2026-06-01' }, ...s1 }));
    expect(mine).toMatchObject({
      sales_manager: { id: 2 },
      period: { from_date: '2026-06-01', to_date: '2026-06-02', timezone: 'Asia/Tashkent' },
      summary: {
        assigned_customers: 0,
        changed_customers: 1,
        total_status_changes: 1,
        to_status_counts: { contacted: 1, project_started: 0 },
        conversion_to_project_started_percent: 0,
        won_rate_percent: 0,
      },
    });
    // The days with changes only.
    expect(mine.daily_stats.map((d) => [d.date, d.total_changes])).toEqual([['2026-06-01', 1]]);
    expect(mine.daily_stats[0]?.to_status_counts).toMatchObject({ contacted: 1, need_to_call: 0 });
    const theirs = unwrap(await client.crm.managerActivity({ query: { sales_manager_id: 3 }, ...boss }));
    expect(theirs.summary).toMatchObject({
      assigned_customers: 1,
      total_status_changes: 1,
      to_status_counts: { project_started: 1 },
      conversion_to_project_started_percent: 100,
      won_rate_percent: 100,
      finish_rate_percent: 0,
    });

    expect((await client.crm.managerActivity({ query: { sales_manager_id: 3 }, ...s1 })).status).toBe(403);
    const unnamed = await client.crm.managerActivity(boss);
    expect(unnamed).toMatchObject({ status: 422, body: { detail: [{ loc: ['query', 'sales_manager_id'] }] } });
    mocks.users.update(sales2.email, { is_active: false });
    expect(unwrap(await client.crm.managerActivity(boss)).sales_manager.id).toBe(2);
    expect((await client.crm.managerActivity({ query: { sales_manager_id: 1 }, ...boss })).status).toBe(404);
    const backwards = await client.crm.managerActivity({
      query: { from_date: '2026-06-02', to_date: '2026-06-01' },
      ...s1,
    });
    expect(backwards.status).toBe(422);
  });
});
