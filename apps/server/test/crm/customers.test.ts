import { leadInsights } from '@cims/contracts';
import { unwrap } from '@cims/sdk';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../harness.js';
import {
  CEO,
  createCustomer,
  issueLocs,
  legacyForm,
  mp3Bytes,
  newPhone,
  SALES,
  sendForm,
  signIn,
  sql,
  storedRecordings,
  tokenOf,
  unique,
  userId,
} from './write-helpers.js';

describe('creating customers', () => {
  it('takes the legacy client’s multipart create and edit forms as they are sent', async () => {
    await using t = await createTestApp();
    const ceo = await signIn(t, CEO);
    const token = await tokenOf(ceo);
    const phone = newPhone();
    const created = await sendForm(
      t,
      'POST',
      '/crm/customers',
      legacyForm({
        full_name: 'Aziz Karimov',
        platform: 'Telegram Bot',
        phone_number: phone.national,
        username: '@aziz',
        assistant_name: 'Cognilabs AI',
        notes: 'Dental clinic, 12 years in business, big budget.',
        conversation_language: 'uz',
        customer_type: 'local',
        status: 'Need_To_Call',
        recall_time: '2030-03-03T09:53:00+05:00',
        audio: new Blob([mp3Bytes()], { type: 'audio/mpeg' }),
      }),
      token,
    );
    expect(created.res.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toEqual({
      message: expect.any(String),
      id: expect.any(Number),
      sales_manager_id: expect.any(Number),
    });
    const id = created.body.id as number;
    const detail = unwrap(await ceo.crm.detail({ params: { id } }));
    expect(detail).toMatchObject({
      full_name: 'Aziz Karimov',
      platform: 'telegram_bot',
      phone_number: phone.e164,
      username: '@aziz',
      assistant_name: 'Cognilabs AI',
      conversation_language: 'uz',
      customer_type: 'local',
      status: 'need_to_call',
      status_label: 'Need to Call',
      status_category: 'open',
      recall_time: '2030-03-03T09:53:00.000+05:00',
      sales_manager: { id: created.body.sales_manager_id },
      ...leadInsights('Dental clinic, 12 years in business, big budget.'),
      additional_notes: [],
      is_archived: false,
    });
    expect(detail.audio_url).toMatch(/^\/crm\/customers\/audio\/[\w-]+\.mp3\?expires=\d+&sig=[\w-]+$/);
    expect(await storedRecordings(t)).toEqual([detail.audio_file_id]);

    // The edit form: every field again, platform title-cased, the language as received in upper case, the status
    // twice, a recall time with another offset.
    const edited = await sendForm(
      t,
      'PATCH',
      `/crm/customers/${id}`,
      legacyForm({
        full_name: 'Aziz Karimov',
        platform: 'Telegram Bot',
        phone_number: phone.e164,
        username: '@aziz',
        assistant_name: 'Cognilabs AI',
        notes: 'Dental clinic, 12 years in business, big budget.',
        conversation_language: 'RU',
        status: 'contacted',
        customer_status: 'contacted',
        recall_time: '2030-03-04T10:00:00+03:00',
      }),
      token,
    );
    expect(edited.res.status, JSON.stringify(edited.body)).toBe(200);
    expect(edited.body).toMatchObject({
      id,
      platform: 'telegram_bot',
      conversation_language: 'ru',
      status: 'contacted',
      customer_type: 'local',
      recall_time: '2030-03-04T12:00:00.000+05:00',
      audio_file_id: detail.audio_file_id,
    });
    // A recall time without an offset is business time; clear_recall_time wins when sent with one.
    const local = await sendForm(
      t,
      'PATCH',
      `/crm/customers/${id}`,
      legacyForm({ recall_time: '2030-05-01T08:15' }),
      token,
    );
    expect(local.body.recall_time).toBe('2030-05-01T08:15:00.000+05:00');
    const cleared = await sendForm(
      t,
      'PATCH',
      `/crm/customers/${id}`,
      legacyForm({ recall_time: '2030-05-02T08:15:00+05:00', clear_recall_time: 'true' }),
      token,
    );
    expect(cleared.body.recall_time).toBeNull();

    const history = unwrap(await ceo.crm.statusHistory({ params: { id } }));
    expect(history.map((h) => [h.from_status, h.to_status, h.changed_by_full_name])).toEqual([
      [null, 'need_to_call', 'Demo CEO'],
      ['need_to_call', 'contacted', 'Demo CEO'],
    ]);
    expect(history[0]?.changed_at).toMatch(/\+05:00$/);
  });

  it('takes a URL-encoded create without a file, with defaults', async () => {
    await using t = await createTestApp();
    const sales = await signIn(t, SALES);
    const phone = newPhone();
    const res = await fetch(`${t.url}/crm/customers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await tokenOf(sales)}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        full_name: 'Malika',
        platform: 'instagram',
        phone_number: phone.national,
        customer_status: 'contacted',
        username: '',
      }).toString(),
    });
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(201);
    const detail = unwrap(await sales.crm.detail({ params: { id: body.id } }));
    expect(detail).toMatchObject({
      full_name: 'Malika',
      status: 'contacted',
      username: null,
      conversation_language: 'uz',
      customer_type: null,
      recall_time: null,
      audio_file_id: null,
      audio_url: null,
      aisummary: null,
    });
    const [row] = await sql(t, 'select created_by, source from customer where id = ?', [body.id]);
    expect(row).toMatchObject({ created_by: await userId(t, SALES.email), source: 'ui' });
  });

  it('stores text with semicolons, quotes and question marks as typed, and finds it again (both databases)', async () => {
    await using t = await createTestApp();
    const sales = await signIn(t, SALES);
    const name = `O'Neil; Promo? ${unique()}`;
    const notes = "call back; busy -- try again? '; drop table customer; --";
    const res = await fetch(`${t.url}/crm/customers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await tokenOf(sales)}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        full_name: name,
        platform: 'telegram',
        phone_number: newPhone().national,
        status: 'contacted',
        notes,
      }),
    });
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(201);
    expect(body.id).toEqual(expect.any(Number));
    expect(unwrap(await sales.crm.detail({ params: { id: body.id } }))).toMatchObject({ full_name: name, notes });
    const found = unwrap(await sales.crm.dashboard({ query: { search: "O'Neil; Promo?", show_all: true } }));
    expect(found.total_items).toBe(1);
    expect(found.customers.map((c) => c.id)).toEqual([body.id]);
  });

  it('answers 422 for an unknown status (listing the active ones), platform, customer type, language, a bad phone; nothing is created', async () => {
    await using t = await createTestApp();
    const ceo = await signIn(t, CEO);
    const base = { full_name: `Invalid ${unique()}`, platform: 'telegram', phone_number: newPhone().e164 };
    const unknown = await ceo.crm.create({ body: { ...base, status: 'nope' } });
    expect(unknown.status).toBe(422);
    expect(issueLocs(unknown.body)).toEqual([['body', 'status']]);
    expect(JSON.stringify(unknown.body)).toContain(
      'contacted, project_started, continuing, finished, rejected, need_to_call',
    );
    const platform = await ceo.crm.create({ body: { ...base, status: 'contacted', platform: 'myspace' } });
    expect(platform.status).toBe(422);
    expect(issueLocs(platform.body)).toEqual([['body', 'platform']]);
    const kind = await ceo.crm.create({ body: { ...base, status: 'contacted', customer_type: 'wholesale' as never } });
    expect(kind.status).toBe(422);
    expect(issueLocs(kind.body)).toEqual([['body', 'customer_type']]);
    expect(JSON.stringify(kind.body)).toContain("'local', 'international'");
    const language = await ceo.crm.create({
      body: { ...base, status: 'contacted', conversation_language: 'klingon' as never },
    });
    expect(language.status).toBe(422);
    expect(issueLocs(language.body)).toEqual([['body', 'conversation_language']]);
    // Every problem at once. (A day that does not exist, 2030-02-30, is refused by the contract before these checks;
    // 1970-01-01T03:00 is a valid date-time that, read in the business zone, falls before the accepted range.)
    const both = await ceo.crm.create({
      body: { ...base, phone_number: '123', status: 'nope', recall_time: '1970-01-01T03:00' },
    });
    expect(both.status).toBe(422);
    expect(issueLocs(both.body).sort()).toEqual([
      ['body', 'phone_number'],
      ['body', 'recall_time'],
      ['body', 'status'],
    ]);
    const disagree = await ceo.crm.create({ body: { ...base, status: 'contacted', customer_status: 'rejected' } });
    expect(disagree.status).toBe(422);
    expect(await sql(t, 'select id from customer')).toEqual([]);
    expect(await sql(t, 'select id from customer_status_change')).toEqual([]);
  });

  it('refuses a file that is not audio (415), an empty one (400) and one over 25 MB (413), storing nothing', async () => {
    await using t = await createTestApp();
    const ceo = await signIn(t, CEO);
    const token = await tokenOf(ceo);
    const form = (audio: Blob) =>
      legacyForm({
        full_name: 'File',
        platform: 'telegram',
        phone_number: newPhone().e164,
        status: 'contacted',
        audio,
      });
    const text = await sendForm(
      t,
      'POST',
      '/crm/customers',
      form(new Blob(['not a recording'], { type: 'audio/mpeg' })),
      token,
    );
    expect(text.res.status).toBe(415);
    expect(text.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const empty = await sendForm(t, 'POST', '/crm/customers', form(new Blob([], { type: 'audio/mpeg' })), token);
    expect(empty.res.status).toBe(400);
    const big = new Uint8Array(25 * 1024 * 1024 + 1);
    big.set(mp3Bytes());
    const tooLarge = await sendForm(t, 'POST', '/crm/customers', form(new Blob([big], { type: 'audio/mpeg' })), token);
    expect(tooLarge.res.status).toBe(413);
    expect(tooLarge.body.code).toBe('PAYLOAD_TOO_LARGE');
    // Other audio formats are recognised by their bytes, whatever they are called.
    const ogg = new Blob([new TextEncoder().encode('OggS\0\x02rest-of-an-ogg-page')], {
      type: 'application/octet-stream',
    });
    const ok = await sendForm(t, 'POST', '/crm/customers', form(ogg), token);
    expect(ok.res.status).toBe(201);
    expect(unwrap(await ceo.crm.detail({ params: { id: ok.body.id } })).audio_file_id).toMatch(/\.ogg$/);
    expect(await storedRecordings(t)).toHaveLength(1);
    expect(await sql(t, 'select id from customer')).toHaveLength(1);
  });
});

describe('updating customers', () => {
  it('keeps absent fields, clears emptied ones, records only real status changes; 404 for unknown or archived', async () => {
    await using t = await createTestApp();
    const ceo = await signIn(t, CEO);
    const sales = await signIn(t, SALES);
    const salesId = await userId(t, SALES.email);
    const created = await createCustomer(ceo, {
      username: 'before',
      assistant_name: 'Bot',
      chat_url: 'https://chat.example/?conversation_id=7',
      customer_type: 'international',
      recall_time: '2030-02-01T09:00:00+05:00',
    });
    const before = unwrap(await ceo.crm.detail({ params: { id: created.id } }));

    // Nothing to change is still a 200, and touches nothing.
    const same = unwrap(await sales.crm.update({ params: { id: created.id }, body: {} }));
    expect(same.updated_at).toBe(before.updated_at);
    const again = unwrap(await sales.crm.patch({ params: { id: created.id }, body: { status: 'NEED_TO_CALL' } }));
    expect(again.updated_at).toBe(before.updated_at);

    const patched = unwrap(
      await sales.crm.patch({
        params: { id: created.id },
        body: { username: '', chat_url: '', customer_type: '', assistant_name: 'Ali', customer_status: 'Contacted' },
      }),
    );
    expect(patched).toMatchObject({
      username: null,
      chat_url: null,
      customer_type: null,
      assistant_name: 'Ali',
      status: 'contacted',
      full_name: before.full_name,
      phone_number: before.phone_number,
      recall_time: before.recall_time,
    });
    const history = unwrap(await ceo.crm.statusHistory({ params: { id: created.id } }));
    expect(history.map((h) => [h.from_status, h.to_status, h.changed_by])).toEqual([
      [null, 'need_to_call', await userId(t, CEO.email)],
      ['need_to_call', 'contacted', salesId],
    ]);
    const [change] = await sql(
      t,
      'select sales_manager_id from customer_status_change where customer_id = ? order by id desc limit 1',
      [created.id],
    );
    expect(change?.sales_manager_id).toBe(created.sales_manager_id);
    const actions = await sql(t, `select action from audit_log where module = 'crm' and entity_id = ? order by id`, [
      String(created.id),
    ]);
    expect(actions.map((a) => a.action)).toEqual(['create', 'update', 'status_change']);
    // No personal data in the audit log.
    const audit = JSON.stringify(await sql(t, `select data from audit_log where module = 'crm'`));
    expect(audit).not.toContain(before.phone_number);
    expect(audit).not.toContain(before.full_name);

    const differ = await sales.crm.patch({
      params: { id: created.id },
      body: { status: 'finished', customer_status: 'rejected' },
    });
    expect(differ.status).toBe(422);
    const bad = await sales.crm.patch({ params: { id: created.id }, body: { phone_number: '12', status: 'nope' } });
    expect(issueLocs(bad.body).sort()).toEqual([
      ['body', 'phone_number'],
      ['body', 'status'],
    ]);
    expect((await sales.crm.patch({ params: { id: 999_999 }, body: { full_name: 'x' } })).status).toBe(404);

    unwrap(await sales.crm.archive({ params: { id: created.id } }));
    expect((await sales.crm.patch({ params: { id: created.id }, body: { full_name: 'x' } })).status).toBe(404);
    expect((await sales.crm.detail({ params: { id: created.id } })).status).toBe(404);
    expect((await sales.crm.statusHistory({ params: { id: created.id } })).status).toBe(404);
    expect(
      unwrap(await ceo.crm.patch({ params: { id: created.id }, body: { full_name: 'By the CEO' } })).full_name,
    ).toBe('By the CEO');
  });

  it('a customer keeps a status that was deactivated, and may be saved with it; others cannot be given it', async () => {
    await using t = await createTestApp();
    const ceo = await signIn(t, CEO);
    const created = await createCustomer(ceo, { status: 'rejected' });
    const rejected = unwrap(await ceo.management.listStatuses()).find((s) => s.name === 'rejected');
    unwrap(await ceo.management.patchStatus({ params: { id: rejected?.id ?? 0 }, body: { is_active: false } }));
    const saved = await ceo.crm.patch({
      params: { id: created.id },
      body: { status: 'rejected', customer_status: 'rejected', full_name: 'Still rejected' },
    });
    expect(saved.status).toBe(200);
    const other = await createCustomer(ceo);
    const refused = await ceo.crm.patch({ params: { id: other.id }, body: { status: 'rejected' } });
    expect(refused.status).toBe(422);
    expect(JSON.stringify(refused.body)).not.toContain('rejected,');
  });

  it('replaces the recording, removing the old file after the commit; a refused update stores nothing', async () => {
    await using t = await createTestApp();
    const ceo = await signIn(t, CEO);
    const created = await createCustomer(ceo, { audio: new Blob([mp3Bytes()], { type: 'audio/mpeg' }) });
    const first = unwrap(await ceo.crm.detail({ params: { id: created.id } }));
    expect(await storedRecordings(t)).toEqual([first.audio_file_id]);

    // A 422 (the status) with a valid recording: nothing stored, nothing changed.
    const refused = await ceo.crm.patch({
      params: { id: created.id },
      body: { status: 'nope', full_name: 'Changed', audio: new Blob([mp3Bytes()], { type: 'audio/mpeg' }) },
    });
    expect(refused.status).toBe(422);
    expect(await storedRecordings(t)).toEqual([first.audio_file_id]);
    expect(unwrap(await ceo.crm.detail({ params: { id: created.id } })).full_name).toBe(first.full_name);

    const wav = new Uint8Array(44);
    wav.set(new TextEncoder().encode('RIFF'), 0);
    wav.set(new TextEncoder().encode('WAVEfmt '), 8);
    const replaced = unwrap(
      await ceo.crm.patch({ params: { id: created.id }, body: { audio: new Blob([wav], { type: 'audio/wav' }) } }),
    );
    expect(replaced.audio_file_id).toMatch(/\.wav$/);
    expect(await storedRecordings(t)).toEqual([replaced.audio_file_id]);
    const [row] = await sql(t, 'select audio_media_type from customer where id = ?', [created.id]);
    expect(row?.audio_media_type).toBe('audio/wav');

    // A failure inside the transaction, after the new file was written: it is removed, the old one stays.
    await sql(
      t,
      `create function refuse_update() returns trigger language plpgsql as $$
         begin if new.full_name = 'Explode' then raise exception 'refused by the test'; end if; return new; end $$`,
    );
    await sql(
      t,
      'create trigger refuse_update before update on customer for each row execute function refuse_update()',
    );
    const failed = await ceo.crm.patch({
      params: { id: created.id },
      body: { full_name: 'Explode', audio: new Blob([mp3Bytes()], { type: 'audio/mpeg' }) },
    });
    expect(failed.status).toBe(500);
    expect(await storedRecordings(t)).toEqual([replaced.audio_file_id]);
    expect(unwrap(await ceo.crm.detail({ params: { id: created.id } }))).toMatchObject({
      full_name: first.full_name,
      audio_file_id: replaced.audio_file_id,
    });

    // Deleting the customer for good removes its recording.
    unwrap(await ceo.crm.hardDelete({ params: { id: created.id } }));
    expect(await storedRecordings(t)).toEqual([]);
  });
});
