import {
  type ContractRoute,
  contract,
  DEFAULT_STATUSES,
  LEGACY_STATUSES,
  leadInsights,
  listRoutes,
  routeMeta,
} from '@cims/contracts';
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
  newUser,
  UNKNOWN_ID,
  unique,
} from './crm-kit.js';
import { accessToken, SEEDED, signedIn, type Target, type withWorld as WithWorld } from './suite-kit.js';

export { actors, createCustomer, newPhone, newUser, unique } from './crm-kit.js';

// The server and the mocks start with different customers (none, or demo data): every assertion here is about data
// the test created itself (unique names and phone numbers) or about a change (a count before and after).

/** The CRM of docs/crm.md: the same answers from every implementation. */
export function crmSuite(target: Target, withWorld: typeof WithWorld): void {
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
      expect(again.status).toBe(409);
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
      expect(missing.status).toBe(404);
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
        expect(res.status, JSON.stringify(wrong)).toBe(422);
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
      expect(system.status).toBe(403);
      const spare = unwrap(
        await ceo.management.createStatus({ body: { name: `spare_${unique()}`, display_name: 'S' } }),
      );
      expect(unwrap(await ceo.management.deleteStatus({ params: { id: spare.id } })).reassigned_count).toBe(0);
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
      expect(inUse.body).toMatchObject({ code: 'STATUS_IN_USE', in_use_count: 2 });
      for (const reassign_to of [status.name, `nothing_${unique()}`]) {
        const bad = await ceo.management.deleteStatus({ params: { id: status.id }, query: { reassign_to } });
        expect(bad.status, reassign_to).toBe(422);
      }

      const deleted = unwrap(
        await ceo.management.deleteStatus({ params: { id: status.id }, query: { reassign_to: 'Contacted' } }),
      );
      expect(deleted.reassigned_count).toBe(2);
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
    });

    it('answers 422 for an unknown status (on `status`), platform, customer type or language, and an invalid phone', async () => {
      const ceo = await as.ceo();
      const base = { full_name: `Invalid ${unique()}`, platform: 'telegram', phone_number: newPhone().e164 };
      const unknownStatus = await ceo.crm.create({ body: { ...base, status: `nope_${unique()}` } });
      expect(unknownStatus.status).toBe(422);
      expect(issueLocs(unknownStatus.body).some((loc) => loc.includes('status'))).toBe(true);
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

  withWorld(target, 'CRM: audio', (world) => {
    const as = actors(world);
    const bytes = mp3Bytes();

    async function recorded() {
      const ceo = await as.ceo();
      const created = await createCustomer(ceo, { audio: new Blob([bytes], { type: 'audio/mpeg' }) });
      const detail = unwrap(await ceo.crm.detail({ params: { id: created.id } }));
      if (!detail.audio_url || !detail.audio_file_id) throw new Error('no audio_url');
      return { id: created.id, url: new URL(`${world().baseUrl}${detail.audio_url}`), fileId: detail.audio_file_id };
    }

    it('the audio_url plays without a token: 200 with the bytes, media type, Content-Length and Accept-Ranges', async () => {
      const { url } = await recorded();
      expect(url.searchParams.get('expires')).toMatch(/^\d+$/);
      expect(url.searchParams.get('sig')).toBeTruthy();
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^audio\/mpeg/);
      expect(res.headers.get('content-length')).toBe(String(bytes.length));
      expect(res.headers.get('accept-ranges')).toBe('bytes');
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);
    });

    it('answers a Range with 206 and the slice, and an unsatisfiable one with 416', async () => {
      const { url } = await recorded();
      const res = await fetch(url, { headers: { range: 'bytes=0-3' } });
      expect(res.status).toBe(206);
      expect(res.headers.get('content-range')).toBe(`bytes 0-3/${bytes.length}`);
      expect(res.headers.get('content-length')).toBe('4');
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes.slice(0, 4));
      const outside = await fetch(url, { headers: { range: `bytes=${bytes.length + 10}-${bytes.length + 20}` } });
      expect(outside.status).toBe(416);
      await outside.arrayBuffer();
    });

    it('regression: a tampered signature or expiry is a 403 INVALID_SIGNATURE in the same words; no signature and no token is a 401', async () => {
      const { url } = await recorded();
      const sig = url.searchParams.get('sig') ?? '';
      const tampered = new URL(url);
      tampered.searchParams.set('sig', `${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`);
      const forged = await fetch(tampered);
      expect(forged.status).toBe(403);
      expect(await forged.json()).toEqual({
        detail: 'The signature of this link is not valid',
        code: 'INVALID_SIGNATURE',
      });
      const later = new URL(url);
      later.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 3600));
      const extended = await fetch(later);
      expect(extended.status).toBe(403);
      expect(await extended.json()).toEqual({
        detail: 'The signature of this link is not valid',
        code: 'INVALID_SIGNATURE',
      });
      const bare = await fetch(`${url.origin}${url.pathname}`);
      expect(bare.status).toBe(401);
      await bare.arrayBuffer();
    });

    it('a CRM user’s access token plays it through the SDK; a user without the crm page gets 403', async () => {
      const { fileId } = await recorded();
      const sales = await as.sales1();
      const res = await sales.crm.audio({ params: { file_id: fileId } });
      expect(res.status).toBe(200);
      if (res.status === 200) expect(new Uint8Array(await (res.body as Blob).arrayBuffer())).toEqual(bytes);
      const member = await newUser(world(), await as.ceo(), 'Member', []);
      const refused = await fetch(`${world().baseUrl}/crm/customers/audio/${fileId}`, {
        headers: { authorization: `Bearer ${await accessToken(member.client)}` },
      });
      expect(refused.status).toBe(403);
      await refused.arrayBuffer();
    });

    it('refuses a file that is not audio with 415; an update replaces the recording', async () => {
      const ceo = await as.ceo();
      const text = new Blob([new TextEncoder().encode('just some text, not a recording')], { type: 'audio/mpeg' });
      const refused = await ceo.crm.create({
        body: {
          full_name: `Not audio ${unique()}`,
          platform: 'telegram',
          phone_number: newPhone().e164,
          status: 'contacted',
          audio: text,
        },
      });
      expect(refused.status).toBe(415);
      const { id, fileId } = await recorded();
      const updated = unwrap(
        await ceo.crm.patch({ params: { id }, body: { audio: new Blob([bytes], { type: 'audio/mpeg' }) } }),
      );
      expect(updated.audio_file_id).toEqual(expect.any(String));
      expect(updated.audio_file_id).not.toBe(fileId);
    });
  });

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

  withWorld(target, 'CRM: statistics', (world) => {
    const as = actors(world);

    it('/crm/stats, the dashboard and the period counts grow by one with a new customer', async () => {
      const ceo = await as.ceo();
      const stats = unwrap(await ceo.crm.stats());
      const dashboard = unwrap(await ceo.crm.dashboard({ query: { show_all: true } }));
      const period = unwrap(await ceo.crm.periodStats());
      const summary = unwrap(await ceo.crm.statsSummary());
      const sales = unwrap(await ceo.sales.stats());

      await createCustomer(ceo, { status: 'need_to_call' });

      const stats2 = unwrap(await ceo.crm.stats());
      expect(stats2.total_customers).toBe(stats.total_customers + 1);
      expect(stats2.need_to_call).toBe(stats.need_to_call + 1);
      expect(stats2.status_dict.need_to_call).toBe((stats.status_dict.need_to_call ?? 0) + 1);
      expect(stats2.contacted).toBe(stats.contacted);
      const dashboard2 = unwrap(await ceo.crm.dashboard({ query: { show_all: true } }));
      expect(dashboard2.total_items).toBe(dashboard.total_items + 1);
      expect(dashboard2.status_stats.total_customers).toBe(dashboard.status_stats.total_customers + 1);
      expect(dashboard2.status_stats.need_to_call).toBe(dashboard.status_stats.need_to_call + 1);
      const period2 = unwrap(await ceo.crm.periodStats());
      expect(period2.period_stats.today).toBe(period.period_stats.today + 1);
      expect(period2.period_stats.this_month).toBe(period.period_stats.this_month + 1);
      const summary2 = unwrap(await ceo.crm.statsSummary());
      expect(summary2.today.total_customers).toBe(summary.today.total_customers + 1);
      expect(summary2.last_7_days.total_customers).toBe(summary.last_7_days.total_customers + 1);
      const sales2 = unwrap(await ceo.sales.stats());
      expect(sales2.today).toBe(sales.today + 1);
      expect(sales2.this_week).toBe(sales.this_week + 1);
    });

    it('archived customers leave the statistics', async () => {
      const ceo = await as.ceo();
      const customer = await createCustomer(ceo);
      const stats = unwrap(await ceo.crm.stats());
      unwrap(await ceo.crm.archive({ params: { id: customer.id } }));
      expect(unwrap(await ceo.crm.stats()).total_customers).toBe(stats.total_customers - 1);
    });

    it('the charts trend and the detailed breakdown have exactly `days` entries', async () => {
      const ceo = await as.ceo();
      await createCustomer(ceo);
      for (const days of [7, 30]) {
        const charts = unwrap(await ceo.sales.charts({ query: { days } }));
        expect(charts.trend).toHaveLength(days);
        expect(charts.period.days).toBe(days);
        expect(charts.trend.reduce((sum, d) => sum + d.count, 0)).toBe(charts.summary.total_period_leads);
        expect(charts.summary.total_period_leads).toBeGreaterThanOrEqual(1);
        const detailed = unwrap(await ceo.sales.detailed({ query: { days } }));
        expect(detailed.daily_breakdown).toHaveLength(days);
      }
    });

    it('the 1-day report contains a customer created now', async () => {
      const ceo = await as.ceo();
      const customer = await createCustomer(ceo);
      const report = unwrap(await ceo.crm.report({ query: { period: '1d', search: customer.full_name } }));
      expect(report.customers.map((c) => c.id)).toEqual([customer.id]);
      expect(report.total_customers).toBe(1);
      expect(report.from_date).toBe(report.to_date);
      const week = unwrap(await ceo.crm.report({ query: { period: '7d', search: customer.full_name } }));
      expect(week.customers.map((c) => c.id)).toEqual([customer.id]);
      const bad = await ceo.crm.report({ query: { from_date: businessDay() } });
      expect(bad.status).toBe(422);
    });

    it('conversion counts a customer that has ever been in a won status', async () => {
      const ceo = await as.ceo();
      const rate = unwrap(await ceo.crm.conversionRate());
      expect(rate).toMatchObject({
        total_customers: expect.any(Number),
        converted_count: expect.any(Number),
        project_started_count: expect.any(Number),
        conversion_rate: expect.any(Number),
        period: expect.any(String),
      });
      // The newest customer alone (limit=1) is the one created here.
      const customer = await createCustomer(ceo, { status: 'contacted' });
      expect(unwrap(await ceo.crm.conversionRate({ query: { limit: 1 } }))).toMatchObject({
        total_customers: 1,
        converted_count: 0,
        conversion_rate: 0,
      });
      unwrap(await ceo.crm.patch({ params: { id: customer.id }, body: { status: 'project_started' } }));
      unwrap(await ceo.crm.patch({ params: { id: customer.id }, body: { status: 'rejected' } }));
      expect(unwrap(await ceo.crm.conversionRate({ query: { limit: 1 } }))).toMatchObject({
        total_customers: 1,
        converted_count: 1,
        project_started_count: 1,
        conversion_rate: 100,
      });
    });
  });

  withWorld(target, 'CRM: intake API', (world) => {
    const intake = (key: string | undefined) =>
      world()
        .newClient()
        .crm.intake({
          body: { full_name: `Intake ${unique()}`, platform: 'Website', phone_number: newPhone().e164 },
          extraHeaders: key === undefined ? {} : { 'x-key': key },
        });

    it('refuses a wrong or missing X-Key with 401 INVALID_API_KEY', async () => {
      expect(world().intakeKey, 'the target must configure an intake key').toBeTruthy();
      for (const key of ['wrong-key', undefined]) {
        const res = await intake(key);
        expect(res.status, String(key)).toBe(401);
        expect(res.body).toMatchObject({ code: 'INVALID_API_KEY' });
      }
    });

    it('creates a customer with the right key (default status need_to_call, history by nobody)', async () => {
      const res = await intake(world().intakeKey);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      const { id } = unwrap(res);
      const ceo = await signedIn(world(), SEEDED.ceo);
      const detail = unwrap(await ceo.crm.detail({ params: { id } }));
      expect(detail).toMatchObject({ platform: 'website', status: 'need_to_call', conversation_language: 'uz' });
      const history = unwrap(await ceo.crm.statusHistory({ params: { id } }));
      expect(history).toEqual([
        expect.objectContaining({ from_status: null, to_status: 'need_to_call', changed_by: null }),
      ]);
    });
  });

  withWorld(target, 'CRM: who may do what', (world) => {
    const as = actors(world);

    /** A concrete URL for a route: `ids` for its parameters, `query` appended. */
    const url = (path: string, ids: { id: number; noteId: number; fileId: string }, query = '') =>
      `${world().baseUrl}${path
        .replace(':noteId', String(ids.noteId))
        .replace(':file_id', ids.fileId)
        .replace(':id', String(ids.id))}${query}`;
    /** Calls a route with an empty body of the kind it takes (JSON, or a form for multipart routes). */
    const call = (route: ContractRoute['route'], target: string, token?: string) => {
      const multipart = 'contentType' in route && route.contentType === 'multipart/form-data';
      const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      if (route.method !== 'GET' && !multipart) headers['content-type'] = 'application/json';
      return fetch(target, {
        method: route.method,
        headers,
        body: route.method === 'GET' ? undefined : multipart ? new FormData() : '{}',
      }).then(async (res) => {
        // Read to the end: cancelling the body of a response the mocks made never settles under MSW.
        await res.arrayBuffer();
        return res.status;
      });
    };
    /** Query strings for the GET routes whose query has required fields. */
    const REQUIRED_QUERY: Record<string, string> = {
      '/crm/customers/filter/status': '?status_filter=contacted',
      '/crm/customers/filter/platform': '?platform=telegram',
      '/crm/customers/filter/date': `?start_date=${businessDay()}`,
    };

    it('every CRM route open to the crm page: anonymous 401, a member without pages 403, sales manager and CEO in', async () => {
      const ceo = await as.ceo();
      const sales = await as.sales1();
      const member = await newUser(world(), ceo, 'Member', []);
      expect(unwrap(await member.client.auth.me()).permissions.crm).toBe(false);
      const tokens = {
        member: await accessToken(member.client),
        sales: await accessToken(sales),
        ceo: await accessToken(ceo),
      };
      const customer = await createCustomer(ceo, { audio: new Blob([mp3Bytes()], { type: 'audio/mpeg' }) });
      const note = unwrap(await ceo.crm.createNote({ params: { id: customer.id }, body: { note: 'RBAC' } }));
      const fileId = unwrap(await ceo.crm.detail({ params: { id: customer.id } })).audio_file_id ?? 'missing.mp3';
      const real = { id: customer.id, noteId: note.id, fileId };
      const unknown = { id: UNKNOWN_ID, noteId: UNKNOWN_ID, fileId: 'unknown.mp3' };

      const open = listRoutes(contract).filter(({ route }) => routeMeta(route).pages?.includes('crm'));
      const names = open.map((r) => r.name);
      expect(names).toEqual(
        expect.arrayContaining(['crmDashboard', 'crmCreate', 'crmAudio', 'salesCharts', 'managementListStatuses']),
      );
      for (const name of ['crmArchived', 'crmRestore', 'crmAssign', 'managementCreateStatus', 'crmMyCustomers']) {
        expect(names).not.toContain(name);
      }
      for (const { name, route } of open) {
        const target = url(route.path, unknown, REQUIRED_QUERY[route.path] ?? '');
        expect(await call(route, target), `${name} anonymous`).toBe(401);
        expect(await call(route, target, tokens.member), `${name} member`).toBe(403);
        if (route.method === 'GET') {
          // Reads of real rows: allowed means 200.
          const read = url(route.path, real, REQUIRED_QUERY[route.path] ?? '');
          expect(await call(route, read, tokens.sales), `${name} sales manager`).toBe(200);
          expect(await call(route, read, tokens.ceo), `${name} CEO`).toBe(200);
        } else {
          // Writes on unknown ids: allowed means anything but 401/403 (404, 422, …), and nothing changes.
          expect([401, 403], `${name} sales manager`).not.toContain(await call(route, target, tokens.sales));
          expect([401, 403], `${name} CEO`).not.toContain(await call(route, target, tokens.ceo));
        }
      }
    });

    it('the crm page, not the role, opens the CRM: a member with it is in, a sales manager without it is out', async () => {
      const ceo = await as.ceo();
      const withPage = await newUser(world(), ceo, 'Member', ['crm']);
      expect((await withPage.client.crm.dashboard()).status).toBe(200);
      expect(
        (
          await withPage.client.crm.create({
            body: {
              full_name: `By a member ${unique()}`,
              platform: 'telegram',
              phone_number: newPhone().e164,
              status: 'contacted',
            },
          })
        ).status,
      ).toBe(201);
      // Sales managers' own routes go by the role.
      expect((await withPage.client.crm.myCustomers()).status).toBe(403);
      const withoutPage = await newUser(world(), ceo, 'Sales Manager', []);
      expect((await withoutPage.client.crm.dashboard()).status).toBe(403);
      expect((await withoutPage.client.sales.stats()).status).toBe(403);
    });

    it('the CEO-only CRM routes answer 403 to a sales manager and a member, 401 to nobody', async () => {
      const ceo = await as.ceo();
      const member = await newUser(world(), ceo, 'Member', ['crm']);
      const tokens = {
        member: await accessToken(member.client),
        sales: await accessToken(await as.sales1()),
        ceo: await accessToken(ceo),
      };
      const crmAreas = new Set(['crm', 'sales']);
      const ceoOnly = listRoutes(contract).filter(({ keys, route }) => {
        const { roles, pages } = routeMeta(route);
        const crmRoute = crmAreas.has(keys[0] ?? '') || route.path.startsWith('/management/statuses');
        return crmRoute && roles?.join() === 'CEO' && !pages?.length;
      });
      expect(ceoOnly.map((r) => r.name).sort()).toEqual(
        [
          'crmArchived',
          'crmAssign',
          'crmBulkHardDelete',
          'crmHardDelete',
          'crmRestore',
          'managementCreateStatus',
          'managementDeleteStatus',
          'managementPatchStatus',
          'managementReorderStatuses',
          'managementUpdateStatus',
        ].sort(),
      );
      const unknown = { id: UNKNOWN_ID, noteId: UNKNOWN_ID, fileId: 'unknown.mp3' };
      for (const { name, route } of ceoOnly) {
        const target = url(route.path, unknown);
        expect(await call(route, target), `${name} anonymous`).toBe(401);
        expect(await call(route, target, tokens.member), `${name} member with crm`).toBe(403);
        expect(await call(route, target, tokens.sales), `${name} sales manager`).toBe(403);
        expect([401, 403], `${name} CEO`).not.toContain(await call(route, target, tokens.ceo));
      }
    });

    it('the sales managers’ routes: by role, and only their own', async () => {
      const ceo = await as.ceo();
      const sales1 = await as.sales1();
      const sales1Id = await meId(sales1);
      const sales2Id = await meId(await as.sales2());
      const member = await newUser(world(), ceo, 'Member', ['crm']);
      const tokens = {
        member: await accessToken(member.client),
        sales: await accessToken(sales1),
        ceo: await accessToken(ceo),
      };
      const base = world().baseUrl;
      const get = (path: string, token?: string) =>
        fetch(`${base}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} }).then(async (res) => {
          await res.arrayBuffer();
          return res.status;
        });
      const cases: [string, { anonymous: number; member: number; sales: number; ceo: number }][] = [
        [`/crm/sales-managers/${sales1Id}/customers`, { anonymous: 401, member: 403, sales: 200, ceo: 200 }],
        [`/crm/sales-managers/${sales2Id}/customers`, { anonymous: 401, member: 403, sales: 403, ceo: 200 }],
        [`/crm/sales-managers/${sales1Id}/stats`, { anonymous: 401, member: 403, sales: 200, ceo: 200 }],
        [`/crm/sales-managers/${sales2Id}/stats`, { anonymous: 401, member: 403, sales: 403, ceo: 200 }],
        ['/crm/my-customers', { anonymous: 401, member: 403, sales: 200, ceo: 403 }],
        ['/crm/my-customers/stats', { anonymous: 401, member: 403, sales: 200, ceo: 403 }],
        [
          `/crm/sales-manager/stats?sales_manager_id=${sales1Id}`,
          { anonymous: 401, member: 403, sales: 200, ceo: 200 },
        ],
      ];
      for (const [path, expected] of cases) {
        expect(
          {
            anonymous: await get(path),
            member: await get(path, tokens.member),
            sales: await get(path, tokens.sales),
            ceo: await get(path, tokens.ceo),
          },
          path,
        ).toEqual(expected);
      }
    });
  });
}
