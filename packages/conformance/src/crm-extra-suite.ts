import { unwrap } from '@cims/sdk';
import { expect, it } from 'vitest';
import { actors, createCustomer, newPhone, newUser, unique } from './crm-kit.js';
import { mp3Bytes, oggBytes, pngBytes } from './fixtures.js';
import type { Target, withWorld as WithWorld } from './suite-kit.js';
import { accessToken } from './suite-kit.js';

/**
 * The details of the CRM beyond the CRM suite: bulk limits, note authors, intake input, and call recordings (ranges,
 * signatures, archived customers, file limits).
 */
export function crmExtraSuite(target: Target, withWorld: typeof WithWorld): void {
  withWorld(target, 'CRM: customers and notes in detail', (world) => {
    const as = actors(world);

    it('bulk archive counts each customer once, not the already archived; 422 for no ids or more than 1000', async () => {
      const sales = await as.sales1();
      const [a, b, c] = [await createCustomer(sales), await createCustomer(sales), await createCustomer(sales)];
      expect(unwrap(await sales.crm.bulkArchive({ body: { customer_ids: [c.id] } })).count).toBe(1);
      const bulk = await sales.crm.bulkArchive({ body: { customer_ids: [a.id, b.id, b.id, c.id] } });
      expect(bulk).toMatchObject({ status: 200, body: { count: 2 } });
      const empty = await sales.crm.bulkArchive({ body: { customer_ids: [] } });
      expect(empty).toMatchObject({ status: 422, body: { detail: [{ loc: ['body', 'customer_ids'] }] } });
      const tooMany = Array.from({ length: 1001 }, (_, i) => i + 1);
      expect((await sales.crm.bulkArchive({ body: { customer_ids: tooMany } })).status).toBe(422);
    });

    it('bulk hard delete is the CEO’s: a sales manager gets 403 and nothing is deleted', async () => {
      const sales = await as.sales1();
      const customer = await createCustomer(sales);
      const refused = await sales.crm.bulkHardDelete({ body: { customer_ids: [customer.id] } });
      expect(refused).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
      expect((await sales.crm.detail({ params: { id: customer.id } })).status).toBe(200);
    });

    it('a note names its author; when the author’s account is deleted the note stays, without an author', async () => {
      const ceo = await as.ceo();
      const customer = await createCustomer(ceo);
      const writer = await newUser(world(), ceo, { role: 'Member', pages: ['crm'] });
      const note = await writer.client.crm.createNote({ params: { id: customer.id }, body: { note: 'by a leaver' } });
      expect(note).toMatchObject({
        status: 201,
        body: { created_by: writer.id, created_by_full_name: expect.stringContaining('Member') },
      });
      expect((await ceo.ceo.deleteUser({ params: { id: writer.id } })).status).toBe(200);
      const after = unwrap(await ceo.crm.listNotes({ params: { id: customer.id } }));
      expect(after.items).toEqual([
        expect.objectContaining({ note: 'by a leaver', created_by: null, created_by_full_name: null }),
      ]);
    });

    it('intake stores the phone number as E.164 and answers 422 at body.status for an unknown status', async () => {
      const key = world().intakeKey;
      expect(key, 'the target must configure an intake key').toBeTruthy();
      const extraHeaders = { 'x-key': key ?? '' };
      const digits = newPhone().e164.slice(4);
      const spaced = `+998 ${digits.slice(0, 2)} ${digits.slice(2, 5)} ${digits.slice(5, 7)} ${digits.slice(7)}`;
      const body = { full_name: `Intake ${unique()}`, platform: 'website', phone_number: spaced };
      const created = unwrap(await world().newClient().crm.intake({ body, extraHeaders }));
      const detail = unwrap(await (await as.ceo()).crm.detail({ params: { id: created.id } }));
      expect(detail.phone_number).toBe(`+998${digits}`);
      const bad = await world()
        .newClient()
        .crm.intake({ body: { ...body, status: 'nope' }, extraHeaders });
      expect(bad).toMatchObject({ status: 422, body: { detail: [{ loc: ['body', 'status'] }] } });
    });
  });

  withWorld(target, 'CRM: recordings in detail', (world) => {
    const as = actors(world);
    const size = 64;

    async function recorded(bytes: Uint8Array<ArrayBuffer> = mp3Bytes(size), type = 'audio/mpeg') {
      const sales = await as.sales1();
      const created = await createCustomer(sales, { audio: new Blob([bytes], { type }) });
      const detail = unwrap(await sales.crm.detail({ params: { id: created.id } }));
      if (!detail.audio_url || !detail.audio_file_id) throw new Error('no audio_url');
      const url = new URL(`${world().baseUrl}${detail.audio_url}`);
      return { id: created.id, url, path: `${url.origin}${url.pathname}`, fileId: detail.audio_file_id };
    }

    it('names the file by its recognised type and signs its URL with expires and sig', async () => {
      const { url, fileId } = await recorded();
      expect(fileId).toMatch(/^[\w-]+\.mp3$/);
      expect(url.pathname).toBe(`/crm/customers/audio/${fileId}`);
      expect([...url.searchParams.keys()].sort()).toEqual(['expires', 'sig']);
      expect(url.searchParams.get('sig')).toMatch(/^[\w-]+$/);
    });

    it('serves suffix and open-ended ranges; 416 names the size in Content-Range', async () => {
      const { url } = await recorded();
      const middle = await fetch(url, { headers: { range: 'bytes=20-29' } });
      expect(middle.status).toBe(206);
      expect(middle.headers.get('content-range')).toBe(`bytes 20-29/${size}`);
      expect([...new Uint8Array(await middle.arrayBuffer())]).toEqual([20, 21, 22, 23, 24, 25, 26, 27, 28, 29]);
      const tail = await fetch(url, { headers: { range: 'bytes=-4' } });
      expect(tail.status).toBe(206);
      expect(tail.headers.get('content-range')).toBe(`bytes 60-63/${size}`);
      expect([...new Uint8Array(await tail.arrayBuffer())]).toEqual([60, 61, 62, 63]);
      const open = await fetch(url, { headers: { range: 'bytes=60-' } });
      expect(open.status).toBe(206);
      expect([...new Uint8Array(await open.arrayBuffer())]).toEqual([60, 61, 62, 63]);
      const outside = await fetch(url, { headers: { range: `bytes=${size}-100` } });
      expect(outside.status).toBe(416);
      expect(outside.headers.get('content-range')).toBe(`bytes */${size}`);
      expect(await outside.json()).toMatchObject({ code: 'RANGE_NOT_SATISFIABLE' });
    });

    it('half a signature is none (401); a made-up one, or one of another file, is a 403', async () => {
      const { url, path } = await recorded();
      const expiresOnly = await fetch(`${path}?expires=123`);
      expect(expiresOnly.status).toBe(401);
      expect(await expiresOnly.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
      const madeUp = await fetch(`${path}?expires=123&sig=abc`);
      expect(madeUp.status).toBe(403);
      expect(await madeUp.json()).toMatchObject({ code: 'INVALID_SIGNATURE' });
      const other = await recorded(oggBytes(), 'audio/ogg');
      const borrowed = await fetch(`${other.path}${url.search}`);
      expect(borrowed.status).toBe(403);
      expect(await borrowed.json()).toMatchObject({ code: 'INVALID_SIGNATURE' });
    });

    it('a bogus bearer token is a 401; an unknown file is a 404 NOT_FOUND', async () => {
      const { path } = await recorded();
      const bogus = await fetch(path, { headers: { authorization: 'Bearer nope' } });
      expect(bogus.status).toBe(401);
      await bogus.arrayBuffer();
      const ceo = await as.ceo();
      const missing = await ceo.crm.audio({ params: { file_id: 'nothing-here.mp3' } });
      expect(missing).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    });

    it('a user of another page (a Finance user) gets 403 for a recording', async () => {
      const { path } = await recorded();
      const finance = await newUser(world(), await as.ceo(), { role: 'Finance', pages: ['finance_list'] });
      const refused = await fetch(path, {
        headers: { authorization: `Bearer ${await accessToken(finance.client)}` },
      });
      expect(refused.status).toBe(403);
      await refused.arrayBuffer();
    });

    it('an archived customer’s recording: the CEO’s only with a token, anyone’s with the signed URL', async () => {
      const { id, url, path, fileId } = await recorded();
      const ceo = await as.ceo();
      expect((await ceo.crm.archive({ params: { id } })).status).toBe(200);
      const sales = await fetch(path, { headers: { authorization: `Bearer ${await accessToken(await as.sales1())}` } });
      expect(sales.status).toBe(404);
      await sales.arrayBuffer();
      expect((await ceo.crm.audio({ params: { file_id: fileId } })).status).toBe(200);
      const signed = await fetch(url);
      expect(signed.status).toBe(200);
      await signed.arrayBuffer();
    });

    it('an update replaces the recording: the old URL answers 404, the new one plays the new type', async () => {
      const { id, url } = await recorded();
      const sales = await as.sales1();
      const updated = unwrap(
        await sales.crm.patch({ params: { id }, body: { audio: new Blob([oggBytes()], { type: 'audio/ogg' }) } }),
      );
      expect(updated.audio_file_id).toMatch(/\.ogg$/);
      const old = await fetch(url);
      expect(old.status).toBe(404);
      await old.arrayBuffer();
      const now = await fetch(`${world().baseUrl}${updated.audio_url}`);
      expect(now.status).toBe(200);
      expect(now.headers.get('content-type')).toMatch(/^audio\/ogg/);
      await now.arrayBuffer();
    });

    it('refuses a picture as a recording (415), an empty file (400) and an MP3 over 25 MB (413), creating nothing', async () => {
      const sales = await as.sales1();
      const ceo = await as.ceo();
      const newest = async () => unwrap(await ceo.crm.latest({ query: { limit: 1 } }))[0]?.id;
      const before = await newest();
      const body = {
        full_name: 'Refused recording',
        platform: 'phone_call',
        phone_number: '+998901234567',
        status: 'contacted',
      };
      const picture = await sales.crm.create({ body: { ...body, audio: new Blob([pngBytes()]) } });
      expect(picture).toMatchObject({ status: 415, body: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
      const empty = await sales.crm.create({ body: { ...body, audio: new Blob([]) } });
      expect(empty).toMatchObject({ status: 400, body: { code: 'INVALID_FILE' } });
      const huge = await sales.crm.create({ body: { ...body, audio: new Blob([mp3Bytes(25 * 1024 * 1024 + 1)]) } });
      expect(huge).toMatchObject({ status: 413, body: { code: 'PAYLOAD_TOO_LARGE' } });
      expect(await newest()).toBe(before);
    });
  });
}
