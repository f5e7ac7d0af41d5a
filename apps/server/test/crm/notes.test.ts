import { leadInsights } from '@cims/contracts';
import { unwrap } from '@cims/sdk';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../harness.js';
import { CEO, createCustomer, SALES, SALES2, signIn, userId } from './write-helpers.js';

describe('notes', () => {
  it('are added by anyone in the CRM, changed or deleted only by their author or the CEO; insights follow them', async () => {
    await using t = await createTestApp();
    const ceo = await signIn(t, CEO);
    const sales1 = await signIn(t, SALES);
    const sales2 = await signIn(t, SALES2);
    const notes = 'Dental clinic, 12 years in business.';
    const created = await createCustomer(sales1, { notes });
    const note = unwrap(
      await sales1.crm.createNote({ params: { id: created.id }, body: { note: '  Big budget, urgent ' } }),
    );
    expect(note).toMatchObject({
      customer_id: created.id,
      note: 'Big budget, urgent',
      created_by: await userId(t, SALES.email),
      created_by_full_name: 'Sevara Sales',
    });
    expect(unwrap(await ceo.crm.detail({ params: { id: created.id } }))).toMatchObject(
      leadInsights(notes, ['Big budget, urgent']),
    );
    const params = { id: created.id, noteId: note.id };
    expect((await sales2.crm.patchNote({ params, body: { note: 'Theirs' } })).status).toBe(403);
    expect((await sales2.crm.updateNote({ params, body: { note: 'Theirs' } })).status).toBe(403);
    expect((await sales2.crm.deleteNote({ params })).status).toBe(403);
    expect(unwrap(await sales1.crm.patchNote({ params, body: { note: 'Mine, pharmacy' } })).note).toBe(
      'Mine, pharmacy',
    );
    const byCeo = unwrap(await ceo.crm.updateNote({ params, body: { note: 'Edited by the CEO' } }));
    expect(byCeo).toMatchObject({ note: 'Edited by the CEO', created_by: await userId(t, SALES.email) });
    expect(unwrap(await ceo.crm.detail({ params: { id: created.id } }))).toMatchObject(
      leadInsights(notes, ['Edited by the CEO']),
    );
    // Clearing the customer's own notes recomputes from the notes list alone.
    const cleared = unwrap(await sales1.crm.patch({ params: { id: created.id }, body: { notes: '' } }));
    expect(cleared).toMatchObject({ notes: null, ...leadInsights(null, ['Edited by the CEO']) });
    expect(unwrap(await ceo.crm.deleteNote({ params }))).toEqual({ message: expect.any(String) });
    expect(unwrap(await sales1.crm.listNotes({ params: { id: created.id } }))).toEqual({
      customer_id: created.id,
      items: [],
      total_count: 0,
    });
    expect((await sales1.crm.deleteNote({ params })).status).toBe(404);
    const other = await createCustomer(ceo);
    const elsewhere = unwrap(await ceo.crm.createNote({ params: { id: other.id }, body: { note: 'x' } }));
    expect((await ceo.crm.deleteNote({ params: { id: created.id, noteId: elsewhere.id } })).status).toBe(404);
    expect((await ceo.crm.createNote({ params: { id: 999_999 }, body: { note: 'x' } })).status).toBe(404);
  });
});
