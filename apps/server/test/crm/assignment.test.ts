import { unwrap } from '@cims/sdk';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../harness.js';
import { CEO, createCustomer, newPhone, signIn, sql, unique, userId } from './write-helpers.js';

describe('auto-assignment (round robin)', () => {
  it('50 concurrent creates with 3 active sales managers: loads differ by at most 1', {
    timeout: 120_000,
  }, async () => {
    await using t = await createTestApp();
    const ceo = await signIn(t, CEO);
    const third = await ceo.ceo.createUser({
      body: {
        email: `sales3-${unique()}@example.com`,
        password: 'sales-three-password',
        name: 'Third',
        surname: 'Manager',
        role: 'SalesManager',
        pages: ['crm'],
      },
    });
    expect(third.status, JSON.stringify(third.body)).toBe(201);
    const managers = unwrap(await ceo.crm.salesManagers()).map((m) => m.id);
    expect(managers).toHaveLength(3);

    const created = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        ceo.crm
          .create({
            body: {
              full_name: `Rush ${i}`,
              platform: 'website',
              phone_number: newPhone().e164,
              status: 'need_to_call',
            },
          })
          .then(unwrap),
      ),
    );
    const loads = new Map(managers.map((id) => [id, 0]));
    for (const customer of created) {
      expect(customer.sales_manager_id).not.toBeNull();
      loads.set(customer.sales_manager_id ?? 0, (loads.get(customer.sales_manager_id ?? 0) ?? 0) + 1);
    }
    expect([...loads.keys()].sort()).toEqual([...managers].sort());
    expect(Math.max(...loads.values()) - Math.min(...loads.values())).toBeLessThanOrEqual(1);
    // What the API said is what was stored: one assignment per customer, by nobody (automatic), recorded in the
    // first history entry.
    const rows = await sql(
      t,
      `select a.customer_id, a.sales_manager_id, a.assigned_by, h.sales_manager_id as history_manager
         from sales_manager_assignment a join customer_status_change h on h.customer_id = a.customer_id`,
    );
    expect(rows).toHaveLength(50);
    for (const row of rows) {
      expect(row.assigned_by).toBeNull();
      expect(row.history_manager).toBe(row.sales_manager_id);
      expect(row.sales_manager_id).toBe(created.find((c) => c.id === row.customer_id)?.sales_manager_id);
    }
  });

  it('takes turns by user id, wrapping; a deactivated manager is skipped without shifting the others', async () => {
    await using t = await createTestApp();
    const ceo = await signIn(t, CEO);
    const sales1 = await userId(t, 'sales1@cims.local');
    const sales2 = await userId(t, 'sales2@cims.local');
    const picks = [];
    for (let i = 0; i < 4; i++) picks.push((await createCustomer(ceo)).sales_manager_id);
    expect(picks).toEqual([sales1, sales2, sales1, sales2]);
    unwrap(await ceo.ceo.toggleActive({ params: { id: sales2 } }));
    expect((await createCustomer(ceo)).sales_manager_id).toBe(sales1);
    expect((await createCustomer(ceo)).sales_manager_id).toBe(sales1);
    unwrap(await ceo.ceo.toggleActive({ params: { id: sales1 } }));
    // No active sales manager: unassigned.
    const alone = await createCustomer(ceo);
    expect(alone.sales_manager_id).toBeNull();
    expect(unwrap(await ceo.crm.detail({ params: { id: alone.id } })).sales_manager).toBeNull();
    unwrap(await ceo.ceo.toggleActive({ params: { id: sales2 } }));
    expect((await createCustomer(ceo)).sales_manager_id).toBe(sales2);
  });
});
