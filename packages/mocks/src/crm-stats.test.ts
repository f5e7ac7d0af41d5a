import { unwrap } from '@cims/sdk';
import { beforeEach, describe, expect, it } from 'vitest';
import type { MockCustomerInput } from './model/crm-model.js';
import { MOCK_USERS } from './state.js';
import { useTestWorld } from './test-world.js';

// The clock stands at Monday 2026-06-01 09:00 UTC, 14:00 in Tashkent (UTC+5, the default business time zone).
const w = useTestWorld({ scenario: 'empty-crm' });
const { client, mocks } = w;
const { ceo } = MOCK_USERS;

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
