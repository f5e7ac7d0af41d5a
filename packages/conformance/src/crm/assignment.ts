import { unwrap } from '@cims/sdk';
import { expect, it } from 'vitest';
import { actors, createCustomer, meId, UNKNOWN_ID } from '../crm-kit.js';
import { SEEDED, type Target, type withWorld as WithWorld } from '../suite-kit.js';

/** Sales managers and assignment: the round robin and manual assignment. */
export function crmAssignmentSuite(target: Target, withWorld: typeof WithWorld): void {
  withWorld(target, 'CRM: sales managers and assignment', (world) => {
    const as = actors(world);

    it('new customers go to the active sales managers in turn (round robin)', async () => {
      const ceo = await as.ceo();
      const before = unwrap(await ceo.crm.salesManagers());
      const emails = before.map((m) => m.email);
      expect(emails).toEqual(expect.arrayContaining([SEEDED.sales.email, SEEDED.sales2.email]));
      const m = before.length;
      const created = [];
      for (let i = 0; i < 2 * m; i++) created.push(await createCustomer(ceo));
      const picks = created.map((c) => c.sales_manager_id);
      expect(picks.every((id) => id !== null)).toBe(true);
      expect(new Set(picks.slice(0, m)).size).toBe(m);
      expect(picks.slice(m)).toEqual(picks.slice(0, m));

      const after = unwrap(await ceo.crm.salesManagers());
      const gained = before.map(
        (b) => (after.find((a) => a.id === b.id)?.assigned_leads_count ?? 0) - b.assigned_leads_count,
      );
      expect(gained.reduce((sum, n) => sum + n, 0)).toBe(2 * m);
      expect(Math.max(...gained) - Math.min(...gained)).toBeLessThanOrEqual(1);

      const detail = unwrap(await ceo.crm.detail({ params: { id: created[0]?.id ?? 0 } }));
      expect(detail.sales_manager?.id).toBe(picks[0]);
    });

    it('the CEO reassigns a customer; the target must be an active sales manager (404 otherwise)', async () => {
      const ceo = await as.ceo();
      const ceoId = await meId(ceo);
      const sales1Id = await meId(await as.sales1());
      const sales2Id = await meId(await as.sales2());
      const customer = await createCustomer(ceo);
      const target = customer.sales_manager_id === sales1Id ? sales2Id : sales1Id;
      const other = target === sales1Id ? await as.sales1() : await as.sales2();
      const previous = target === sales1Id ? await as.sales2() : await as.sales1();

      const assigned = unwrap(await ceo.crm.assign({ body: { customer_id: customer.id, sales_manager_id: target } }));
      expect(assigned).toMatchObject({
        customer_id: customer.id,
        sales_manager_id: target,
        assigned_by: ceoId,
        is_active: true,
      });
      const manager = unwrap(await other.crm.customerManager({ params: { id: customer.id } }));
      expect(manager).toMatchObject({ customer_id: customer.id, sales_manager: { id: target }, assigned_by: ceoId });
      expect(unwrap(await ceo.crm.detail({ params: { id: customer.id } })).sales_manager?.id).toBe(target);

      const mine = unwrap(await other.crm.myCustomers({ query: { search: customer.full_name } }));
      expect(mine.sales_manager.id).toBe(target);
      expect(mine.items.map((c) => c.id)).toEqual([customer.id]);
      expect(mine.items[0]).toMatchObject({ status: 'need_to_call', status_name: 'need_to_call' });
      const theirs = unwrap(await previous.crm.myCustomers({ query: { search: customer.full_name } }));
      expect(theirs.items).toEqual([]);

      const notManager = await ceo.crm.assign({ body: { customer_id: customer.id, sales_manager_id: ceoId } });
      expect(notManager.status).toBe(404);
      const unknown = await ceo.crm.assign({ body: { customer_id: UNKNOWN_ID, sales_manager_id: target } });
      expect(unknown.status).toBe(404);
      const bySales = await other.crm.assign({ body: { customer_id: customer.id, sales_manager_id: target } });
      expect(bySales.status).toBe(403);
    });

    it('a sales manager sees their own customers and stats, not another manager’s (403)', async () => {
      const sales1 = await as.sales1();
      const ceo = await as.ceo();
      const sales1Id = await meId(sales1);
      const sales2Id = await meId(await as.sales2());
      const own = unwrap(await sales1.crm.managerCustomers({ params: { id: sales1Id } }));
      expect(own.sales_manager.id).toBe(sales1Id);
      expect((await sales1.crm.managerStats({ params: { id: sales1Id } })).status).toBe(200);
      expect((await sales1.crm.managerCustomers({ params: { id: sales2Id } })).status).toBe(403);
      expect((await sales1.crm.managerStats({ params: { id: sales2Id } })).status).toBe(403);
      const byCeo = unwrap(await ceo.crm.managerCustomers({ params: { id: sales2Id } }));
      expect(byCeo.sales_manager.id).toBe(sales2Id);
      const stats = unwrap(await ceo.crm.managerStats({ params: { id: sales2Id } }));
      expect(stats.summary.counted_leads).toBe(stats.status_stats.reduce((sum, s) => sum + s.count, 0));
      // The CEO is not a sales manager.
      expect((await ceo.crm.myCustomers()).status).toBe(403);
    });

    it('GET …/sales-manager names the manager; with no active sales manager a new customer is unassigned (404)', async () => {
      const ceo = await as.ceo();
      const assigned = await createCustomer(ceo);
      const manager = unwrap(await ceo.crm.customerManager({ params: { id: assigned.id } }));
      expect(manager.sales_manager.id).toBe(assigned.sales_manager_id);
      expect((await ceo.crm.customerManager({ params: { id: UNKNOWN_ID } })).status).toBe(404);

      // Last in this world: it deactivates every sales manager (and so ends their sessions), then reactivates them.
      const managers = unwrap(await ceo.crm.salesManagers());
      for (const m of managers)
        expect(unwrap(await ceo.ceo.toggleActive({ params: { id: m.id } })).is_active).toBe(false);
      try {
        expect(unwrap(await ceo.crm.salesManagers())).toEqual([]);
        const alone = await createCustomer(ceo);
        expect(alone.sales_manager_id).toBeNull();
        expect(unwrap(await ceo.crm.detail({ params: { id: alone.id } })).sales_manager).toBeNull();
        expect((await ceo.crm.customerManager({ params: { id: alone.id } })).status).toBe(404);
      } finally {
        for (const m of managers) await ceo.ceo.toggleActive({ params: { id: m.id } });
      }
    });
  });
}
