import { LEGACY_STATUSES } from '@cims/contracts';
import { unwrap } from '@cims/sdk';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../harness.js';
import { CEO, createCustomer, issueLocs, SALES, signIn, sql, unique, userId } from './write-helpers.js';

describe('customer statuses (/management/statuses)', () => {
  it('lists the six system statuses; creates one last (409 on a duplicate in any case); PUT and PATCH update it', async () => {
    await using t = await createTestApp();
    const ceo = await signIn(t, CEO);
    const all = unwrap(await ceo.management.listStatuses());
    expect(all.map((s) => s.name)).toEqual([...LEGACY_STATUSES]);
    expect(all.every((s) => s.is_system && s.is_active)).toBe(true);
    expect(all[0]?.created_at).toMatch(/\+05:00$/);

    const res = await ceo.management.createStatus({
      body: { name: ' Hot Lead ', display_name: 'Hot lead', color: '#aabbcc', description: 'Ready to buy' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const hot = unwrap(res);
    expect(hot).toMatchObject({
      name: 'hot_lead',
      display_name: 'Hot lead',
      color: '#AABBCC',
      order: 7,
      category: 'open',
      is_active: true,
      is_system: false,
    });
    expect(unwrap(await ceo.management.listStatuses()).at(-1)?.id).toBe(hot.id);
    // The legacy client's form sends `is_system` (and `order`, `is_active`) too: a status made through the API is never
    // a system status, whatever it says.
    const legacyForm = await ceo.management.createStatus({
      body: {
        name: 'From the form',
        display_name: 'From the form',
        color: '#112233',
        order: 9,
        is_active: true,
        is_system: true,
      } as never,
    });
    expect(legacyForm.status, JSON.stringify(legacyForm.body)).toBe(201);
    expect(unwrap(legacyForm)).toMatchObject({ name: 'from_the_form', is_system: false });
    expect((await ceo.management.deleteStatus({ params: { id: unwrap(legacyForm).id } })).status).toBe(200);
    expect((await ceo.management.createStatus({ body: { name: 'HOT_LEAD', display_name: 'x' } })).status).toBe(409);
    expect((await ceo.management.createStatus({ body: { name: 'Contacted', display_name: 'x' } })).status).toBe(409);

    const put = unwrap(
      await ceo.management.updateStatus({
        params: { id: hot.id },
        body: { display_name: 'Very hot', order: 0, category: 'won' },
      }),
    );
    expect(put).toMatchObject({ name: 'hot_lead', display_name: 'Very hot', order: 0, category: 'won' });
    const patched = unwrap(
      await ceo.management.patchStatus({ params: { id: hot.id }, body: { color: null, description: null } }),
    );
    expect(patched).toMatchObject({ display_name: 'Very hot', color: null, description: null });
    // Order 0 comes first; the pickers follow the order.
    expect(unwrap(await ceo.crm.statuses())[0]).toMatchObject({ value: 'hot_lead', label: 'Very hot', order: 0 });

    const empty = await ceo.management.patchStatus({ params: { id: hot.id }, body: {} });
    expect(empty.status).toBe(400);
    expect(empty.body).toMatchObject({ code: 'NOTHING_TO_UPDATE' });
    expect((await ceo.management.patchStatus({ params: { id: 999_999 }, body: { display_name: 'x' } })).status).toBe(
      404,
    );
    // A system status can be relabelled and deactivated.
    const contacted = all.find((s) => s.name === 'contacted');
    const relabelled = unwrap(
      await ceo.management.patchStatus({
        params: { id: contacted?.id ?? 0 },
        body: { display_name: 'Reached', is_active: false },
      }),
    );
    expect(relabelled).toMatchObject({ name: 'contacted', display_name: 'Reached', is_active: false, is_system: true });
    expect(unwrap(await ceo.crm.statuses()).map((s) => s.value)).not.toContain('contacted');
  });

  it('reorders with the exact set of ids (1, 2, 3, …); anything else is a 422 on ids and changes nothing', async () => {
    await using t = await createTestApp();
    const ceo = await signIn(t, CEO);
    const before = unwrap(await ceo.management.listStatuses());
    const ids = before.map((s) => s.id).reverse();
    const reordered = unwrap(await ceo.management.reorderStatuses({ body: { ids } }));
    expect(reordered.map((s) => [s.id, s.order])).toEqual(ids.map((id, i) => [id, i + 1]));
    for (const wrong of [ids.slice(1), [...ids, 999_999], [...ids.slice(1), ids[1] ?? 0]]) {
      const res = await ceo.management.reorderStatuses({ body: { ids: wrong } });
      expect(res.status, JSON.stringify(wrong)).toBe(422);
      expect(issueLocs(res.body)).toEqual([['body', 'ids']]);
    }
    expect(unwrap(await ceo.management.listStatuses()).map((s) => s.id)).toEqual(ids);
  });

  it('deletes: system 403, unknown 404, in use 409 with in_use_count, reassign_to moves customers with history', async () => {
    await using t = await createTestApp();
    const ceo = await signIn(t, CEO);
    const ceoId = await userId(t, CEO.email);
    const system = unwrap(await ceo.management.listStatuses()).find((s) => s.name === 'rejected');
    const refused = await ceo.management.deleteStatus({ params: { id: system?.id ?? 0 } });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'FORBIDDEN' });
    expect((await ceo.management.deleteStatus({ params: { id: 999_999 } })).status).toBe(404);

    const doomed = unwrap(
      await ceo.management.createStatus({ body: { name: `doomed_${unique()}`, display_name: 'Doomed' } }),
    );
    const kept = await createCustomer(ceo, { status: doomed.name });
    const archived = await createCustomer(ceo, { status: doomed.name.toUpperCase() });
    unwrap(await ceo.crm.archive({ params: { id: archived.id } }));

    const inUse = await ceo.management.deleteStatus({ params: { id: doomed.id } });
    expect(inUse.status).toBe(409);
    expect(inUse.body).toEqual({ detail: expect.any(String), code: 'STATUS_IN_USE', in_use_count: 2 });
    for (const reassign_to of [doomed.name, 'no_such_status']) {
      const bad = await ceo.management.deleteStatus({ params: { id: doomed.id }, query: { reassign_to } });
      expect(bad.status, reassign_to).toBe(422);
      expect(issueLocs(bad.body)).toEqual([['query', 'reassign_to']]);
    }
    // Nothing moved on a refusal.
    expect(unwrap(await ceo.crm.detail({ params: { id: kept.id } })).status).toBe(doomed.name);

    const deleted = unwrap(
      await ceo.management.deleteStatus({ params: { id: doomed.id }, query: { reassign_to: 'Project_Started' } }),
    );
    expect(deleted).toMatchObject({ reassigned_count: 2 });
    expect(unwrap(await ceo.management.listStatuses()).map((s) => s.name)).not.toContain(doomed.name);
    for (const customer of [kept, archived]) {
      const detail = unwrap(await ceo.crm.detail({ params: { id: customer.id } }));
      expect(detail.status).toBe('project_started');
      const history = unwrap(await ceo.crm.statusHistory({ params: { id: customer.id } }));
      expect(history.map((h) => [h.from_status, h.to_status, h.changed_by])).toEqual([
        [null, doomed.name, ceoId],
        [doomed.name, 'project_started', ceoId],
      ]);
      // The move keeps the manager the customer was assigned to.
      const [move] = await sql(
        t,
        'select sales_manager_id from customer_status_change where customer_id = ? order by id desc limit 1',
        [customer.id],
      );
      expect(move?.sales_manager_id).toBe(customer.sales_manager_id);
    }
    // The statistics tables follow (archived included).
    const totals = await sql(t, `select status, archived, n from customer_status_total where status = ?`, [
      doomed.name,
    ]);
    expect(totals.every((row) => Number(row.n) === 0)).toBe(true);

    const spare = unwrap(await ceo.management.createStatus({ body: { name: 'spare', display_name: 'Spare' } }));
    expect(unwrap(await ceo.management.deleteStatus({ params: { id: spare.id } }))).toMatchObject({
      reassigned_count: 0,
    });
    const [audit] = await sql(
      t,
      `select actor_user_id, data from audit_log where module = 'crm' and action = 'delete'`,
    );
    expect(audit?.actor_user_id).toBe(ceoId);
  });

  it('a sales manager reads the statuses but cannot write them', async () => {
    await using t = await createTestApp();
    const sales = await signIn(t, SALES);
    const all = unwrap(await sales.management.listStatuses());
    expect(all).toHaveLength(6);
    expect((await sales.management.createStatus({ body: { name: 'x', display_name: 'x' } })).status).toBe(403);
    expect((await sales.management.reorderStatuses({ body: { ids: all.map((s) => s.id) } })).status).toBe(403);
    expect(
      (await sales.management.updateStatus({ params: { id: all[0]?.id ?? 1 }, body: { display_name: 'x' } })).status,
    ).toBe(403);
  });
});
