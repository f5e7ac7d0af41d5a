import { unwrap } from '@cims/sdk';
import { describe, expect, it } from 'vitest';
import { MOCK_USERS } from './state.js';
import { useTestWorld } from './test-world.js';

const w = useTestWorld();
const { client, mocks } = w;
const { ceo, sales1 } = MOCK_USERS;

async function as(user: { email: string; password: string }) {
  const { access_token } = await w.login(user.email, user.password);
  return w.bearer(access_token);
}

/** A small file that starts like an MP3 (an ID3v2 tag) followed by `size - 10` bytes 0, 1, 2, … */
function mp3(size = 64): File {
  const bytes = Uint8Array.from({ length: size }, (_, i) => i & 0xff);
  bytes.set([0x49, 0x44, 0x33, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]);
  return new File([bytes], 'call.mp3', { type: 'application/octet-stream' });
}

/** A small file that starts like an OGG page. */
function ogg(size = 48): File {
  const bytes = new Uint8Array(size);
  bytes.set([0x4f, 0x67, 0x67, 0x53, 0x00, 0x02]);
  return new File([bytes], 'call.ogg', { type: 'audio/ogg' });
}

const lead = { full_name: 'Caller', platform: 'phone_call', phone_number: '+998901234567', status: 'contacted' };

async function withRecording(file: File = mp3()) {
  const auth = await as(sales1);
  const { id } = unwrap(await client.crm.create({ body: { ...lead, audio: file }, ...auth }));
  const customer = unwrap(await client.crm.detail({ params: { id }, ...auth }));
  return { id, auth, customer, url: customer.audio_url ?? '' };
}

describe('call recordings', () => {
  it('a multipart create stores the recording; its signed audio_url plays without a token', async () => {
    const { customer, url } = await withRecording();
    expect(customer.audio_file_id).toMatch(/^[\w-]+\.mp3$/);
    expect(url).toMatch(/^\/crm\/customers\/audio\/[\w-]+\.mp3\?expires=\d+&sig=[\w-]+$/);
    expect(new URL(url, 'http://x').searchParams.get('expires')).toBe(
      String(Date.parse('2026-06-01T09:00:00Z') / 1000 + 3600),
    );

    const res = await w.fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/mpeg');
    expect(res.headers.get('content-length')).toBe('64');
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(new Uint8Array(await mp3().arrayBuffer()));
    expect(mocks.state.crm.recordings.get(customer.audio_file_id ?? '')?.media_type).toBe('audio/mpeg');
  });

  it('serves byte ranges: 206 with Content-Range, 416 outside the file', async () => {
    const { url } = await withRecording();
    const part = await w.fetch(url, { headers: { range: 'bytes=10-19' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 10-19/64');
    expect(part.headers.get('content-length')).toBe('10');
    expect([...new Uint8Array(await part.arrayBuffer())]).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    const tail = await w.fetch(url, { headers: { range: 'bytes=-4' } });
    expect(tail.status).toBe(206);
    expect(tail.headers.get('content-range')).toBe('bytes 60-63/64');
    const open = await w.fetch(url, { headers: { range: 'bytes=60-' } });
    expect([...new Uint8Array(await open.arrayBuffer())]).toEqual([60, 61, 62, 63]);
    const outside = await w.fetch(url, { headers: { range: 'bytes=64-100' } });
    expect(outside.status).toBe(416);
    expect(outside.headers.get('content-range')).toBe('bytes */64');
    expect(await outside.json()).toMatchObject({ code: 'RANGE_NOT_SATISFIABLE' });
  });

  it('no token and no signature → 401; a wrong or expired signature → 403 INVALID_SIGNATURE', async () => {
    const { url, auth } = await withRecording();
    const path = url.split('?')[0] ?? '';
    const bare = await w.fetch(path);
    expect(bare.status).toBe(401);
    expect(await bare.json()).toMatchObject({ code: 'UNAUTHENTICATED' });

    const forged = url.replace(/sig=[\w-]+/, 'sig=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    expect(await (await w.fetch(forged)).json()).toMatchObject({ code: 'INVALID_SIGNATURE' });
    const later = url.replace(/expires=(\d+)/, (_, n) => `expires=${Number(n) + 3600}`);
    expect((await w.fetch(later)).status).toBe(403);
    // Half a signature is none.
    expect((await w.fetch(`${path}?expires=123`)).status).toBe(401);
    expect((await w.fetch(`${path}?expires=123&sig=abc`)).status).toBe(403);
    // The signature covers the file id: it does not open another recording.
    const other = (await withRecording(ogg())).url.split('?')[0] ?? '';
    expect((await w.fetch(`${other}?${url.split('?')[1]}`)).status).toBe(403);

    w.advance(3601_000);
    const expired = await w.fetch(url);
    expect(expired.status).toBe(403);
    expect(await expired.json()).toMatchObject({ code: 'INVALID_SIGNATURE', detail: expect.stringMatching(/expired/) });
    // A fresh read of the customer signs a fresh URL.
    const fresh = unwrap(await client.crm.detail({ params: { id: 41 }, ...auth })).audio_url ?? '';
    expect((await w.fetch(fresh)).status).toBe(200);
  });

  it('a CRM user’s token works without a signature; another user’s token gets 403', async () => {
    const { url, customer } = await withRecording();
    const path = url.split('?')[0] ?? '';
    const boss = await as(ceo);
    const res = await client.crm.audio({ params: { file_id: customer.audio_file_id ?? '' }, ...boss });
    expect(res.status).toBe(200);
    expect(res.body).toBeInstanceOf(Blob);
    expect((res.body as Blob).size).toBe(64);
    mocks.users.add({
      email: 'finance@cims.local',
      password: 'long-enough-1',
      role: 'Finance',
      pages: ['finance_list'],
    });
    const { access_token } = await w.login('finance@cims.local', 'long-enough-1');
    expect((await w.fetch(path, { headers: { authorization: `Bearer ${access_token}` } })).status).toBe(403);
    expect((await w.fetch(path, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    const missing = await client.crm.audio({ params: { file_id: 'nothing-here.mp3' }, ...boss });
    expect(missing).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });

    // An archived customer's recording: the CEO's only with a token, anyone's with the signed URL.
    await client.crm.archive({ params: { id: 41 }, ...boss });
    const sales = (await w.login(sales1.email, sales1.password)).access_token;
    expect((await w.fetch(path, { headers: { authorization: `Bearer ${sales}` } })).status).toBe(404);
    expect((await client.crm.audio({ params: { file_id: customer.audio_file_id ?? '' }, ...boss })).status).toBe(200);
    expect((await w.fetch(url)).status).toBe(200);
  });

  it('an update replaces the recording; a hard delete removes it', async () => {
    const { id, auth, url } = await withRecording();
    const updated = unwrap(await client.crm.patch({ params: { id }, body: { audio: ogg() }, ...auth }));
    expect(updated.audio_file_id).toMatch(/\.ogg$/);
    expect((await w.fetch(url)).status).toBe(404);
    const now = await w.fetch(updated.audio_url ?? '');
    expect(now.headers.get('content-type')).toBe('audio/ogg');
    expect(mocks.state.crm.recordings.size).toBe(3); // the two seeded ones and this one
    await client.crm.hardDelete({ params: { id }, ...(await as(ceo)) });
    expect(mocks.state.crm.recordings.size).toBe(2);
  });

  it('refuses what is not audio (415), an empty file (400) and more than 25 MB (413)', async () => {
    const auth = await as(sales1);
    const text = new File(['just some text'], 'call.mp3', { type: 'audio/mpeg' });
    const notAudio = await client.crm.create({ body: { ...lead, audio: text }, ...auth });
    expect(notAudio).toMatchObject({ status: 415, body: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
    const png = new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])], 'x.png');
    expect((await client.crm.create({ body: { ...lead, audio: png }, ...auth })).status).toBe(415);
    const empty = await client.crm.create({ body: { ...lead, audio: new File([], 'e.mp3') }, ...auth });
    expect(empty).toMatchObject({ status: 400, body: { code: 'INVALID_FILE' } });
    const huge = new File([new Uint8Array(25 * 1024 * 1024 + 1)], 'big.mp3');
    expect(await client.crm.create({ body: { ...lead, audio: huge }, ...auth })).toMatchObject({
      status: 413,
      body: { code: 'PAYLOAD_TOO_LARGE' },
    });
    expect(mocks.state.crm.customers.size).toBe(40);
  });

  it('the seeded recordings are real WAV files an app can play', async () => {
    const seeded = mocks.crm.customers().filter((c) => c.audio_url);
    expect(seeded).toHaveLength(2);
    const res = await w.fetch(seeded[0]?.audio_url ?? '');
    expect(res.headers.get('content-type')).toBe('audio/wav');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(String.fromCharCode(...bytes.subarray(0, 4), ...bytes.subarray(8, 12))).toBe('RIFFWAVE');
  });
});
