import { leadInsights } from '@cims/contracts';
import { unwrap } from '@cims/sdk';
import { expect, it } from 'vitest';
import {
  actors,
  businessDay,
  createCustomer,
  issueLocs,
  meId,
  mp3Bytes,
  newPhone,
  UNKNOWN_ID,
  unique,
} from '../crm-kit.js';
import type { Target, withWorld as WithWorld } from '../suite-kit.js';

/** Customers: create, read, list, edit, archive and delete. */
export function crmCustomersSuite(target: Target, withWorld: typeof WithWorld): void {
  withWorld(target, 'CRM: customers', (world) => {
    const as = actors(world);

    it('creates a customer from a plain object with an audio Blob; lists and detail show it normalised', async () => {
      const ceo = await as.ceo();
      const phone = newPhone();
      const name = `Normalised ${unique()}`;
      const created = await createCustomer(ceo, {
        full_name: `  ${name}  `,
        platform: 'Telegram Bot',
        phone_number: phone.national,
        status: 'Need_To_Call',
        conversation_language: 'RU',
        customer_type: 'International',
        username: '@someone',
        recall_time: '2030-01-15T10:30',
        audio: new Blob([mp3Bytes()], { type: 'audio/mpeg' }),
      });
      expect(created).toMatchObject({ id: expect.any(Number), message: expect.any(String) });

      const detail = unwrap(await ceo.crm.detail({ params: { id: created.id } }));
      expect(detail).toMatchObject({
        id: created.id,
        full_name: name,
        phone_number: phone.e164,
        platform: 'telegram_bot',
        conversation_language: 'ru',
        customer_type: 'international',
        username: '@someone',
        status: 'need_to_call',
        status_label: expect.any(String),
        status_category: 'open',
        is_archived: false,
        archived_at: null,
        additional_notes: [],
        audio_file_id: expect.any(String),
        audio_url: expect.stringMatching(/^\/crm\/customers\/audio\/[\w-]+\.[a-z0-9]+\?/),
      });
      expect(detail.sales_manager?.id ?? null).toBe(created.sales_manager_id);
      // Read in the business zone, returned with its offset.
      expect(detail.recall_time).toMatch(/\+05:00$/);
      expect(Date.parse(detail.recall_time ?? '')).toBe(Date.parse('2030-01-15T10:30:00+05:00'));
      expect(detail.created_at).toMatch(/\+05:00$/);

      const dashboard = unwrap(await ceo.crm.dashboard({ query: { page: 1, show_all: true } }));
      expect(dashboard.customers.map((c) => c.id)).toContain(created.id);
      const latest = unwrap(await ceo.crm.latest({ query: { limit: 10 } }));
      expect(latest.map((c) => c.id)).toContain(created.id);
      const searched = unwrap(await ceo.crm.dashboard({ query: { search: name.toUpperCase(), show_all: true } }));
      expect(searched.customers.map((c) => c.id)).toEqual([created.id]);
      expect(searched.total_items).toBe(1);
    });

    it('creates a customer without audio: defaults, no recording', async () => {
      const sales = await as.sales1();
      const created = await createCustomer(sales, { platform: 'instagram' });
      const detail = unwrap(await sales.crm.detail({ params: { id: created.id } }));
      expect(detail).toMatchObject({
        full_name: created.full_name,
        phone_number: created.phone_number,
        platform: 'instagram',
        conversation_language: 'uz',
        customer_type: null,
        username: null,
        recall_time: null,
        audio_file_id: null,
        audio_url: null,
        status: 'need_to_call',
      });
    });

    it('the same phone number may come twice; lists are newest first', async () => {
      const ceo = await as.ceo();
      const phone = newPhone().e164;
      const first = await createCustomer(ceo, { phone_number: phone });
      const second = await createCustomer(ceo, { phone_number: phone });
      const latest = unwrap(await ceo.crm.latest({ query: { limit: 2 } }));
      expect(latest.map((c) => c.id)).toEqual([second.id, first.id]);
    });

    it('filters by status, platform and date; a filter that matches nothing is []', async () => {
      const ceo = await as.ceo();
      const status = unwrap(
        await ceo.management.createStatus({ body: { name: `filter_${unique()}`, display_name: 'Filter' } }),
      );
      expect(unwrap(await ceo.crm.filterByStatus({ query: { status_filter: status.name } }))).toEqual([]);
      const a = await createCustomer(ceo, { status: status.name, platform: 'whatsapp' });
      const b = await createCustomer(ceo, { status: status.name, platform: 'WhatsApp' });
      const byStatus = unwrap(await ceo.crm.filterByStatus({ query: { status_filter: status.name } }));
      expect(byStatus.map((c) => c.id)).toEqual([b.id, a.id]);
      const byPlatform = unwrap(await ceo.crm.filterByPlatform({ query: { platform: 'whatsapp', limit: 1000 } }));
      expect(byPlatform.map((c) => c.id)).toEqual(expect.arrayContaining([a.id, b.id]));
      expect(byPlatform.every((c) => c.platform === 'whatsapp')).toBe(true);
      const byDate = unwrap(
        await ceo.crm.filterByDate({ query: { start_date: businessDay(-1), end_date: businessDay(1), limit: 1000 } }),
      );
      expect(byDate.map((c) => c.id)).toEqual(expect.arrayContaining([a.id, b.id]));
      expect(unwrap(await ceo.crm.filterByDate({ query: { start_date: '2001-01-01' } }))).toEqual([]);
      const dashboard = unwrap(await ceo.crm.dashboard({ query: { status_filter: status.name } }));
      expect(dashboard.customers.map((c) => c.id)).toEqual([b.id, a.id]);
      expect(dashboard.selected_status).toBe(status.name);
    });

    it('show_all=false hides customers in a lost status unless status_filter names it', async () => {
      const ceo = await as.ceo();
      const lost = await createCustomer(ceo, { status: 'rejected', full_name: `Lost ${unique()}` });
      const search = lost.full_name;
      const hidden = unwrap(await ceo.crm.dashboard({ query: { search } }));
      expect(hidden.customers).toEqual([]);
      const asked = unwrap(await ceo.crm.dashboard({ query: { search, status_filter: 'rejected' } }));
      expect(asked.customers.map((c) => c.id)).toEqual([lost.id]);
      const all = unwrap(await ceo.crm.dashboard({ query: { search, show_all: true } }));
      expect(all.customers.map((c) => c.id)).toEqual([lost.id]);
    });

    it('updates with PUT and PATCH (customer_status, clearing fields, clear_recall_time) and records the history', async () => {
      const ceo = await as.ceo();
      const ceoId = await meId(ceo);
      const created = await createCustomer(ceo, { username: 'before', recall_time: '2030-02-01T09:00:00+05:00' });

      const put = unwrap(
        await ceo.crm.update({
          params: { id: created.id },
          body: { customer_status: 'contacted', assistant_name: 'Ali' },
        }),
      );
      expect(put).toMatchObject({
        status: 'contacted',
        assistant_name: 'Ali',
        username: 'before',
        full_name: created.full_name,
      });
      expect(put.recall_time).not.toBeNull();

      const patched = unwrap(
        await ceo.crm.patch({
          params: { id: created.id },
          body: { username: '', clear_recall_time: true, recall_time: '2031-01-01T10:00' },
        }),
      );
      expect(patched).toMatchObject({ username: null, recall_time: null, assistant_name: 'Ali', status: 'contacted' });

      // The same status again (any case), and an update that changes nothing: 200, nothing recorded.
      expect((await ceo.crm.patch({ params: { id: created.id }, body: { status: 'CONTACTED' } })).status).toBe(200);
      expect((await ceo.crm.update({ params: { id: created.id }, body: {} })).status).toBe(200);

      const history = unwrap(await ceo.crm.statusHistory({ params: { id: created.id } }));
      expect(history).toEqual([
        expect.objectContaining({ customer_id: created.id, from_status: null, to_status: 'need_to_call' }),
        expect.objectContaining({ from_status: 'need_to_call', to_status: 'contacted', changed_by: ceoId }),
      ]);
      expect(history[0]?.changed_by).toBe(ceoId);
    });

    it('an edit that sends the stored values back (platform title-cased) changes only what changed; new ones are checked', async () => {
      const ceo = await as.ceo();
      const created = await createCustomer(ceo, { platform: 'telegram_bot' });
      // The legacy client re-sends every field of the form, the platform as it displays it.
      const echoed = unwrap(
        await ceo.crm.patch({
          params: { id: created.id },
          body: {
            full_name: ` ${created.full_name} `,
            platform: 'Telegram Bot',
            phone_number: created.phone_number,
            customer_status: 'finished',
          },
        }),
      );
      expect(echoed).toMatchObject({
        full_name: created.full_name,
        platform: 'telegram_bot',
        phone_number: created.phone_number,
        status: 'finished',
      });
      const renamed = unwrap(await ceo.crm.patch({ params: { id: created.id }, body: { platform: 'WhatsApp' } }));
      expect(renamed.platform).toBe('whatsapp');
      for (const [field, value] of [
        ['platform', 'myspace'],
        ['phone_number', '123'],
        ['full_name', 'x'.repeat(256)],
      ] as const) {
        const refused = await ceo.crm.patch({ params: { id: created.id }, body: { [field]: value } });
        expect(refused.status, field).toBe(422);
        expect(
          issueLocs(refused.body).some((loc) => loc.includes(field)),
          field,
        ).toBe(true);
      }
    });

    it('status and customer_status must agree when both are sent', async () => {
      const ceo = await as.ceo();
      const created = await createCustomer(ceo);
      const same = await ceo.crm.patch({
        params: { id: created.id },
        body: { status: 'finished', customer_status: 'Finished' },
      });
      expect(same.status).toBe(200);
      const differ = await ceo.crm.patch({
        params: { id: created.id },
        body: { status: 'finished', customer_status: 'rejected' },
      });
      expect(differ.status).toBe(422);
      expect(differ.body).toEqual({
        detail: [
          {
            loc: ['body', 'customer_status'],
            msg: 'status and customer_status name different statuses; send one of them',
            type: 'value_error',
          },
        ],
        code: 'VALIDATION_FAILED',
      });
    });

    it('answers 422 for an unknown status (on `status`), platform, customer type or language, and an invalid phone', async () => {
      const ceo = await as.ceo();
      const base = { full_name: `Invalid ${unique()}`, platform: 'telegram', phone_number: newPhone().e164 };
      const nope = `nope_${unique()}`;
      const unknownStatus = await ceo.crm.create({ body: { ...base, status: ` ${nope} ` } });
      expect(unknownStatus.status).toBe(422);
      // The status quoted as sent (trimmed), then the active statuses in their order.
      expect(unknownStatus.body).toEqual({
        detail: [
          {
            loc: ['body', 'status'],
            msg: expect.stringMatching(new RegExp(`^Unknown or inactive status '${nope}'; use one of: \\w+(, \\w+)+$`)),
            type: 'value_error',
          },
        ],
        code: 'VALIDATION_FAILED',
      });
      expect((unknownStatus.body as { detail: { msg: string }[] }).detail[0]?.msg).toContain('contacted');
      const unknownPlatform = await ceo.crm.create({ body: { ...base, status: 'contacted', platform: 'myspace' } });
      expect(unknownPlatform.status).toBe(422);
      expect(issueLocs(unknownPlatform.body).some((loc) => loc.includes('platform'))).toBe(true);
      for (const field of ['customer_type', 'conversation_language'] as const) {
        const unknown = await ceo.crm.create({ body: { ...base, status: 'contacted', [field]: 'klingon' as never } });
        expect(unknown.status, field).toBe(422);
        expect(
          issueLocs(unknown.body).some((loc) => loc.includes(field)),
          field,
        ).toBe(true);
      }
      const badPhone = await ceo.crm.create({ body: { ...base, status: 'contacted', phone_number: '123' } });
      expect(badPhone.status).toBe(422);
      expect(issueLocs(badPhone.body).some((loc) => loc.includes('phone_number'))).toBe(true);
      // Nothing was created.
      const search = unwrap(await ceo.crm.dashboard({ query: { search: base.full_name, show_all: true } }));
      expect(search.customers).toEqual([]);

      const created = await createCustomer(ceo);
      const update = await ceo.crm.patch({ params: { id: created.id }, body: { customer_status: `nope_${unique()}` } });
      expect(update.status).toBe(422);
      expect(issueLocs(update.body).some((loc) => loc.includes('status'))).toBe(true);
      expect((await ceo.crm.patch({ params: { id: UNKNOWN_ID }, body: { full_name: 'x' } })).status).toBe(404);
    });

    it('archives (gone from the lists, CEO-only archive), restores, refuses a second restore, deletes for good', async () => {
      const ceo = await as.ceo();
      const sales = await as.sales1();
      const created = await createCustomer(ceo);
      const search = created.full_name;
      unwrap(await sales.crm.archive({ params: { id: created.id } }));
      // Archiving again is a no-op (for the CEO: to anyone else the archived customer no longer exists).
      expect((await ceo.crm.archive({ params: { id: created.id } })).status).toBe(200);

      expect(unwrap(await ceo.crm.dashboard({ query: { search, show_all: true } })).customers).toEqual([]);
      expect(unwrap(await ceo.crm.latest({ query: { limit: 500 } })).map((c) => c.id)).not.toContain(created.id);
      const archived = unwrap(await ceo.crm.archived());
      expect(archived.find((c) => c.id === created.id)).toMatchObject({
        is_archived: true,
        archived_at: expect.any(String),
      });
      expect(unwrap(await ceo.crm.detail({ params: { id: created.id } })).is_archived).toBe(true);
      // For anyone but the CEO an archived customer does not exist.
      expect((await sales.crm.detail({ params: { id: created.id } })).status).toBe(404);
      expect((await sales.crm.patch({ params: { id: created.id }, body: { full_name: 'x' } })).status).toBe(404);
      expect((await sales.crm.listNotes({ params: { id: created.id } })).status).toBe(404);
      expect((await sales.crm.statusHistory({ params: { id: created.id } })).status).toBe(404);
      expect((await sales.crm.archive({ params: { id: created.id } })).status).toBe(404);
      expect((await sales.crm.customerManager({ params: { id: created.id } })).status).toBe(404);

      unwrap(await ceo.crm.restore({ params: { id: created.id } }));
      expect(unwrap(await sales.crm.detail({ params: { id: created.id } })).is_archived).toBe(false);
      expect(unwrap(await ceo.crm.dashboard({ query: { search, show_all: true } })).customers).toHaveLength(1);
      const again = await ceo.crm.restore({ params: { id: created.id } });
      expect(again.status).toBe(409);

      unwrap(await ceo.crm.hardDelete({ params: { id: created.id } }));
      expect((await ceo.crm.detail({ params: { id: created.id } })).status).toBe(404);
      expect((await ceo.crm.statusHistory({ params: { id: created.id } })).status).toBe(404);
      expect((await ceo.crm.hardDelete({ params: { id: created.id } })).status).toBe(404);
    });

    it('bulk archive and bulk hard delete skip unknown ids and say how many changed', async () => {
      const ceo = await as.ceo();
      const a = await createCustomer(ceo);
      const b = await createCustomer(ceo);
      const archived = unwrap(await ceo.crm.bulkArchive({ body: { customer_ids: [a.id, UNKNOWN_ID] } }));
      expect(archived.count).toBe(1);
      expect(unwrap(await ceo.crm.detail({ params: { id: a.id } })).is_archived).toBe(true);
      const deleted = unwrap(await ceo.crm.bulkHardDelete({ body: { customer_ids: [a.id, b.id, UNKNOWN_ID] } }));
      expect(deleted.count).toBe(2);
      expect((await ceo.crm.detail({ params: { id: b.id } })).status).toBe(404);
      expect((await ceo.crm.bulkArchive({ body: { customer_ids: [] } })).status).toBe(422);
    });

    it('derives summary and priority from the notes with leadInsights, as the contract computes them', async () => {
      const ceo = await as.ceo();
      const notes = 'Dental clinic, 12 years in business, big budget, urgent.';
      const created = await createCustomer(ceo, { notes });
      const detail = unwrap(await ceo.crm.detail({ params: { id: created.id } }));
      expect(detail).toMatchObject({ notes, ...leadInsights(notes) });
      const note = 'They also run a pharmacy.';
      unwrap(await ceo.crm.createNote({ params: { id: created.id }, body: { note } }));
      const after = unwrap(await ceo.crm.detail({ params: { id: created.id } }));
      expect(after).toMatchObject(leadInsights(notes, [note]));
      const cleared = unwrap(await ceo.crm.patch({ params: { id: created.id }, body: { notes: '' } }));
      expect(cleared).toMatchObject({ notes: null, ...leadInsights(null, [note]) });
    });
  });
}
