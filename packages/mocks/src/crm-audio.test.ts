import { unwrap } from '@cims/sdk';
import { describe, expect, it } from 'vitest';
import { MOCK_USERS } from './state.js';
import { T0, useTestWorld } from './test-world.js';

// What a client sees of call recordings is the conformance suite's (run on the server and on these mocks); here only
// what the mocks alone have: their clock, their in-memory store of recordings and the seeded files.

const w = useTestWorld();
const { client, mocks } = w;
const { ceo, sales1 } = MOCK_USERS;

async function as(user: { email: string; password: string }) {
  const { access_token } = await w.login(user.email, user.password);
  return w.bearer(access_token);
}

/** A small file that starts like an MP3 (an ID3v2 tag). */
function mp3(size = 64): File {
  const bytes = new Uint8Array(size);
  bytes.set([0x49, 0x44, 0x33, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]);
  return new File([bytes], 'call.mp3', { type: 'application/octet-stream' });
}

const lead = { full_name: 'Caller', platform: 'phone_call', phone_number: '+998901234567', status: 'contacted' };

async function withRecording() {
  const auth = await as(sales1);
  const { id } = unwrap(await client.crm.create({ body: { ...lead, audio: mp3() }, ...auth }));
  const customer = unwrap(await client.crm.detail({ params: { id }, ...auth }));
  return { id, auth, customer, url: customer.audio_url ?? '' };
}

describe('call recordings in the mocks', () => {
  it('signs an audio_url for an hour of the mocks’ clock; later a fresh read signs a fresh one', async () => {
    const { id, auth, url } = await withRecording();
    expect(new URL(url, 'http://x').searchParams.get('expires')).toBe(String(T0 / 1000 + 3600));
    expect((await w.fetch(url)).status).toBe(200);
    w.advance(3601_000);
    const expired = await w.fetch(url);
    expect(expired.status).toBe(403);
    expect(await expired.json()).toMatchObject({ code: 'INVALID_SIGNATURE', detail: expect.stringMatching(/expired/) });
    const fresh = unwrap(await client.crm.detail({ params: { id }, ...auth })).audio_url ?? '';
    expect((await w.fetch(fresh)).status).toBe(200);
  });

  it('keeps recordings in its store with their media type; an update and a hard delete drop them', async () => {
    const { id, auth, customer } = await withRecording();
    expect(mocks.state.crm.recordings.get(customer.audio_file_id ?? '')?.media_type).toBe('audio/mpeg');
    expect(mocks.state.crm.recordings.size).toBe(3); // the two seeded ones and this one
    unwrap(await client.crm.patch({ params: { id }, body: { audio: mp3(32) }, ...auth }));
    expect(mocks.state.crm.recordings.size).toBe(3);
    await client.crm.hardDelete({ params: { id }, ...(await as(ceo)) });
    expect(mocks.state.crm.recordings.size).toBe(2);
  });

  it('stores nothing for a refused recording', async () => {
    const auth = await as(sales1);
    const text = new File(['just some text'], 'call.mp3', { type: 'audio/mpeg' });
    expect((await client.crm.create({ body: { ...lead, audio: text }, ...auth })).status).toBe(415);
    expect(mocks.state.crm.customers.size).toBe(40);
    expect(mocks.state.crm.recordings.size).toBe(2);
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
