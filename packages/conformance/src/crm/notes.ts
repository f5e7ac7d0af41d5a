import { unwrap } from '@cims/sdk';
import { expect, it } from 'vitest';
import { actors, createCustomer, meId, UNKNOWN_ID } from '../crm-kit.js';
import type { Target, withWorld as WithWorld } from '../suite-kit.js';

/** Notes on a customer: add, edit, delete, who may. */
export function crmNotesSuite(target: Target, withWorld: typeof WithWorld): void {
  withWorld(target, 'CRM: notes', (world) => {
    const as = actors(world);

    it('creates (trimmed), lists, edits with PATCH and PUT, and deletes a note', async () => {
      const sales = await as.sales1();
      const salesId = await meId(sales);
      const customer = await createCustomer(sales);
      const created = await sales.crm.createNote({
        params: { id: customer.id },
        body: { note: '   Called, wants a quote  ' },
      });
      expect(created.status).toBe(201);
      const note = unwrap(created);
      expect(note).toMatchObject({ customer_id: customer.id, note: 'Called, wants a quote', created_by: salesId });
      const second = unwrap(await sales.crm.createNote({ params: { id: customer.id }, body: { note: 'Second' } }));

      const list = unwrap(await sales.crm.listNotes({ params: { id: customer.id } }));
      expect(list).toMatchObject({ customer_id: customer.id, total_count: 2 });
      expect(list.items.map((n) => n.id)).toEqual([note.id, second.id]);
      const detail = unwrap(await sales.crm.detail({ params: { id: customer.id } }));
      expect(detail.additional_notes.map((n) => n.id)).toEqual([note.id, second.id]);

      const patched = unwrap(
        await sales.crm.patchNote({ params: { id: customer.id, noteId: note.id }, body: { note: ' Patched ' } }),
      );
      expect(patched).toMatchObject({ id: note.id, note: 'Patched' });
      const put = unwrap(
        await sales.crm.updateNote({ params: { id: customer.id, noteId: note.id }, body: { note: 'Put' } }),
      );
      expect(put.note).toBe('Put');
      const empty = await sales.crm.patchNote({ params: { id: customer.id, noteId: note.id }, body: { note: '   ' } });
      expect(empty.status).toBe(422);

      unwrap(await sales.crm.deleteNote({ params: { id: customer.id, noteId: note.id } }));
      const afterDelete = unwrap(await sales.crm.listNotes({ params: { id: customer.id } }));
      expect(afterDelete.items.map((n) => n.id)).toEqual([second.id]);
      expect(afterDelete.total_count).toBe(1);
      expect((await sales.crm.deleteNote({ params: { id: customer.id, noteId: note.id } })).status).toBe(404);
    });

    it('only the author or the CEO may change or delete a note (403 for another sales manager)', async () => {
      const sales1 = await as.sales1();
      const sales2 = await as.sales2();
      const ceo = await as.ceo();
      const customer = await createCustomer(sales1);
      const note = unwrap(await sales1.crm.createNote({ params: { id: customer.id }, body: { note: 'Mine' } }));
      const params = { id: customer.id, noteId: note.id };

      expect((await sales2.crm.patchNote({ params, body: { note: 'Theirs' } })).status).toBe(403);
      expect((await sales2.crm.updateNote({ params, body: { note: 'Theirs' } })).status).toBe(403);
      expect((await sales2.crm.deleteNote({ params })).status).toBe(403);
      expect(unwrap(await sales2.crm.listNotes({ params: { id: customer.id } })).items[0]?.note).toBe('Mine');

      const byCeo = await ceo.crm.patchNote({ params, body: { note: 'Edited by the CEO' } });
      expect(byCeo.status).toBe(200);
      expect(unwrap(byCeo)).toMatchObject({ note: 'Edited by the CEO', created_by: await meId(sales1) });
      expect((await ceo.crm.deleteNote({ params })).status).toBe(200);
      expect(unwrap(await sales1.crm.listNotes({ params: { id: customer.id } })).total_count).toBe(0);
    });

    it('a note on an unknown customer is a 404', async () => {
      const sales = await as.sales1();
      expect((await sales.crm.createNote({ params: { id: UNKNOWN_ID }, body: { note: 'x' } })).status).toBe(404);
      expect((await sales.crm.listNotes({ params: { id: UNKNOWN_ID } })).status).toBe(404);
    });
  });
}
