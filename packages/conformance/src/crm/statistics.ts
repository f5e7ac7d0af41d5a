import { unwrap } from '@cims/sdk';
import { expect, it } from 'vitest';
import { actors, businessDay, createCustomer, meId, newUser } from '../crm-kit.js';
import type { Target, withWorld as WithWorld } from '../suite-kit.js';

/** The CRM statistics: the counts, the dashboard, the charts and the reports. */
export function crmStatisticsSuite(target: Target, withWorld: typeof WithWorld): void {
  withWorld(target, 'CRM: statistics', (world) => {
    const as = actors(world);

    it('/crm/stats, the dashboard and the period counts grow by one with a new customer', async () => {
      const ceo = await as.ceo();
      const stats = unwrap(await ceo.crm.stats());
      const dashboard = unwrap(await ceo.crm.dashboard({ query: { show_all: true } }));
      const period = unwrap(await ceo.crm.periodStats());
      const summary = unwrap(await ceo.crm.statsSummary());
      const sales = unwrap(await ceo.sales.stats());

      await createCustomer(ceo, { status: 'need_to_call' });

      const stats2 = unwrap(await ceo.crm.stats());
      expect(stats2.total_customers).toBe(stats.total_customers + 1);
      expect(stats2.need_to_call).toBe(stats.need_to_call + 1);
      expect(stats2.status_dict.need_to_call).toBe((stats.status_dict.need_to_call ?? 0) + 1);
      expect(stats2.contacted).toBe(stats.contacted);
      const dashboard2 = unwrap(await ceo.crm.dashboard({ query: { show_all: true } }));
      expect(dashboard2.total_items).toBe(dashboard.total_items + 1);
      expect(dashboard2.status_stats.total_customers).toBe(dashboard.status_stats.total_customers + 1);
      expect(dashboard2.status_stats.need_to_call).toBe(dashboard.status_stats.need_to_call + 1);
      const period2 = unwrap(await ceo.crm.periodStats());
      expect(period2.period_stats.today).toBe(period.period_stats.today + 1);
      expect(period2.period_stats.this_month).toBe(period.period_stats.this_month + 1);
      const summary2 = unwrap(await ceo.crm.statsSummary());
      expect(summary2.today.total_customers).toBe(summary.today.total_customers + 1);
      expect(summary2.last_7_days.total_customers).toBe(summary.last_7_days.total_customers + 1);
      const sales2 = unwrap(await ceo.sales.stats());
      expect(sales2.today).toBe(sales.today + 1);
      expect(sales2.this_week).toBe(sales.this_week + 1);
    });

    it('archived customers leave the statistics', async () => {
      const ceo = await as.ceo();
      const customer = await createCustomer(ceo);
      const stats = unwrap(await ceo.crm.stats());
      unwrap(await ceo.crm.archive({ params: { id: customer.id } }));
      expect(unwrap(await ceo.crm.stats()).total_customers).toBe(stats.total_customers - 1);
    });

    it('the charts trend and the detailed breakdown have exactly `days` entries', async () => {
      const ceo = await as.ceo();
      await createCustomer(ceo);
      for (const days of [7, 30]) {
        const charts = unwrap(await ceo.sales.charts({ query: { days } }));
        expect(charts.trend).toHaveLength(days);
        expect(charts.period.days).toBe(days);
        expect(charts.trend.reduce((sum, d) => sum + d.count, 0)).toBe(charts.summary.total_period_leads);
        expect(charts.summary.total_period_leads).toBeGreaterThanOrEqual(1);
        const detailed = unwrap(await ceo.sales.detailed({ query: { days } }));
        expect(detailed.daily_breakdown).toHaveLength(days);
      }
    });

    it('the 1-day report contains a customer created now', async () => {
      const ceo = await as.ceo();
      const customer = await createCustomer(ceo);
      const report = unwrap(await ceo.crm.report({ query: { period: '1d', search: customer.full_name } }));
      expect(report.customers.map((c) => c.id)).toEqual([customer.id]);
      expect(report.total_customers).toBe(1);
      expect(report.from_date).toBe(report.to_date);
      const week = unwrap(await ceo.crm.report({ query: { period: '7d', search: customer.full_name } }));
      expect(week.customers.map((c) => c.id)).toEqual([customer.id]);
      const bad = await ceo.crm.report({ query: { from_date: businessDay() } });
      expect(bad.status).toBe(422);
    });

    it('conversion counts a customer that has ever been in a won status', async () => {
      const ceo = await as.ceo();
      const rate = unwrap(await ceo.crm.conversionRate());
      expect(rate).toMatchObject({
        total_customers: expect.any(Number),
        converted_count: expect.any(Number),
        project_started_count: expect.any(Number),
        conversion_rate: expect.any(Number),
        period: expect.any(String),
      });
      // The newest customer alone (limit=1) is the one created here.
      const customer = await createCustomer(ceo, { status: 'contacted' });
      expect(unwrap(await ceo.crm.conversionRate({ query: { limit: 1 } }))).toMatchObject({
        total_customers: 1,
        converted_count: 0,
        conversion_rate: 0,
      });
      unwrap(await ceo.crm.patch({ params: { id: customer.id }, body: { status: 'project_started' } }));
      unwrap(await ceo.crm.patch({ params: { id: customer.id }, body: { status: 'rejected' } }));
      expect(unwrap(await ceo.crm.conversionRate({ query: { limit: 1 } }))).toMatchObject({
        total_customers: 1,
        converted_count: 1,
        project_started_count: 1,
        conversion_rate: 100,
      });
    });

    it('manager activity counts each status change for the manager the customer had at that moment', async () => {
      const ceo = await as.ceo();
      // Created before the managers exist, so its first status is none of theirs.
      const customer = await createCustomer(ceo);
      const a = await newUser(world(), ceo, { role: 'Sales Manager', pages: ['crm'] });
      const b = await newUser(world(), ceo, { role: 'Sales Manager', pages: ['crm'] });
      unwrap(await ceo.crm.assign({ body: { customer_id: customer.id, sales_manager_id: a.id } }));
      unwrap(await a.client.crm.patch({ params: { id: customer.id }, body: { status: 'contacted' } }));
      unwrap(await ceo.crm.assign({ body: { customer_id: customer.id, sales_manager_id: b.id } }));
      unwrap(await b.client.crm.patch({ params: { id: customer.id }, body: { status: 'project_started' } }));
      const today = businessDay();
      const mine = unwrap(await a.client.crm.managerActivity({ query: { from_date: today } }));
      expect(mine).toMatchObject({
        sales_manager: { id: a.id },
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
      expect(mine.daily_stats.map((day) => [day.date, day.total_changes])).toEqual([[today, 1]]);
      const theirs = unwrap(await ceo.crm.managerActivity({ query: { sales_manager_id: b.id } }));
      expect(theirs.summary).toMatchObject({
        assigned_customers: 1,
        total_status_changes: 1,
        to_status_counts: { project_started: 1 },
        conversion_to_project_started_percent: 100,
        won_rate_percent: 100,
        finish_rate_percent: 0,
      });
      expect(await a.client.crm.managerActivity({ query: { sales_manager_id: b.id } })).toMatchObject({
        status: 403,
        body: { detail: 'Only the CEO can see another sales manager’s data', code: 'FORBIDDEN' },
      });
      // The CEO names one of several managers; an id that is no active sales manager is a 404.
      expect(await ceo.crm.managerActivity()).toMatchObject({
        status: 422,
        body: {
          detail: [
            {
              loc: ['query', 'sales_manager_id'],
              msg: 'Several sales managers exist, send sales_manager_id',
              type: 'missing',
            },
          ],
        },
      });
      expect(await ceo.crm.managerActivity({ query: { sales_manager_id: await meId(ceo) } })).toMatchObject({
        status: 404,
        body: { detail: 'No active sales manager with this id', code: 'NOT_FOUND' },
      });
      const backwards = await a.client.crm.managerActivity({ query: { from_date: businessDay(1), to_date: today } });
      expect(backwards.status).toBe(422);
    });
  });
}
