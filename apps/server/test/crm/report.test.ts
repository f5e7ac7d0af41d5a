import { REPORT_PAGE_SIZE } from '@cims/contracts';
import { unwrap } from '@cims/sdk';
import { describe, expect, it } from 'vitest';
import { asInt } from '../../src/db/sql.js';
import type { TestApp } from '../harness.js';
import { crmTestApp, signIn, sql, tashkent } from './helpers.js';

/**
 * More customers than the old default page (200) and than two of the server's batches (1,000 each), so that the
 * unpaged report crosses batch boundaries.
 */
const MANY = 2_345;

/**
 * Inserts `n` customers set-based, all created today between 00:00 and 00:01 (Tashkent): groups of three share one
 * `created_at` (the list's order falls back to the id) and neighbouring groups are 1 µs apart (a key rounded to the
 * millisecond would skip or repeat customers at a batch boundary). Every other one is `contacted` and named "Even".
 */
async function insertMany(t: TestApp, n: number): Promise<void> {
  await sql(
    t,
    `insert into customer (full_name, platform, phone_number, status, conversation_language, source, created_at,
       updated_at)
     select case when i % 2 = 0 then 'Even ' else 'Odd ' end || i, 'telegram', '+99890' || lpad(cast(i as text), 7, '0'),
            case when i % 2 = 0 then 'contacted' else 'need_to_call' end, 'uz', 'ui', at, at
       from generate_series(1, cast(? as integer)) as i
      cross join lateral (select cast(? as timestamptz) + make_interval(secs => (i / 3) / 1000000.0) as at) x`,
    [n, tashkent.start(tashkent.today()).toISOString()],
  );
}

/** The ids the report must list, newest first, straight from the table. */
async function expectedIds(t: TestApp, where = 'true'): Promise<number[]> {
  const rows = await sql(
    t,
    `select id from customer where archived_at is null and ${where} order by created_at desc, id desc`,
  );
  return rows.map((row) => asInt(row.id));
}

describe('GET /crm/customers/report/period without page and page_size', { timeout: 120_000 }, () => {
  it('regression: lists every customer of the period, not the first 200 (the legacy client never pages)', async () => {
    await using t = await crmTestApp();
    const ceo = await signIn(t);
    await insertMany(t, MANY);
    // Outside the report: archived today, and created before the period.
    await sql(t, `update customer set archived_at = now() where id in (select id from customer order by id limit 5)`);
    await sql(
      t,
      `insert into customer (full_name, platform, phone_number, status, conversation_language, source, created_at,
         updated_at) values ('Too old', 'telegram', '+998901111111', 'contacted', 'uz', 'ui', ?, ?)`,
      [tashkent.start(tashkent.addDays(tashkent.today(), -7)).toISOString(), new Date().toISOString()],
    );
    const all = await expectedIds(t, `full_name <> 'Too old'`);
    expect(all).toHaveLength(MANY - 5);

    const report = unwrap(await ceo.crm.report({ query: { period: '7d' } }));
    expect(report.customers.map((c) => c.id)).toEqual(all);
    expect(report).toMatchObject({
      period: '7d',
      total_customers: MANY - 5,
      page: 1,
      page_size: MANY - 5,
      total_pages: 1,
    });
    const even = report.customers.filter((c) => c.status === 'contacted').length;
    expect(report.status_dict).toMatchObject({ contacted: even, need_to_call: MANY - 5 - even, rejected: 0 });
    expect(report.status_stats).toMatchObject({ contacted: even, need_to_call: MANY - 5 - even });

    // A search, across the batches too.
    const evens = unwrap(await ceo.crm.report({ query: { period: '1d', search: 'even' } }));
    expect(evens.customers.map((c) => c.id)).toEqual(
      await expectedIds(t, `status = 'contacted' and full_name <> 'Too old'`),
    );
    expect(evens).toMatchObject({ total_customers: even, page_size: even, status_dict: { contacted: even } });
  });

  it('page and page_size still page exactly as before; either alone pages with the other’s default', async () => {
    await using t = await crmTestApp();
    const ceo = await signIn(t);
    await insertMany(t, 1_203);
    const all = await expectedIds(t);

    const third = unwrap(await ceo.crm.report({ query: { period: '7d', page: 3, page_size: 500 } }));
    expect(third.customers.map((c) => c.id)).toEqual(all.slice(1_000));
    expect(third).toMatchObject({ total_customers: 1_203, page: 3, page_size: 500, total_pages: 3 });
    const second = unwrap(await ceo.crm.report({ query: { period: '7d', page: 2 } }));
    expect(second.customers.map((c) => c.id)).toEqual(all.slice(REPORT_PAGE_SIZE, 2 * REPORT_PAGE_SIZE));
    expect(second).toMatchObject({ page: 2, page_size: REPORT_PAGE_SIZE, total_pages: 7 });
    const first = unwrap(await ceo.crm.report({ query: { period: '7d', page_size: 3 } }));
    expect(first.customers.map((c) => c.id)).toEqual(all.slice(0, 3));
    expect(first).toMatchObject({ page: 1, page_size: 3, total_pages: 401 });
    expect((await ceo.crm.report({ query: { period: '7d', page_size: 501 } })).status).toBe(422);
  });

  it('an empty period is an empty list on page 1 of 0', async () => {
    await using t = await crmTestApp();
    const ceo = await signIn(t);
    const res = await fetch(`${t.url}/crm/customers/report/period?period=1d`, {
      headers: { authorization: `Bearer ${await ceo.getAccessToken()}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.json()).toMatchObject({
      period: '1d',
      customers: [],
      total_customers: 0,
      page: 1,
      page_size: 0,
      total_pages: 0,
      status_dict: { need_to_call: 0 },
      status_percentages: { need_to_call: 0 },
    });
  });

  it('a customer the contract cannot show, after the first batch, cuts the answer instead of ending it', async () => {
    await using t = await crmTestApp();
    const ceo = await signIn(t);
    await insertMany(t, 1_500);
    // The oldest customer (in the second batch) holds a score the contract does not allow (0 to 100).
    await sql(t, 'update customer set importance_score = 1000 where id = (select min(id) from customer)');
    const res = await fetch(`${t.url}/crm/customers/report/period?period=1d`, {
      headers: { authorization: `Bearer ${await ceo.getAccessToken()}` },
    });
    expect(res.status).toBe(200);
    // The body ends early: never a complete-looking answer without that customer.
    await expect(res.text().then((text) => JSON.parse(text))).rejects.toThrow();
    // The server goes on serving, also the same report once the customer is fixed.
    await sql(t, 'update customer set importance_score = 100 where importance_score = 1000');
    expect(unwrap(await ceo.crm.report({ query: { period: '1d' } })).customers).toHaveLength(1_500);
  });
});
