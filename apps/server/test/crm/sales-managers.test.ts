import { unwrap } from '@cims/sdk';
import { describe, expect, it } from 'vitest';
import { CEO, SALES } from '../auth/helpers.js';
import { archive, changeStatus, crmTestApp, insertCustomer, SALES2, signIn, sql, tashkent, userId } from './helpers.js';

const SECOND = 1000;
const HOUR = 3600 * SECOND;

describe('sales managers: load, customers and statistics', { timeout: 90_000 }, () => {
  it('lists active managers by name with their load (archived customers included)', async () => {
    await using t = await crmTestApp();
    const ceo = await signIn(t);
    const [s1, s2] = [await userId(t, SALES.email), await userId(t, SALES2.email)];
    await insertCustomer(t, { managerId: s1 });
    await insertCustomer(t, { managerId: s1, archivedAt: new Date() });
    await insertCustomer(t, { managerId: s2 });
    await insertCustomer(t);
    const managers = unwrap(await ceo.crm.salesManagers());
    // Demo names: Sardor (sales2) before Sevara (sales1).
    expect(managers).toEqual([
      { id: s2, email: SALES2.email, name: 'Sardor', surname: 'Sales', assigned_leads_count: 1 },
      { id: s1, email: SALES.email, name: 'Sevara', surname: 'Sales', assigned_leads_count: 2 },
    ]);
    await sql(t, 'update app_user set is_active = false where id = ?', [s2]);
    expect(unwrap(await ceo.crm.salesManagers()).map((m) => m.id)).toEqual([s1]);
  });

  it('a manager’s customers: newest assignment first, search / status / priority / include_archived, paged in SQL', async () => {
    await using t = await crmTestApp();
    const ceo = await signIn(t);
    const sales1 = await signIn(t, SALES);
    const s1 = await userId(t, SALES.email);
    const s2 = await userId(t, SALES2.email);
    const base = Date.now() - HOUR;
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(
        await insertCustomer(t, {
          name: `Lead ${i}`,
          username: i === 2 ? 'special_handle' : null,
          status: i % 2 === 0 ? 'contacted' : 'need_to_call',
          priority: i === 4 ? 'high' : null,
          createdAt: new Date(base + i * SECOND),
          managerId: s1,
        }),
      );
    }
    const archived = await insertCustomer(t, {
      name: 'Lead archived',
      managerId: s1,
      createdAt: new Date(base + 9 * SECOND),
    });
    await archive(t, archived);
    await insertCustomer(t, { name: 'Lead of another', managerId: s2 });

    const page1 = unwrap(await sales1.crm.myCustomers({ query: { page: 1, limit: 2 } }));
    expect(page1).toMatchObject({ total_count: 5, page: 1, limit: 2 });
    expect(page1.sales_manager).toEqual({ id: s1, email: SALES.email, name: 'Sevara', surname: 'Sales' });
    expect(page1.items.map((i) => i.id)).toEqual([ids[4], ids[3]]);
    expect(page1.items[0]).toMatchObject({
      status: 'contacted',
      status_name: 'contacted',
      priority_level: 'high',
      is_archived: false,
    });
    expect(page1.items[0]?.assigned_at).toMatch(/\+05:00$/);
    const page3 = unwrap(await sales1.crm.myCustomers({ query: { page: 3, limit: 2 } }));
    expect(page3.items.map((i) => i.id)).toEqual([ids[0]]);

    const withArchived = unwrap(
      await ceo.crm.managerCustomers({ params: { id: s1 }, query: { include_archived: true } }),
    );
    expect(withArchived.total_count).toBe(6);
    expect(withArchived.items[0]).toMatchObject({ id: archived, is_archived: true });

    const contacted = unwrap(await sales1.crm.managerCustomers({ params: { id: s1 }, query: { status: 'CONTACTED' } }));
    expect(contacted.items.map((i) => i.id)).toEqual([ids[4], ids[2], ids[0]]);
    const high = unwrap(await sales1.crm.myCustomers({ query: { priority_level: 'High' } }));
    expect(high.items.map((i) => i.id)).toEqual([ids[4]]);
    const searched = unwrap(await sales1.crm.myCustomers({ query: { search: 'SPECIAL_' } }));
    expect(searched.items.map((i) => i.id)).toEqual([ids[2]]);
    const byName = unwrap(await sales1.crm.myCustomers({ query: { search: 'lead 3' } }));
    expect(byName).toMatchObject({ total_count: 1, items: [{ id: ids[3] }] });
    expect(unwrap(await sales1.crm.myCustomers({ query: { search: 'nobody' } }))).toMatchObject({
      total_count: 0,
      items: [],
    });

    // Another manager's customers: 403 for a sales manager, fine for the CEO; not a manager: 404.
    expect((await sales1.crm.managerCustomers({ params: { id: s2 } })).status).toBe(403);
    expect((await sales1.crm.managerStats({ params: { id: s2 } })).status).toBe(403);
    expect(unwrap(await ceo.crm.managerCustomers({ params: { id: s2 } })).total_count).toBe(1);
    const ceoId = await userId(t, CEO.email);
    const notManager = await ceo.crm.managerCustomers({ params: { id: ceoId } });
    expect(notManager.status).toBe(404);
    expect((await ceo.crm.managerStats({ params: { id: 999_999 } })).status).toBe(404);
    expect((await ceo.crm.myCustomers()).status).toBe(403);
  });

  it('a manager’s stats: totals and status counts sorted by count then name, with include_archived', async () => {
    await using t = await crmTestApp();
    const sales1 = await signIn(t, SALES);
    const ceo = await signIn(t);
    const s1 = await userId(t, SALES.email);
    for (const status of ['contacted', 'need_to_call', 'need_to_call', 'finished', 'contacted']) {
      await insertCustomer(t, { status, managerId: s1 });
    }
    await insertCustomer(t, { status: 'rejected', managerId: s1, archivedAt: new Date() });
    await insertCustomer(t, { status: 'rejected', managerId: s1, archivedAt: new Date() });
    await insertCustomer(t, { status: 'rejected', managerId: s1, archivedAt: new Date() });
    await insertCustomer(t, { status: 'finished' });

    const own = unwrap(await sales1.crm.myStats({ query: { include_archived: false } }));
    expect(own.summary).toEqual({ total_assigned: 8, active_leads: 5, archived_leads: 3, counted_leads: 5 });
    expect(own.status_stats).toEqual([
      { status: 'contacted', count: 2 },
      { status: 'need_to_call', count: 2 },
      { status: 'finished', count: 1 },
    ]);
    const all = unwrap(await ceo.crm.managerStats({ params: { id: s1 }, query: { include_archived: true } }));
    expect(all.summary).toEqual({ total_assigned: 8, active_leads: 5, archived_leads: 3, counted_leads: 8 });
    expect(all.status_stats[0]).toEqual({ status: 'rejected', count: 3 });
    expect(all.sales_manager.id).toBe(s1);
  });
});

describe('assignment', { timeout: 90_000 }, () => {
  it('the CEO assigns and reassigns (one row, audited); 404 for a non-manager target or an unknown customer; 403 for others', async () => {
    await using t = await crmTestApp();
    const ceo = await signIn(t);
    const sales1 = await signIn(t, SALES);
    const [s1, s2, ceoId] = [await userId(t, SALES.email), await userId(t, SALES2.email), await userId(t, CEO.email)];
    const customer = await insertCustomer(t);

    expect((await ceo.crm.customerManager({ params: { id: customer } })).status).toBe(404);
    const first = unwrap(await ceo.crm.assign({ body: { customer_id: customer, sales_manager_id: s1 } }));
    expect(first).toMatchObject({ customer_id: customer, sales_manager_id: s1, assigned_by: ceoId, is_active: true });
    expect(first.assigned_at).toMatch(/\+05:00$/);
    expect(unwrap(await ceo.crm.customerManager({ params: { id: customer } }))).toMatchObject({
      assignment_id: first.id,
      customer_id: customer,
      sales_manager: { id: s1, email: SALES.email, name: 'Sevara', surname: 'Sales' },
      assigned_by: ceoId,
    });

    // Archived customers may be assigned too; the row is replaced in place.
    await archive(t, customer);
    const second = unwrap(await ceo.crm.assign({ body: { customer_id: customer, sales_manager_id: s2 } }));
    expect(second).toMatchObject({ id: first.id, sales_manager_id: s2 });
    const rows = await sql(t, 'select sales_manager_id from sales_manager_assignment where customer_id = ?', [
      customer,
    ]);
    expect(rows.map((r) => Number(r.sales_manager_id))).toEqual([s2]);
    const audit = await sql(
      t,
      `select action, actor_user_id from audit_log where entity_type = 'customer' and entity_id = ?
         and action in ('assign', 'reassign') order by id`,
      [String(customer)],
    );
    expect(audit.map((a) => a.action)).toEqual(['assign', 'reassign']);
    expect(audit.every((a) => Number(a.actor_user_id) === ceoId)).toBe(true);

    // Only the CEO assigns, even a sales manager to themself.
    const bySales = await sales1.crm.assign({ body: { customer_id: customer, sales_manager_id: s1 } });
    expect(bySales.status).toBe(403);
    const notManager = await ceo.crm.assign({ body: { customer_id: customer, sales_manager_id: ceoId } });
    expect(notManager.status).toBe(404);
    expect((await ceo.crm.assign({ body: { customer_id: 999_999, sales_manager_id: s2 } })).status).toBe(404);
    await sql(t, 'update app_user set is_active = false where id = ?', [s1]);
    expect((await ceo.crm.assign({ body: { customer_id: customer, sales_manager_id: s1 } })).status).toBe(404);
    expect(unwrap(await ceo.crm.customerManager({ params: { id: customer } })).sales_manager.id).toBe(s2);
    // The customer is archived: only the CEO sees whom it is assigned to.
    const sales2 = await signIn(t, SALES2);
    expect((await sales2.crm.customerManager({ params: { id: customer } })).status).toBe(404);
  });
});

describe('GET /crm/conversion-rate', { timeout: 90_000 }, () => {
  it('counts customers that have ever been in a won status, from the history; zeros when there are none', async () => {
    await using t = await crmTestApp();
    const ceo = await signIn(t);
    expect(unwrap(await ceo.crm.conversionRate())).toEqual({
      total_customers: 0,
      project_started_count: 0,
      converted_count: 0,
      conversion_rate: 0,
      period: 'Last 100 customers',
    });
    const base = Date.now() - HOUR;
    const at = (i: number) => new Date(base + i * SECOND);
    const movedOn = await insertCustomer(t, { status: 'contacted', createdAt: at(1) });
    await changeStatus(t, movedOn, 'project_started', at(2));
    await changeStatus(t, movedOn, 'rejected', at(3));
    await insertCustomer(t, { status: 'finished', createdAt: at(4) });
    await insertCustomer(t, { status: 'need_to_call', createdAt: at(5) });
    const archived = await insertCustomer(t, { status: 'project_started', createdAt: at(6) });
    await archive(t, archived);

    expect(unwrap(await ceo.crm.conversionRate())).toEqual({
      total_customers: 3,
      project_started_count: 1,
      converted_count: 2,
      conversion_rate: 66.67,
      period: 'Last 100 customers',
    });
    // The newest two: need_to_call and finished.
    expect(unwrap(await ceo.crm.conversionRate({ query: { limit: 2 } }))).toMatchObject({
      total_customers: 2,
      project_started_count: 0,
      converted_count: 1,
      conversion_rate: 50,
    });
    // Through the API: created in `contacted`, moved to project_started then rejected, it still counts.
    const created = unwrap(
      await ceo.crm.create({
        body: { full_name: 'Api Convert', platform: 'website', phone_number: '+998 90 123 45 67', status: 'contacted' },
      }),
    );
    unwrap(await ceo.crm.patch({ params: { id: created.id }, body: { status: 'project_started' } }));
    unwrap(await ceo.crm.patch({ params: { id: created.id }, body: { status: 'rejected' } }));
    expect(unwrap(await ceo.crm.conversionRate({ query: { limit: 1 } }))).toMatchObject({
      total_customers: 1,
      project_started_count: 1,
      converted_count: 1,
      conversion_rate: 100,
    });
  });
});

describe('GET /crm/sales-manager/stats (activity)', { timeout: 90_000 }, () => {
  it('counts status changes per day on the manager’s customers at the time of each change', async () => {
    await using t = await crmTestApp();
    const ceo = await signIn(t);
    const sales1 = await signIn(t, SALES);
    const [s1, s2] = [await userId(t, SALES.email), await userId(t, SALES2.email)];
    const today = tashkent.today();
    const yesterday = tashkent.addDays(today, -1);
    const startToday = tashkent.start(today).getTime();
    const a = await insertCustomer(t, { managerId: s1, createdAt: new Date(startToday - 3 * HOUR) });
    const b = await insertCustomer(t, { managerId: s1, createdAt: new Date(startToday - 3 * HOUR) });
    const other = await insertCustomer(t, { managerId: s2, createdAt: new Date(startToday - 3 * HOUR) });
    // Yesterday (23:00 in Tashkent, 18:00 UTC) and today (00:00:01 in Tashkent, still yesterday in UTC).
    await changeStatus(t, a, 'contacted', new Date(startToday - HOUR));
    await changeStatus(t, a, 'project_started', new Date(startToday + SECOND));
    await changeStatus(t, b, 'finished', new Date(startToday + 2 * SECOND));
    await changeStatus(t, other, 'contacted', new Date(startToday + 3 * SECOND));
    // A change made before the customer moved to s1 counts for the manager of that moment.
    const moved = await insertCustomer(t, { managerId: s2, createdAt: new Date(startToday - 3 * HOUR) });
    await changeStatus(t, moved, 'contacted', new Date(startToday + 4 * SECOND));
    await sql(t, 'update sales_manager_assignment set sales_manager_id = ? where customer_id = ?', [s1, moved]);
    await changeStatus(t, moved, 'rejected', new Date(startToday + 5 * SECOND));

    const own = unwrap(await sales1.crm.managerActivity({ query: { from_date: yesterday, to_date: today } }));
    expect(own.sales_manager.id).toBe(s1);
    expect(own.period).toEqual({ from_date: yesterday, to_date: today, timezone: 'Asia/Tashkent' });
    expect(own.summary).toMatchObject({
      assigned_customers: 3,
      changed_customers: 3,
      total_status_changes: 4,
      conversion_to_project_started_percent: 25,
      won_rate_percent: 50,
      finish_rate_percent: 25,
    });
    expect(own.summary.to_status_counts).toMatchObject({
      contacted: 1,
      project_started: 1,
      finished: 1,
      rejected: 1,
      need_to_call: 0,
    });
    expect(own.daily_stats.map((d) => [d.date, d.total_changes])).toEqual([
      [yesterday, 1],
      [today, 3],
    ]);
    expect(own.daily_stats[1]?.to_status_counts).toMatchObject({ project_started: 1, finished: 1, rejected: 1 });

    // Default period: today.
    const todayOnly = unwrap(await sales1.crm.managerActivity());
    expect(todayOnly.summary.total_status_changes).toBe(3);
    expect(todayOnly.period.from_date).toBe(today);

    // The CEO names a manager; without one: 422 while there are several, the only one otherwise, 404 with none.
    const forS2 = unwrap(await ceo.crm.managerActivity({ query: { sales_manager_id: s2, from_date: yesterday } }));
    expect(forS2.summary).toMatchObject({ total_status_changes: 2, assigned_customers: 1, changed_customers: 2 });
    const several = await ceo.crm.managerActivity();
    expect(several.status).toBe(422);
    expect(several.body).toMatchObject({ code: 'VALIDATION_FAILED', detail: [{ loc: ['query', 'sales_manager_id'] }] });
    expect((await sales1.crm.managerActivity({ query: { sales_manager_id: s2 } })).status).toBe(403);
    const reversed = await sales1.crm.managerActivity({ query: { from_date: today, to_date: yesterday } });
    expect(reversed.status).toBe(422);

    await sql(t, 'update app_user set is_active = false where id = ?', [s2]);
    expect(unwrap(await ceo.crm.managerActivity()).sales_manager.id).toBe(s1);
    expect((await ceo.crm.managerActivity({ query: { sales_manager_id: s2 } })).status).toBe(404);
    await sql(t, 'update app_user set is_active = false where id = ?', [s1]);
    expect((await ceo.crm.managerActivity()).status).toBe(404);
  });
});
