import { type CustomerForm, PLATFORMS } from '@cims/contracts';
import { unwrap } from '@cims/sdk';
import { describe, expect, it } from 'vitest';
import { MOCK_USERS } from './state.js';
import { T0, useTestWorld } from './test-world.js';

const w = useTestWorld();
const { client, mocks } = w;
const { ceo, sales1, sales2 } = MOCK_USERS;

/** Call arguments signed in as a user. */
async function as(user: { email: string; password: string }) {
  const { access_token } = await w.login(user.email, user.password);
  return w.bearer(access_token);
}

const lead = (fields: Partial<CustomerForm> = {}): CustomerForm => ({
  full_name: 'Test Lead',
  platform: 'telegram',
  phone_number: '+998901234567',
  status: 'need_to_call',
  ...fields,
});

type Auth = Awaited<ReturnType<typeof as>>;

async function create(auth: Auth, fields: Partial<CustomerForm> = {}) {
  return unwrap(await client.crm.create({ body: lead(fields), ...auth }));
}

const SEEDED = 40;
const SEEDED_ARCHIVED = 3;

describe('the seeded CRM', () => {
  it('has 40 customers over the last 90 days: every status and platform, both types, notes, 3 archived', async () => {
    const all = mocks.crm.customers();
    expect(all).toHaveLength(SEEDED);
    expect(all.filter((c) => c.is_archived)).toHaveLength(SEEDED_ARCHIVED);
    expect(new Set(all.map((c) => c.status))).toEqual(
      new Set(['need_to_call', 'contacted', 'project_started', 'continuing', 'finished', 'rejected']),
    );
    expect(new Set(all.map((c) => c.platform))).toEqual(new Set(PLATFORMS));
    expect(new Set(all.map((c) => c.customer_type))).toEqual(new Set(['local', 'international', null]));
    expect(all.filter((c) => c.aisummary !== null).length).toBeGreaterThan(10);
    expect(all.filter((c) => c.audio_url !== null)).toHaveLength(2);
    const oldest = Date.parse(all.at(-1)?.created_at ?? '');
    expect(T0 - oldest).toBeLessThan(90 * 24 * 3600 * 1000);
    expect(all.every((c) => Date.parse(c.created_at) <= T0)).toBe(true);
    expect(all.every((c) => /^\+\d{10,15}$/.test(c.phone_number))).toBe(true);
    expect(all[0]?.created_at).toMatch(/\+05:00$/);

    const auth = await as(ceo);
    const dashboard = unwrap(await client.crm.dashboard({ query: { show_all: true }, ...auth }));
    expect(dashboard.total_items).toBe(SEEDED - SEEDED_ARCHIVED);
    expect(dashboard.period_stats.today).toBeGreaterThan(0);
    expect(unwrap(await client.crm.archived(auth))).toHaveLength(SEEDED_ARCHIVED);
    const managers = unwrap(await client.crm.salesManagers(auth));
    // By name: Sardor (sales2), then Sevara (sales1).
    expect(managers.map((m) => [m.email, m.assigned_leads_count])).toEqual([
      [sales2.email, 20],
      [sales1.email, 20],
    ]);
    const detail = unwrap(await client.crm.detail({ params: { id: 1 }, ...auth }));
    expect(detail.additional_notes.map((n) => n.created_by_full_name)).toEqual(['Sevara Sales', 'Demo CEO']);
    expect(detail.industry).toBe('healthcare');
  });

  it('is the same after reset() at the same time, and moves with the clock', async () => {
    const before = mocks.crm.customers();
    await create(await as(ceo), { status: 'contacted' });
    mocks.reset();
    expect(mocks.crm.customers()).toEqual(before);
    w.advance(24 * 3600 * 1000);
    mocks.reset();
    const oldest = (list: typeof before) => Date.parse(list.at(-1)?.created_at ?? '');
    expect(oldest(mocks.crm.customers()) - oldest(before)).toBe(24 * 3600 * 1000);
  });

  it('empty-crm: no customers, the statuses stay, and new customers work', async () => {
    mocks.useScenario('empty-crm');
    expect(mocks.state.crm.customers.size).toBe(0);
    const auth = await as(ceo);
    const dashboard = unwrap(await client.crm.dashboard(auth));
    expect(dashboard).toMatchObject({ customers: [], total_items: 0, total_pages: 0 });
    expect(dashboard.status_choices).toHaveLength(6);
    expect(unwrap(await client.crm.stats(auth)).status_percentages.contacted).toBe(0);
    const { id } = await create(auth);
    expect(unwrap(await client.crm.latest(auth)).map((c) => c.id)).toEqual([id]);
    mocks.useScenario('healthy');
    expect(mocks.state.crm.customers.size).toBe(1);
    mocks.reset();
    expect(mocks.state.crm.customers.size).toBe(SEEDED);
  });

  it('no-sales-managers: new customers stay unassigned, the list is empty, assigning is 404', async () => {
    mocks.useScenario('no-sales-managers');
    const auth = await as(ceo);
    expect(await create(auth)).toMatchObject({ sales_manager_id: null });
    expect(unwrap(await client.crm.salesManagers(auth))).toEqual([]);
    const assign = await client.crm.assign({ body: { customer_id: 1, sales_manager_id: 2 }, ...auth });
    expect(assign).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
  });
});

describe('customers', () => {
  it('a new customer shows up in the dashboard, the lists, the history and the statistics', async () => {
    const boss = await as(ceo);
    const sales = await as(sales1);
    const statsBefore = unwrap(await client.crm.stats(boss));
    const periodBefore = unwrap(await client.crm.periodStats(boss)).period_stats;
    const summaryBefore = unwrap(await client.crm.statsSummary(boss));
    const salesBefore = unwrap(await client.sales.stats({ query: { customer_type: 'local' }, ...boss }));

    const created = await client.crm.create({
      body: lead({
        full_name: '  Nigora Azimova ',
        platform: 'Telegram Bot',
        phone_number: '90 765 43 21',
        status: undefined,
        customer_status: 'Need_To_Call',
        customer_type: 'LOCAL',
        conversation_language: 'RU',
        username: '',
      }),
      ...sales,
    });
    // After the seed (40 customers, the last one to sales2), the turn is sales1's.
    expect(created).toMatchObject({
      status: 201,
      body: { message: 'Customer created', id: SEEDED + 1, sales_manager_id: 2 },
    });
    const id = SEEDED + 1;

    const customer = unwrap(await client.crm.detail({ params: { id }, ...sales }));
    expect(customer).toMatchObject({
      id,
      full_name: 'Nigora Azimova',
      platform: 'telegram_bot',
      phone_number: '+998907654321',
      status: 'need_to_call',
      status_label: 'Need to Call',
      status_category: 'open',
      customer_type: 'local',
      conversation_language: 'ru',
      username: null,
      sales_manager: { id: 2, name: 'Sevara', surname: 'Sales' },
      created_at: '2026-06-01T14:00:00.000+05:00',
      is_archived: false,
      archived_at: null,
      additional_notes: [],
    });

    const dashboard = unwrap(await client.crm.dashboard({ query: { page_size: 5 }, ...sales }));
    expect(dashboard.customers[0]?.id).toBe(id);
    expect(unwrap(await client.crm.dashboard({ query: { search: 'nigora' }, ...sales })).customers).toHaveLength(1);
    expect(unwrap(await client.crm.dashboard({ query: { search: '907654' }, ...sales })).total_items).toBe(1);
    expect(unwrap(await client.crm.latest({ query: { limit: 1 }, ...sales }))[0]?.id).toBe(id);
    const byStatus = unwrap(await client.crm.filterByStatus({ query: { status_filter: 'need_to_call' }, ...sales }));
    expect(byStatus[0]?.id).toBe(id);
    const byPlatform = unwrap(await client.crm.filterByPlatform({ query: { platform: 'telegram-bot' }, ...sales }));
    expect(byPlatform.map((c) => c.id)).toContain(id);
    const byDate = unwrap(await client.crm.filterByDate({ query: { start_date: '2026-06-01' }, ...sales }));
    expect(byDate.map((c) => c.id)).toContain(id);
    expect(unwrap(await client.crm.filterByDate({ query: { start_date: '2030-01-01' }, ...sales }))).toEqual([]);

    const stats = unwrap(await client.crm.stats(boss));
    expect(stats.total_customers).toBe(statsBefore.total_customers + 1);
    expect(stats.need_to_call).toBe(statsBefore.need_to_call + 1);
    expect(stats.status_dict.need_to_call).toBe(statsBefore.need_to_call + 1);
    expect(unwrap(await client.crm.periodStats(boss)).period_stats.today).toBe(periodBefore.today + 1);
    const summary = unwrap(await client.crm.statsSummary(boss));
    expect(summary.today.total_customers).toBe(summaryBefore.today.total_customers + 1);
    expect(summary.last_90_days.total_customers).toBe(summaryBefore.last_90_days.total_customers + 1);
    const salesStats = unwrap(await client.sales.stats({ query: { customer_type: 'local' }, ...boss }));
    expect(salesStats.today).toBe(salesBefore.today + 1);

    expect(unwrap(await client.crm.statusHistory({ params: { id }, ...sales }))).toEqual([
      {
        id: expect.any(Number),
        customer_id: id,
        from_status: null,
        to_status: 'need_to_call',
        changed_by: 2,
        changed_by_full_name: 'Sevara Sales',
        changed_at: '2026-06-01T14:00:00.000+05:00',
      },
    ]);
    const mine = unwrap(await client.crm.myCustomers({ query: { limit: 1 }, ...sales }));
    expect(mine.items[0]).toMatchObject({ id, status_name: 'need_to_call', assigned_at: customer.created_at });
    expect(mocks.state.crm.customers.get(id)?.phone_number).toBe('+998907654321');
  });

  it('the dashboard hides lost customers unless asked, and its statistics ignore the filters', async () => {
    const auth = await as(ceo);
    const hidden = unwrap(await client.crm.dashboard({ query: { page_size: 50 }, ...auth }));
    expect(hidden.customers.some((c) => c.status_category === 'lost')).toBe(false);
    const all = unwrap(await client.crm.dashboard({ query: { show_all: true, page_size: 50 }, ...auth }));
    expect(all.total_items).toBe(SEEDED - SEEDED_ARCHIVED);
    expect(hidden.total_items).toBe(all.total_items - (all.status_dict.rejected ?? 0));
    const rejected = unwrap(await client.crm.dashboard({ query: { status_filter: 'Rejected' }, ...auth }));
    expect(rejected.customers.every((c) => c.status === 'rejected')).toBe(true);
    expect(rejected).toMatchObject({ selected_status: 'rejected', status_stats: all.status_stats });
    expect(rejected.permissions).toContain('Sales CRM');
    const page2 = unwrap(await client.crm.dashboard({ query: { show_all: true, page: 2, page_size: 10 }, ...auth }));
    expect(page2.customers.map((c) => c.id)).toEqual(all.customers.slice(10, 20).map((c) => c.id));
    expect(page2.total_pages).toBe(4);
  });

  it('updates: absent stays, empty clears, a status change is recorded, PUT and PATCH alike', async () => {
    const auth = await as(sales1);
    const { id } = await create(auth, {
      username: 'nigora',
      notes: 'First call',
      customer_type: 'international',
      recall_time: '2026-06-02T10:00',
    });
    const created = unwrap(await client.crm.detail({ params: { id }, ...auth }));
    expect(created.recall_time).toBe('2026-06-02T10:00:00.000+05:00');

    w.advance(60_000);
    const put = await client.crm.update({
      params: { id },
      body: { status: 'contacted', username: '', customer_type: '', recall_time: '2026-06-03T09:30:00Z' },
      ...auth,
    });
    expect(put).toMatchObject({
      status: 200,
      body: {
        status: 'contacted',
        username: null,
        customer_type: null,
        notes: 'First call',
        full_name: 'Test Lead',
        recall_time: '2026-06-03T14:30:00.000+05:00',
        updated_at: '2026-06-01T14:01:00.000+05:00',
      },
    });
    w.advance(60_000);
    const patch = await client.crm.patch({
      params: { id },
      body: { customer_status: 'Project_Started', recall_time: '2026-06-05T10:00', clear_recall_time: 'true' },
      ...auth,
    });
    expect(patch).toMatchObject({ status: 200, body: { status: 'project_started', recall_time: null } });
    // The legacy client re-sends every field on save: nothing changed is still a 200, and nothing is recorded.
    w.advance(60_000);
    const same = unwrap(await client.crm.patch({ params: { id }, body: { status: 'project_started' }, ...auth }));
    expect(same.updated_at).toBe('2026-06-01T14:02:00.000+05:00');
    const history = unwrap(await client.crm.statusHistory({ params: { id }, ...auth }));
    expect(history.map((h) => [h.from_status, h.to_status])).toEqual([
      [null, 'need_to_call'],
      ['need_to_call', 'contacted'],
      ['contacted', 'project_started'],
    ]);
    const missing = await client.crm.update({ params: { id: 9999 }, body: { full_name: 'X' }, ...auth });
    expect(missing).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
  });

  it('answers 422 on the field: unknown status (listing the active ones), platform, phone, disagreeing aliases', async () => {
    const auth = await as(sales1);
    const bad = await client.crm.create({
      body: lead({ status: 'Won_Big', phone_number: '12345' }),
      ...auth,
    });
    expect(bad).toEqual({
      status: 422,
      headers: expect.anything(),
      body: {
        code: 'VALIDATION_FAILED',
        detail: [
          { loc: ['body', 'phone_number'], msg: 'Input should be a valid phone number', type: 'value_error' },
          {
            loc: ['body', 'status'],
            msg: "Unknown or inactive status 'Won_Big'; use one of: contacted, project_started, continuing, finished, rejected, need_to_call",
            type: 'value_error',
          },
        ],
      },
    });
    const platform = await client.crm.create({ body: lead({ platform: 'myspace' }), ...auth });
    expect(platform).toMatchObject({ status: 422, body: { detail: [{ loc: ['body', 'platform'] }] } });
    const aliases = await client.crm.create({
      body: lead({ status: 'contacted', customer_status: 'rejected' }),
      ...auth,
    });
    expect(aliases).toMatchObject({ status: 422, body: { detail: [{ loc: ['body', 'customer_status'] }] } });
    const update = await client.crm.patch({ params: { id: 1 }, body: { phone_number: '+1 555' }, ...auth });
    expect(update).toMatchObject({ status: 422, body: { detail: [{ loc: ['body', 'phone_number'] }] } });
    const recall = await client.crm.patch({ params: { id: 1 }, body: { recall_time: '2026-02-30T10:00' }, ...auth });
    expect(recall).toMatchObject({ status: 422, body: { detail: [{ loc: ['body', 'recall_time'] }] } });
    expect(mocks.state.crm.customers.size).toBe(SEEDED);
  });

  it('archives, restores and deletes for good; archived customers are the CEO’s only', async () => {
    const sales = await as(sales1);
    const boss = await as(ceo);
    const { id } = await create(sales, { notes: 'to archive' });
    await client.crm.createNote({ params: { id }, body: { note: 'a note' }, ...sales });

    expect(await client.crm.archive({ params: { id }, ...sales })).toMatchObject({
      status: 200,
      body: { message: 'Customer archived' },
    });
    for (const res of [
      await client.crm.detail({ params: { id }, ...sales }),
      await client.crm.listNotes({ params: { id }, ...sales }),
      await client.crm.statusHistory({ params: { id }, ...sales }),
      await client.crm.patch({ params: { id }, body: { full_name: 'X' }, ...sales }),
    ]) {
      expect(res).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    }
    const archived = unwrap(await client.crm.detail({ params: { id }, ...boss }));
    expect(archived).toMatchObject({ is_archived: true, archived_at: '2026-06-01T14:00:00.000+05:00' });
    expect(unwrap(await client.crm.archived(boss))[0]?.id).toBe(id);
    expect(unwrap(await client.crm.latest(boss)).map((c) => c.id)).not.toContain(id);
    expect(unwrap(await client.crm.stats(boss)).total_customers).toBe(SEEDED - SEEDED_ARCHIVED);
    // Again: a no-op for the CEO; to anyone else the archived customer no longer exists.
    expect(await client.crm.archive({ params: { id }, ...boss })).toMatchObject({
      status: 200,
      body: { message: 'The customer is already archived' },
    });
    expect((await client.crm.archive({ params: { id }, ...sales })).status).toBe(404);
    expect((await client.crm.archive({ params: { id: 9999 }, ...sales })).status).toBe(404);
    expect((await client.crm.restore({ params: { id }, ...sales })).status).toBe(403);

    expect(await client.crm.restore({ params: { id }, ...boss })).toMatchObject({ status: 200 });
    expect(await client.crm.restore({ params: { id }, ...boss })).toMatchObject({
      status: 409,
      body: { code: 'CONFLICT' },
    });
    expect(unwrap(await client.crm.detail({ params: { id }, ...sales })).is_archived).toBe(false);

    expect((await client.crm.hardDelete({ params: { id }, ...sales })).status).toBe(403);
    expect(await client.crm.hardDelete({ params: { id }, ...boss })).toMatchObject({ status: 200 });
    expect((await client.crm.detail({ params: { id }, ...boss })).status).toBe(404);
    expect((await client.crm.hardDelete({ params: { id }, ...boss })).status).toBe(404);
    const { notes, statusHistory, assignments } = mocks.state.crm;
    for (const map of [notes, statusHistory, assignments]) {
      expect([...map.values()].some((row) => row.customer_id === id)).toBe(false);
    }
  });
});

describe('sales managers and assignment', () => {
  it('assigns in turn: 30 customers over 3 managers differ by at most one; the turn survives changes', async () => {
    mocks.useScenario('empty-crm');
    mocks.users.add({ email: 'sales3@cims.local', password: 'long-enough-1', role: 'SalesManager', pages: ['crm'] });
    const auth = await as(ceo);
    const picks: (number | null)[] = [];
    for (let i = 0; i < 30; i++) picks.push((await create(auth)).sales_manager_id);
    expect(picks.slice(0, 4)).toEqual([2, 3, 4, 2]);
    const loads = unwrap(await client.crm.salesManagers(auth)).map((m) => m.assigned_leads_count);
    expect(loads).toHaveLength(3);
    expect(loads).toEqual([10, 10, 10]);
    expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(1);

    // Deactivating the next in turn skips it without shifting the others; back, it gets its turn again.
    mocks.users.update(sales2.email, { is_active: false });
    expect((await create(auth)).sales_manager_id).toBe(2);
    expect((await create(auth)).sales_manager_id).toBe(4);
    mocks.users.update(sales2.email, { is_active: true });
    expect((await create(auth)).sales_manager_id).toBe(2);
    expect((await create(auth)).sales_manager_id).toBe(3);
    mocks.users.add({ email: 'sales5@cims.local', password: 'long-enough-1', role: 'SalesManager' });
    expect((await create(auth)).sales_manager_id).toBe(4);
    expect((await create(auth)).sales_manager_id).toBe(5);
    expect((await create(auth)).sales_manager_id).toBe(2);
  });

  it('the CEO assigns and reassigns; the target must be an active sales manager', async () => {
    const boss = await as(ceo);
    const sales = await as(sales1);
    const { id } = await create(sales);
    w.advance(5000);
    const res = await client.crm.assign({ body: { customer_id: id, sales_manager_id: 3 }, ...boss });
    expect(res).toMatchObject({
      status: 200,
      body: { customer_id: id, sales_manager_id: 3, assigned_by: 1, is_active: true },
    });
    expect(unwrap(await client.crm.customerManager({ params: { id }, ...sales }))).toMatchObject({
      customer_id: id,
      sales_manager: { id: 3, email: sales2.email },
      assigned_by: 1,
      assigned_at: '2026-06-01T14:00:05.000+05:00',
    });
    expect(unwrap(await client.crm.detail({ params: { id }, ...sales })).sales_manager?.id).toBe(3);
    expect((await client.crm.assign({ body: { customer_id: id, sales_manager_id: 1 }, ...boss })).status).toBe(404);
    expect((await client.crm.assign({ body: { customer_id: 9999, sales_manager_id: 2 }, ...boss })).status).toBe(404);
    mocks.users.update(sales1.email, { is_active: false });
    expect((await client.crm.assign({ body: { customer_id: id, sales_manager_id: 2 }, ...boss })).status).toBe(404);
    // An archived customer may be assigned.
    expect((await client.crm.assign({ body: { customer_id: 5, sales_manager_id: 3 }, ...boss })).status).toBe(200);
    expect((await client.crm.assign({ body: { customer_id: id, sales_manager_id: 3 }, ...sales })).status).toBe(401);

    mocks.useScenario('no-sales-managers');
    const { id: lonely } = await create(boss);
    expect(await client.crm.customerManager({ params: { id: lonely }, ...boss })).toMatchObject({ status: 404 });
  });

  it('a manager’s customers and statistics: the CEO or that manager; another manager 403', async () => {
    const s1 = await as(sales1);
    const s2 = await as(sales2);
    const boss = await as(ceo);
    const mine = unwrap(await client.crm.myCustomers({ query: { limit: 100 }, ...s1 }));
    expect(mine.sales_manager).toEqual({ id: 2, email: sales1.email, name: 'Sevara', surname: 'Sales' });
    expect(mine.total_count).toBe(17);
    expect(mine.items.every((item) => !item.is_archived)).toBe(true);
    const withArchived = unwrap(
      await client.crm.managerCustomers({ params: { id: 2 }, query: { include_archived: true, limit: 5 }, ...boss }),
    );
    expect(withArchived).toMatchObject({ total_count: 20, limit: 5, page: 1 });
    expect(withArchived.items).toHaveLength(5);
    const filtered = unwrap(
      await client.crm.managerCustomers({ params: { id: 2 }, query: { status: 'Contacted', limit: 100 }, ...s1 }),
    );
    expect(filtered.items.every((item) => item.status === 'contacted')).toBe(true);
    const priority = unwrap(await client.crm.myCustomers({ query: { priority_level: 'critical' }, ...s1 }));
    expect(priority.items.every((item) => item.priority_level === 'critical')).toBe(true);

    expect((await client.crm.managerCustomers({ params: { id: 2 }, ...s2 })).status).toBe(403);
    expect((await client.crm.managerStats({ params: { id: 2 }, ...s2 })).status).toBe(403);
    expect((await client.crm.managerCustomers({ params: { id: 1 }, ...boss })).status).toBe(404);

    const stats = unwrap(await client.crm.myStats({ ...s1 }));
    expect(stats.summary).toEqual({ total_assigned: 20, active_leads: 17, archived_leads: 3, counted_leads: 17 });
    expect(stats.status_stats.reduce((sum, row) => sum + row.count, 0)).toBe(17);
    const counts = stats.status_stats.map((row) => row.count);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    const all = unwrap(
      await client.crm.managerStats({ params: { id: 2 }, query: { include_archived: true }, ...boss }),
    );
    expect(all.summary.counted_leads).toBe(20);
  });
});
