import { DEFAULT_STATUSES, LEGACY_STATUSES } from '@cims/contracts';
import { unwrap } from '@cims/sdk';
import { expect, it } from 'vitest';
import { actors, createCustomer, issueLocs, meId, newPhone, UNKNOWN_ID, unique } from '../crm-kit.js';
import type { Target, withWorld as WithWorld } from '../suite-kit.js';

/** Statuses: the legacy six, custom ones, their order and their rules. */
export function crmStatusesSuite(target: Target, withWorld: typeof WithWorld): void {
  withWorld(target, 'CRM: statuses', (world) => {
    const as = actors(world);

    it('GET /crm/statuses/dynamic lists the six legacy statuses with their categories', async () => {
      const sales = await as.sales1();
      const dynamic = unwrap(await sales.crm.statuses());
      for (const status of DEFAULT_STATUSES) {
        expect(dynamic, status.name).toContainEqual(
          expect.objectContaining({ value: status.name, category: status.category }),
        );
      }
      const orders = dynamic.map((s) => s.order);
      expect(orders).toEqual([...orders].sort((a, b) => a - b));
      const all = unwrap(await sales.management.listStatuses());
      for (const name of LEGACY_STATUSES) {
        expect(all.find((s) => s.name === name)).toMatchObject({ is_system: true });
      }
    });

    it('the CEO creates a status: name normalised, colour upper-cased, put last, listed in both lists', async () => {
      const ceo = await as.ceo();
      const tag = unique();
      const res = await ceo.management.createStatus({
        body: { name: `  VIP Lead ${tag} `, display_name: 'VIP lead', color: '#aabbcc' },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      const status = unwrap(res);
      expect(status).toMatchObject({
        name: `vip_lead_${tag}`,
        display_name: 'VIP lead',
        color: '#AABBCC',
        category: 'open',
        is_active: true,
        is_system: false,
      });
      const all = unwrap(await ceo.management.listStatuses());
      expect(all.at(-1)?.id).toBe(status.id);
      expect(Math.max(...all.filter((s) => s.id !== status.id).map((s) => s.order))).toBeLessThan(status.order);
      const dynamic = unwrap(await (await as.sales1()).crm.statuses());
      expect(dynamic).toContainEqual(
        expect.objectContaining({ value: status.name, label: 'VIP lead', color: '#AABBCC', category: 'open' }),
      );
      // The name is unique, whatever its case.
      const again = await ceo.management.createStatus({ body: { name: status.name.toUpperCase(), display_name: 'x' } });
      expect(again).toMatchObject({
        status: 409,
        body: { detail: `A status named '${status.name}' already exists`, code: 'CONFLICT' },
      });
    });

    it('updates the label and colour with PUT and the category with PATCH; the name never changes', async () => {
      const ceo = await as.ceo();
      const created = unwrap(
        await ceo.management.createStatus({ body: { name: `label_${unique()}`, display_name: 'Before' } }),
      );
      const put = unwrap(
        await ceo.management.updateStatus({
          params: { id: created.id },
          body: { display_name: 'After', color: '#112233' },
        }),
      );
      expect(put).toMatchObject({ id: created.id, name: created.name, display_name: 'After', color: '#112233' });
      const patched = unwrap(
        await ceo.management.patchStatus({ params: { id: created.id }, body: { category: 'won', color: null } }),
      );
      expect(patched).toMatchObject({ name: created.name, display_name: 'After', category: 'won', color: null });
      const dynamic = unwrap(await ceo.crm.statuses());
      expect(dynamic.find((s) => s.value === created.name)).toMatchObject({ label: 'After', category: 'won' });
      const missing = await ceo.management.patchStatus({ params: { id: UNKNOWN_ID }, body: { display_name: 'x' } });
      expect(missing).toMatchObject({ status: 404, body: { detail: 'Status not found', code: 'NOT_FOUND' } });
      const empty = await ceo.management.updateStatus({ params: { id: created.id }, body: {} });
      expect(empty).toMatchObject({ status: 400, body: { detail: 'Nothing to update', code: 'NOTHING_TO_UPDATE' } });
    });

    it('a deactivated status leaves the pickers, cannot be given, and its customers keep it', async () => {
      const ceo = await as.ceo();
      const status = unwrap(
        await ceo.management.createStatus({ body: { name: `paused_${unique()}`, display_name: 'Paused' } }),
      );
      const customer = await createCustomer(ceo, { status: status.name });
      unwrap(await ceo.management.patchStatus({ params: { id: status.id }, body: { is_active: false } }));
      expect(unwrap(await ceo.crm.statuses()).map((s) => s.value)).not.toContain(status.name);
      expect(unwrap(await ceo.management.listStatuses()).find((s) => s.id === status.id)?.is_active).toBe(false);
      expect(unwrap(await ceo.crm.detail({ params: { id: customer.id } })).status).toBe(status.name);
      const refused = await ceo.crm.create({
        body: {
          full_name: `Refused ${unique()}`,
          platform: 'telegram',
          phone_number: newPhone().e164,
          status: status.name,
        },
      });
      expect(refused.status).toBe(422);
      expect(issueLocs(refused.body).some((loc) => loc.includes('status'))).toBe(true);
      const msg = (refused.body as { detail: { msg: string }[] }).detail[0]?.msg ?? '';
      expect(msg).toMatch(new RegExp(`^Unknown or inactive status '${status.name}'; use one of: `));
      expect(msg.split('; use one of: ')[1]?.split(', ')).toEqual(unwrap(await ceo.crm.statuses()).map((s) => s.value));
      // Re-sending the customer's own (now inactive) status on save is fine; choosing it for another is not.
      const resent = await ceo.crm.update({ params: { id: customer.id }, body: { status: status.name, notes: 'x' } });
      expect(resent.status).toBe(200);
      const other = await createCustomer(ceo);
      expect((await ceo.crm.patch({ params: { id: other.id }, body: { status: status.name } })).status).toBe(422);
      // Inactive statuses still count where customers have them.
      expect(unwrap(await ceo.crm.stats()).status_dict[status.name]).toBe(1);
    });

    it('a new status is usable at once: any case in a form, shown with its label, counted; a won one converts', async () => {
      const ceo = await as.ceo();
      const status = unwrap(
        await ceo.management.createStatus({
          body: { name: `won_${unique()}`, display_name: 'Won deal', category: 'won', order: 0 },
        }),
      );
      expect(unwrap(await ceo.management.listStatuses())[0]?.id).toBe(status.id);
      const customer = await createCustomer(ceo, { status: status.name.toUpperCase() });
      expect(unwrap(await ceo.crm.detail({ params: { id: customer.id } }))).toMatchObject({
        status: status.name,
        status_label: 'Won deal',
        status_category: 'won',
      });
      const dashboard = unwrap(await ceo.crm.dashboard());
      expect(dashboard.status_dict[status.name]).toBe(1);
      expect(dashboard.status_choices.at(0)?.value).toBe(status.name);
      const before = unwrap(await ceo.crm.conversionRate()).converted_count;
      const other = await createCustomer(ceo);
      unwrap(await ceo.crm.patch({ params: { id: other.id }, body: { status: status.name } }));
      expect(unwrap(await ceo.crm.conversionRate()).converted_count).toBe(before + 1);
      // Out of the way of the other tests' orders.
      unwrap(await ceo.management.patchStatus({ params: { id: status.id }, body: { order: 1000 } }));
    });

    it('reorders with every id exactly once (orders become 1, 2, 3, …); a missing, extra or repeated id is a 422', async () => {
      const ceo = await as.ceo();
      const before = unwrap(await ceo.management.listStatuses());
      const ids = before.map((s) => s.id).reverse();
      const reordered = unwrap(await ceo.management.reorderStatuses({ body: { ids } }));
      expect(reordered.map((s) => s.id)).toEqual(ids);
      expect(reordered.map((s) => s.order)).toEqual(ids.map((_, i) => i + 1));
      expect(unwrap(await ceo.management.listStatuses()).map((s) => s.id)).toEqual(ids);
      for (const wrong of [ids.slice(1), [...ids, UNKNOWN_ID], [...ids, ids[0] ?? 1]]) {
        const res = await ceo.management.reorderStatuses({ body: { ids: wrong } });
        expect(res.body, JSON.stringify(wrong)).toEqual({
          detail: [
            {
              loc: ['body', 'ids'],
              msg: `Send every status id exactly once (${ids.length} ids); missing, unknown or repeated ids are refused`,
              type: 'value_error',
            },
          ],
          code: 'VALIDATION_FAILED',
        });
      }
      // Nothing moved on a refusal.
      expect(unwrap(await ceo.management.listStatuses()).map((s) => s.id)).toEqual(ids);
      unwrap(await ceo.management.reorderStatuses({ body: { ids: before.map((s) => s.id) } }));
    });

    it('a system status cannot be deleted (403); an unused one is deleted; an unknown one is a 404', async () => {
      const ceo = await as.ceo();
      const all = unwrap(await ceo.management.listStatuses());
      const contacted = all.find((s) => s.name === 'contacted');
      const system = await ceo.management.deleteStatus({ params: { id: contacted?.id ?? 0 } });
      expect(system).toMatchObject({
        status: 403,
        body: { detail: "The system status 'contacted' cannot be deleted; deactivate it instead", code: 'FORBIDDEN' },
      });
      const spare = unwrap(
        await ceo.management.createStatus({ body: { name: `spare_${unique()}`, display_name: 'S' } }),
      );
      expect(unwrap(await ceo.management.deleteStatus({ params: { id: spare.id } }))).toEqual({
        message: `Status '${spare.name}' deleted`,
        reassigned_count: 0,
      });
      expect(unwrap(await ceo.management.listStatuses()).map((s) => s.id)).not.toContain(spare.id);
      expect((await ceo.management.deleteStatus({ params: { id: spare.id } })).status).toBe(404);
    });

    it('deleting a status in use is a 409 with in_use_count (archived included); reassign_to moves the customers', async () => {
      const ceo = await as.ceo();
      const ceoId = await meId(ceo);
      const status = unwrap(
        await ceo.management.createStatus({ body: { name: `doomed_${unique()}`, display_name: 'Doomed' } }),
      );
      const kept = await createCustomer(ceo, { status: status.name });
      const archived = await createCustomer(ceo, { status: status.name });
      unwrap(await ceo.crm.archive({ params: { id: archived.id } }));

      const inUse = await ceo.management.deleteStatus({ params: { id: status.id } });
      expect(inUse.status).toBe(409);
      expect(inUse.body).toEqual({
        detail: `2 customer(s) have the status '${status.name}'; send reassign_to`,
        code: 'STATUS_IN_USE',
        in_use_count: 2,
      });
      const nothing = `nothing_${unique()}`;
      for (const [reassign_to, msg] of [
        [status.name.toUpperCase(), 'reassign_to must name another status than the one deleted'],
        [` ${nothing} `, `There is no status '${nothing}' to move the customers to`],
      ]) {
        const bad = await ceo.management.deleteStatus({ params: { id: status.id }, query: { reassign_to } });
        expect(bad.body, reassign_to).toEqual({
          detail: [{ loc: ['query', 'reassign_to'], msg, type: 'value_error' }],
          code: 'VALIDATION_FAILED',
        });
      }

      const deleted = unwrap(
        await ceo.management.deleteStatus({ params: { id: status.id }, query: { reassign_to: 'Contacted' } }),
      );
      expect(deleted).toEqual({
        message: `Status '${status.name}' deleted; 2 customer(s) moved to 'contacted'`,
        reassigned_count: 2,
      });
      expect(unwrap(await ceo.management.listStatuses()).map((s) => s.name)).not.toContain(status.name);
      for (const customer of [kept, archived]) {
        expect(unwrap(await ceo.crm.detail({ params: { id: customer.id } })).status).toBe('contacted');
        const history = unwrap(await ceo.crm.statusHistory({ params: { id: customer.id } }));
        expect(history.at(-1)).toMatchObject({ from_status: status.name, to_status: 'contacted', changed_by: ceoId });
      }
    });

    it('a sales manager reads the statuses but cannot write them (403)', async () => {
      const sales = await as.sales1();
      expect((await sales.management.listStatuses()).status).toBe(200);
      const create = await sales.management.createStatus({ body: { name: `nope_${unique()}`, display_name: 'No' } });
      expect(create.status).toBe(403);
      const contacted = unwrap(await sales.management.listStatuses()).find((s) => s.name === 'contacted');
      const id = contacted?.id ?? 1;
      expect((await sales.management.patchStatus({ params: { id }, body: { display_name: 'x' } })).status).toBe(403);
      expect((await sales.management.deleteStatus({ params: { id } })).status).toBe(403);
      expect((await sales.management.reorderStatuses({ body: { ids: [id] } })).status).toBe(403);
    });
  });
}
