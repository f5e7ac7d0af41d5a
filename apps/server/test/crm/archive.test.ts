import { unwrap } from '@cims/sdk';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../harness.js';
import { CEO, createCustomer, mp3Bytes, SALES, signIn, sql, storedRecordings } from './write-helpers.js';

describe('archive, restore and delete', () => {
  it('archives (again: a no-op for the CEO, 404 for others), restores (409 unless archived), deletes for good with notes and history', async () => {
    await using t = await createTestApp();
    const ceo = await signIn(t, CEO);
    const sales = await signIn(t, SALES);
    const created = await createCustomer(sales);
    unwrap(await sales.crm.createNote({ params: { id: created.id }, body: { note: 'Called' } }));
    expect((await ceo.crm.restore({ params: { id: created.id } })).status).toBe(409);
    expect(unwrap(await sales.crm.archive({ params: { id: created.id } })).message).toBe('Customer archived');
    // Again: a no-op for the CEO; to anyone else the archived customer no longer exists.
    expect((await ceo.crm.archive({ params: { id: created.id } })).status).toBe(200);
    expect((await sales.crm.archive({ params: { id: created.id } })).status).toBe(404);
    const archived = unwrap(await ceo.crm.detail({ params: { id: created.id } }));
    expect(archived).toMatchObject({ is_archived: true, archived_at: expect.stringMatching(/\+05:00$/) });
    expect((await sales.crm.restore({ params: { id: created.id } })).status).toBe(403);
    unwrap(await ceo.crm.restore({ params: { id: created.id } }));
    expect(unwrap(await sales.crm.detail({ params: { id: created.id } })).is_archived).toBe(false);
    expect((await ceo.crm.restore({ params: { id: created.id } })).status).toBe(409);
    expect((await ceo.crm.archive({ params: { id: 999_999 } })).status).toBe(404);
    expect((await ceo.crm.restore({ params: { id: 999_999 } })).status).toBe(404);

    expect((await sales.crm.hardDelete({ params: { id: created.id } })).status).toBe(403);
    unwrap(await ceo.crm.hardDelete({ params: { id: created.id } }));
    expect((await ceo.crm.detail({ params: { id: created.id } })).status).toBe(404);
    expect((await ceo.crm.hardDelete({ params: { id: created.id } })).status).toBe(404);
    for (const table of ['customer_note', 'customer_status_change', 'sales_manager_assignment']) {
      expect(await sql(t, `select id from ${table} where customer_id = ?`, [created.id]), table).toEqual([]);
    }
    const actions = await sql(t, `select action from audit_log where module = 'crm' and entity_id = ? order by id`, [
      String(created.id),
    ]);
    expect(actions.map((a) => a.action)).toEqual(['create', 'note_create', 'archive', 'restore', 'hard_delete']);
  });

  it('bulk archive and bulk hard delete skip unknown ids and count what changed', async () => {
    await using t = await createTestApp();
    const ceo = await signIn(t, CEO);
    const sales = await signIn(t, SALES);
    const a = await createCustomer(ceo);
    const b = await createCustomer(ceo, { audio: new Blob([mp3Bytes()], { type: 'audio/mpeg' }) });
    const c = await createCustomer(ceo);
    const archived = unwrap(await sales.crm.bulkArchive({ body: { customer_ids: [a.id, b.id, 999_999, a.id] } }));
    expect(archived.count).toBe(2);
    // Already archived ones do not count again.
    expect(unwrap(await sales.crm.bulkArchive({ body: { customer_ids: [a.id, c.id] } })).count).toBe(1);
    expect((await sales.crm.bulkHardDelete({ body: { customer_ids: [a.id] } })).status).toBe(403);
    expect(await storedRecordings(t)).toHaveLength(1);
    const deleted = unwrap(await ceo.crm.bulkHardDelete({ body: { customer_ids: [a.id, b.id, 2_000_000_000] } }));
    expect(deleted.count).toBe(2);
    expect(await storedRecordings(t)).toEqual([]);
    expect((await ceo.crm.detail({ params: { id: b.id } })).status).toBe(404);
    expect(unwrap(await ceo.crm.detail({ params: { id: c.id } })).is_archived).toBe(true);
    expect((await ceo.crm.bulkArchive({ body: { customer_ids: [] } })).status).toBe(422);
    // The per-status totals the statistics read stay exact.
    const [total] = await sql(t, `select sum(n) as n from customer_status_total`);
    expect(Number(total?.n)).toBe(1);
  });
});
