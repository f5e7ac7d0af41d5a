import { describe, expect, it } from 'vitest';
import { migrations } from '../../src/db/migrations/index.js';
import { loadMigrator } from '../../src/db/orm.js';
import { crmTestApp, insertCustomer, signIn, sql } from './helpers.js';

/**
 * Issue 15, "A stored value must never break a list": a customer saved with `recall_time=9999-12-31T23:59:59Z` made
 * the dashboard, the latest customers, the period report, the filters and the customer's detail answer 500 for
 * everyone (in the business zone that instant is in the year 10000, which the response schema refuses).
 */
const LAST = '3000-01-01T04:59:59.999+05:00';
const FIRST = '1970-01-01T06:00:00.000+06:00';
/** Each value stored, and what is shown: the nearest end of the accepted range, in the business zone. */
const EXTREMES = [
  ['9999-12-31T23:59:59Z', LAST],
  ['infinity', LAST],
  ['-infinity', FIRST],
  ['294276-12-31 23:59:59+00', LAST],
  ['4713-01-01 00:00:00+00 BC', FIRST],
  ['0001-01-01 00:00:00+00', FIRST],
  ['0099-06-01 00:00:00+00', FIRST],
] as const;

/** The CHECK is what keeps such values out now; a database restored from before it can still hold them. */
const DROP_CHECK = 'alter table customer drop constraint customer_recall_time_range';

describe('regression: one customer with an extreme stored instant failed every list it was on', () => {
  it('the dashboard, latest, the period report, the filters and the detail answer, showing a timestamp the contract accepts', async () => {
    await using t = await crmTestApp();
    const ceo = await signIn(t);
    await sql(t, DROP_CHECK);
    const ids: number[] = [];
    for (const [stored] of EXTREMES) {
      const id = await insertCustomer(t, { platform: 'telegram', status: 'need_to_call' });
      await sql(t, 'update customer set recall_time = ?::timestamptz where id = ?', [stored, id]);
      ids.push(id);
    }
    // A row whose own timestamps are extreme too (restored or hand-edited data).
    const odd = await insertCustomer(t);
    await sql(
      t,
      `update customer set created_at = '-infinity', updated_at = 'infinity', archived_at = null,
         recall_time = '294276-01-01 00:00:00+00' where id = ?`,
      [odd],
    );

    // The SDK checks every response against the contract: a body the contract refuses fails here.
    const today = new Date().toISOString().slice(0, 10);
    const responses = {
      dashboard: await ceo.crm.dashboard({ query: { page: 1, page_size: 50 } }),
      latest: await ceo.crm.latest({ query: { limit: 50 } }),
      report: await ceo.crm.report({ query: { from_date: '1970-01-01', to_date: today } }),
      byDate: await ceo.crm.filterByDate({ query: { start_date: '1970-01-01', end_date: today } }),
      byStatus: await ceo.crm.filterByStatus({ query: { status_filter: 'need_to_call' } }),
      byPlatform: await ceo.crm.filterByPlatform({ query: { platform: 'telegram' } }),
    };
    for (const [name, res] of Object.entries(responses)) expect(res.status, name).toBe(200);

    const latest = responses.latest.status === 200 ? responses.latest.body : [];
    const shown = new Map(latest.map((c) => [c.id, c.recall_time]));
    EXTREMES.forEach(([stored, expected], index) => {
      expect(shown.get(ids[index] as number), stored).toBe(expected);
    });
    for (const [index, id] of ids.entries()) {
      const detail = await ceo.crm.detail({ params: { id } });
      expect(detail.status).toBe(200);
      if (detail.status === 200) expect(detail.body.recall_time).toBe(EXTREMES[index]?.[1]);
    }
    const oddDetail = await ceo.crm.detail({ params: { id: odd } });
    expect(oddDetail.status).toBe(200);
    if (oddDetail.status === 200) {
      expect(oddDetail.body.created_at).toBe(FIRST);
      expect(oddDetail.body.updated_at).toBe(LAST);
    }
  });

  it('a recall time at the edges of the accepted range is stored and shown in the business zone', async () => {
    await using t = await crmTestApp();
    const ceo = await signIn(t);
    const first = await insertCustomer(t);
    const last = await insertCustomer(t);
    await sql(t, `update customer set recall_time = '1970-01-01 00:00:00+00' where id = ?`, [first]);
    await sql(t, `update customer set recall_time = '2999-12-31 23:59:59.999+00' where id = ?`, [last]);
    const a = await ceo.crm.detail({ params: { id: first } });
    const b = await ceo.crm.detail({ params: { id: last } });
    expect(a.status === 200 && a.body.recall_time).toBe(FIRST);
    expect(b.status === 200 && b.body.recall_time).toBe(LAST);
  });

  it('the database refuses a recall time outside the range (CHECK customer_recall_time_range)', async () => {
    await using t = await crmTestApp();
    const id = await insertCustomer(t);
    for (const value of ['9999-12-31T23:59:59Z', '3000-01-01T00:00:00Z', '1969-12-31T23:59:59.999Z', 'infinity']) {
      await expect(
        sql(t, 'update customer set recall_time = ?::timestamptz where id = ?', [value, id]),
      ).rejects.toThrow(/customer_recall_time_range/);
    }
    await sql(t, 'update customer set recall_time = null where id = ?', [id]);
  });
});

describe('the migration that adds the CHECK', () => {
  it('clamps rows already out of range instead of failing, and leaves the others alone', async () => {
    await using t = await crmTestApp();
    const migrator = await loadMigrator(t.server.app.context.db.orm);
    // Back to just before the CHECK (and whatever came after it), then up again.
    const index = migrations.findIndex((migration) => migration.name === 'Migration20261206080000');
    expect(index).toBeGreaterThan(0);
    await migrator.down({ to: migrations[index - 1]?.name });
    const values = ['9999-12-31T23:59:59Z', 'infinity', '-infinity', '1900-01-01T00:00:00Z', '2026-12-06T08:00:00Z'];
    const ids: number[] = [];
    for (const value of values) {
      const id = await insertCustomer(t);
      await sql(t, 'update customer set recall_time = ?::timestamptz where id = ?', [value, id]);
      ids.push(id);
    }
    const untouched = await insertCustomer(t);
    await migrator.up();
    const rows = await sql(
      t,
      `select id, to_char(recall_time at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS') as at
      from customer where id = any(?::int[]) order by id`,
      [`{${[...ids, untouched].join(',')}}`],
    );
    expect(rows.map((row) => row.at)).toEqual([
      '2999-12-31T23:59:59.999',
      '2999-12-31T23:59:59.999',
      '1970-01-01T00:00:00.000',
      '1970-01-01T00:00:00.000',
      '2026-12-06T08:00:00.000',
      null,
    ]);
    await expect(sql(t, `update customer set recall_time = 'infinity' where id = ?`, [untouched])).rejects.toThrow(
      /customer_recall_time_range/,
    );
  });
});
