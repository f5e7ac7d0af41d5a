import { unwrap } from '@cims/sdk';
import { describe, expect, it } from 'vitest';
import { applyBusinessTimeZone } from '../../src/modules/crm/crm-settings.js';
import type { SeedCustomerValues } from '../../src/modules/crm/customer-create.js';
import { seedDemoCustomers } from '../../src/modules/crm/demo-customers.js';
import { createTestApp, type TestApp } from '../harness.js';
import { CEO, signIn, sql } from './write-helpers.js';

const info = { ip: null, userAgent: null, requestId: null };

async function dailyCounts(t: TestApp) {
  const rows = await sql(
    t,
    `select to_char(day, 'YYYY-MM-DD') as day, status, archived, n from customer_daily_count
    where n <> 0 order by day, status`,
  );
  return rows.map((row) => [row.day, row.status, row.archived, Number(row.n)]);
}

describe('CRM start-up', () => {
  it('writes BUSINESS_TIMEZONE and rebuilds the daily counts in the new zone’s days when it changed', async () => {
    await using t = await createTestApp();
    const { orm } = t.server.app.context.db;
    const { customers } = t.server.app.context;
    const [settings] = await sql(t, 'select business_timezone from crm_settings where id = 1');
    expect(settings?.business_timezone).toBe('Asia/Tashkent');
    const values: SeedCustomerValues = {
      full_name: 'Night owl',
      platform: 'website',
      phone_number: '+998901234567',
      status: 'contacted',
      username: null,
      assistant_name: null,
      notes: null,
      chat_url: null,
      customer_type: null,
      conversation_language: 'uz',
      recall_time: null,
    };
    // 02:00 UTC: 07:00 in Tashkent on the 10th, 21:00 in New York on the 9th.
    const at = new Date('2026-01-10T02:00:00Z');
    await customers.createWith(values, { createdBy: null, source: 'ui', autoAssign: false, at }, info);
    await customers.createWith(
      values,
      { createdBy: null, source: 'ui', autoAssign: false, at: new Date('2026-01-10T12:00:00Z') },
      info,
    );
    expect(await dailyCounts(t)).toEqual([['2026-01-10', 'contacted', false, 2]]);

    expect(await applyBusinessTimeZone(orm, 'Asia/Tashkent')).toBe(false);
    expect(await applyBusinessTimeZone(orm, 'America/New_York')).toBe(true);
    expect(await dailyCounts(t)).toEqual([
      ['2026-01-09', 'contacted', false, 1],
      ['2026-01-10', 'contacted', false, 1],
    ]);
    // The trigger now counts in the new zone.
    await customers.createWith(values, { createdBy: null, source: 'ui', autoAssign: false, at }, info);
    expect(await dailyCounts(t)).toEqual([
      ['2026-01-09', 'contacted', false, 2],
      ['2026-01-10', 'contacted', false, 1],
    ]);
    expect(await applyBusinessTimeZone(orm, 'America/New_York')).toBe(false);
    expect(await applyBusinessTimeZone(orm, 'Asia/Tashkent')).toBe(true);
    expect(await dailyCounts(t)).toEqual([['2026-01-10', 'contacted', false, 3]]);
  });

  it('seeds about thirty demo customers over 60 days, across statuses and platforms, assigned in turn', async () => {
    await using t = await createTestApp();
    const { orm } = t.server.app.context.db;
    // Test worlds start with an empty CRM; `pnpm start` seeds it with the demo users.
    expect(await sql(t, 'select id from customer')).toEqual([]);
    const now = Date.now();
    expect(await seedDemoCustomers(orm, t.server.app.context.customers, { now })).toBe(30);

    const customers = await sql(t, 'select id, status, platform, created_at from customer order by id');
    expect(customers).toHaveLength(30);
    const ages = customers.map((c) => (now - new Date(String(c.created_at)).getTime()) / 86_400_000);
    expect(Math.min(...ages)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...ages)).toBeLessThan(61);
    expect(new Set(customers.map((c) => c.status)).size).toBe(6);
    expect(new Set(customers.map((c) => c.platform)).size).toBeGreaterThanOrEqual(6);

    const loads = await sql(t, 'select sales_manager_id, count(*) as n from sales_manager_assignment group by 1');
    expect(loads.map((l) => Number(l.n))).toEqual([15, 15]);
    // The history ends in each customer's status, and starts with the first one.
    const last = await sql(
      t,
      `select distinct on (customer_id) customer_id, to_status from customer_status_change order by customer_id, changed_at desc, id desc`,
    );
    expect(new Map(last.map((h) => [h.customer_id, h.to_status]))).toEqual(
      new Map(customers.map((c) => [c.id, c.status])),
    );
    // The statistics tables agree with the rows.
    const [total] = await sql(t, 'select sum(n) as n from customer_daily_count');
    expect(Number(total?.n)).toBe(30);
    const ceo = await signIn(t, CEO);
    const stats = unwrap(await ceo.crm.stats());
    expect(stats.total_customers).toBe(30);
    const notes = await sql(t, 'select count(*) as n from customer_note');
    expect(Number(notes[0]?.n)).toBeGreaterThan(10);
  });
});
