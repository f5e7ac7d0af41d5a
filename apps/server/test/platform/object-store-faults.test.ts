import { unwrap } from '@cims/sdk';
import { describe, expect, it } from 'vitest';
import { asInt } from '../../src/db/sql.js';
import {
  CEO,
  createCustomer,
  expectSameBytes,
  mp3Bytes,
  pictureForm,
  signIn,
  sql,
  storedRecordings,
  tokenOf,
} from '../crm/write-helpers.js';
import { createTestApp, type TestApp } from '../harness.js';
import { startS3FaultProxy } from '../s3-fault-proxy.js';
import { startS3Server } from '../s3-server.js';

/** A recording of several read chunks (64 KiB each), so a reset lands in the middle of its body. */
function recording(): Uint8Array<ArrayBuffer> {
  return new Uint8Array([...mp3Bytes(), ...new Uint8Array(300_000).map((_, i) => (i * 7) % 251)]);
}

function customerForm(audio: Uint8Array<ArrayBuffer>, name = 'Stored or not'): FormData {
  const form = new FormData();
  form.append('full_name', name);
  form.append('platform', 'telegram');
  form.append('phone_number', `+99890${String(Math.floor(Math.random() * 10_000_000)).padStart(7, '0')}`);
  form.append('status', 'need_to_call');
  form.append('audio', new Blob([audio], { type: 'audio/mpeg' }), 'call.mp3');
  return form;
}

async function customerCount(t: TestApp): Promise<number> {
  const [row] = await sql(t, 'select count(*) as n from customer');
  return asInt(row?.n);
}

/** The answer every route gives while the object store fails: the house shape, a 503 and when to come back. */
async function expectStorageUnavailable(res: Response): Promise<void> {
  expect(res.status).toBe(503);
  expect(res.headers.get('retry-after')).toBe('5');
  expect(await res.json()).toEqual({
    detail: 'The file store is unavailable; try again shortly',
    code: 'STORAGE_UNAVAILABLE',
  });
}

describe('an object store in trouble (S3_BUCKET behind a faulty network)', () => {
  it('sends a streamed PUT whose connection was reset once more from the temporary file: 201, the bytes whole', async () => {
    await using s3 = await startS3Server();
    await using proxy = await startS3FaultProxy(s3);
    await using t = await createTestApp({ env: proxy.env });
    const ceo = await signIn(t, CEO);
    const bytes = recording();

    proxy.resetNextPuts(1);
    const created = await createCustomer(ceo, { audio: new Blob([bytes], { type: 'audio/mpeg' }) });
    expect(proxy.resets).toBe(1);
    const detail = unwrap(await ceo.crm.detail({ params: { id: created.id } }));
    // The first PUT and its one retry, to the same key.
    expect(proxy.puts).toEqual([`customer-audio/${detail.audio_file_id}`, `customer-audio/${detail.audio_file_id}`]);
    expect(await storedRecordings(t)).toEqual([detail.audio_file_id]);
    const played = await fetch(`${t.url}${detail.audio_url}`);
    expect(played.status).toBe(200);
    expectSameBytes(await played.arrayBuffer(), bytes);
  });

  it('answers 503 STORAGE_UNAVAILABLE to uploads and downloads while the store fails, and writes no row', async () => {
    await using s3 = await startS3Server();
    await using proxy = await startS3FaultProxy(s3);
    await using t = await createTestApp({ env: proxy.env });
    const ceo = await signIn(t, CEO);
    const token = await tokenOf(ceo);
    const kept = recording();
    const existing = await createCustomer(ceo, { audio: new Blob([kept], { type: 'audio/mpeg' }) });
    const before = unwrap(await ceo.crm.detail({ params: { id: existing.id } }));
    const upload = () =>
      fetch(`${t.url}/auth/me/profile-image`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: pictureForm(),
      });
    const createWithRecording = () =>
      fetch(`${t.url}/crm/customers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: customerForm(recording()),
      });
    expect((await upload()).status).toBe(200);
    const picture = unwrap(await ceo.auth.me()).profile_image;
    expect(picture).toEqual(expect.any(String));

    // The store answers 503 to everything.
    proxy.mode = 'unavailable';
    await expectStorageUnavailable(await createWithRecording());
    expect(await customerCount(t)).toBe(1);

    const replaced = await fetch(`${t.url}/crm/customers/${existing.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}` },
      body: customerForm(recording(), 'Renamed while the store fails'),
    });
    await expectStorageUnavailable(replaced);
    const [row] = await sql(t, 'select full_name, audio_file_id from customer where id = ?', [existing.id]);
    expect(row).toEqual({ full_name: before.full_name, audio_file_id: before.audio_file_id });

    await expectStorageUnavailable(await upload());
    expect(unwrap(await ceo.auth.me()).profile_image).toBe(picture);

    await expectStorageUnavailable(await fetch(`${t.url}${before.audio_url}`));
    await expectStorageUnavailable(await fetch(`${t.url}${picture}`));

    // Reported, but the instance stays ready: the other routes still work, and every replica shares the store.
    const ready = await fetch(`${t.url}/readyz?verbose=true`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ok',
      checks: { files: { status: 'error', error: 'file store unavailable' }, database: { status: 'ok' } },
    });

    // The store drops every connection: the upload is tried twice (the SDK cannot retry a stream; the server does
    // once), then answered the same way.
    proxy.mode = 'drop';
    const putsBefore = proxy.puts.length;
    await expectStorageUnavailable(await createWithRecording());
    const dropped = proxy.puts.slice(putsBefore);
    expect(dropped).toHaveLength(2);
    expect(dropped[0]).toBe(dropped[1]);
    expect(await customerCount(t)).toBe(1);

    // Back to normal: nothing to restart, and what was there before is whole.
    proxy.mode = 'pass';
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
    const played = await fetch(`${t.url}${before.audio_url}`);
    expectSameBytes(await played.arrayBuffer(), kept);
    expect((await upload()).status).toBe(200);
    expect(await storedRecordings(t)).toEqual([before.audio_file_id]);

    const lines = t.logs.filter((line) => line.msg === 'File store unavailable');
    expect(lines).toHaveLength(6);
    expect(t.logs.some((line) => line.msg === 'Unhandled error')).toBe(false);
    expect(t.logText()).not.toContain(s3.env.S3_SECRET_ACCESS_KEY as string);
  });
});
