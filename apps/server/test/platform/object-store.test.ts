import { unwrap } from '@cims/sdk';
import { describe, expect, it } from 'vitest';
import { BlobStoreError } from '../../src/modules/files/blob-store.js';
import {
  CEO,
  createCustomer,
  expectSameBytes,
  mp3Bytes,
  PNG_BYTES,
  pictureForm,
  signIn,
  storedRecordings,
  tokenOf,
} from '../crm/write-helpers.js';
import { createTestApp } from '../harness.js';
import { startS3Server } from '../s3-server.js';

describe('files in an S3-compatible bucket (S3_BUCKET)', () => {
  it('stores, plays (whole, ranges, 416) and deletes a call recording through the bucket', async () => {
    await using s3 = await startS3Server();
    await using t = await createTestApp({ env: s3.env });
    expect(t.server.app.context.blobs.kind).toBe('s3');
    const ceo = await signIn(t, CEO);
    // Larger than one read chunk, so the stream from the bucket is really streamed.
    const bytes = new Uint8Array([...mp3Bytes(), ...new Uint8Array(200_000).map((_, i) => i % 251)]);
    const created = await createCustomer(ceo, { audio: new Blob([bytes], { type: 'audio/mpeg' }) });
    const detail = unwrap(await ceo.crm.detail({ params: { id: created.id } }));
    expect(await storedRecordings(t)).toEqual([detail.audio_file_id]);
    const url = `${t.url}${detail.audio_url}`;

    const whole = await fetch(url);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-length')).toBe(String(bytes.length));
    expectSameBytes(await whole.arrayBuffer(), bytes);

    const part = await fetch(url, { headers: { range: 'bytes=100000-100009' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100000-100009/${bytes.length}`);
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(bytes.slice(100_000, 100_010));
    const tail = await fetch(url, { headers: { range: 'bytes=-7' } });
    expect(tail.status).toBe(206);
    expect(new Uint8Array(await tail.arrayBuffer())).toEqual(bytes.slice(-7));
    const outside = await fetch(url, { headers: { range: `bytes=${bytes.length}-` } });
    expect(outside.status).toBe(416);
    expect(outside.headers.get('content-range')).toBe(`bytes */${bytes.length}`);
    expect(await outside.json()).toMatchObject({ code: 'RANGE_NOT_SATISFIABLE' });
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(bytes.length));

    // Deleting the customer for good removes the object; its URL then answers 404, as on the local store.
    unwrap(await ceo.crm.hardDelete({ params: { id: created.id } }));
    expect(await storedRecordings(t)).toEqual([]);
    expect((await fetch(url)).status).toBe(404);
    // A name that was never stored is a 404 too, not an error of the store.
    expect(await t.server.app.context.blobs.open('customer-audio', 'no-such-file.mp3')).toBeUndefined();
  });

  it('stores and serves a profile picture from the bucket; a replaced one is gone', async () => {
    await using s3 = await startS3Server();
    await using t = await createTestApp({ env: s3.env });
    const ceo = await signIn(t, CEO);
    const token = await tokenOf(ceo);
    const upload = () =>
      fetch(`${t.url}/auth/me/profile-image`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: pictureForm(),
      });
    expect((await upload()).status).toBe(200);
    const me = unwrap(await ceo.auth.me());
    expect(me.profile_image).toMatch(/^\/media\/profile-images\/[\w-]+\.png$/);
    const picture = await fetch(`${t.url}${me.profile_image}`);
    expect(picture.status).toBe(200);
    expect(picture.headers.get('content-type')).toBe('image/png');
    expect(picture.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(Buffer.from(await picture.arrayBuffer()).equals(PNG_BYTES)).toBe(true);

    expect((await upload()).status).toBe(200);
    const replaced = await fetch(`${t.url}${me.profile_image}`);
    expect(replaced.status).toBe(404);
    expect(await replaced.json()).toMatchObject({ code: 'NOT_FOUND' });
    expect(await t.server.app.context.blobs.list('profile-images')).toHaveLength(1);
  });

  it('refuses to start on a bucket that does not exist, naming the setting', async () => {
    await using s3 = await startS3Server();
    const started = createTestApp({ env: { ...s3.env, S3_BUCKET: 'no-such-bucket' } });
    await expect(started).rejects.toBeInstanceOf(BlobStoreError);
    await expect(started).rejects.toThrow(
      /S3_BUCKET: the bucket "no-such-bucket" does not exist at http:\/\/127\.0\.0\.1/,
    );
  });

  it('/readyz reports the object store going away, and the instance stays ready for the other routes', async () => {
    const s3 = await startS3Server();
    await using t = await createTestApp({ env: s3.env });
    const ready = await fetch(`${t.url}/readyz?verbose=true`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ checks: { files: { status: 'ok' } } });
    await s3.close();
    const gone = await fetch(`${t.url}/readyz?verbose=true`);
    expect(gone.status).toBe(200);
    expect(await gone.json()).toMatchObject({
      status: 'ok',
      checks: { files: { status: 'error', error: 'file store unavailable' }, database: { status: 'ok' } },
    });
    expect(t.logText()).not.toContain(s3.env.S3_SECRET_ACCESS_KEY as string);
  });
});
