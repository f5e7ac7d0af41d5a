import { unwrap } from '@cims/sdk';
import { describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../harness.js';
import { CEO, createCustomer, mp3Bytes, SALES, signIn, sql, tokenOf, unique } from './write-helpers.js';

/** A customer with a recording, and its signed URL. */
async function recorded(t: TestApp) {
  const ceo = await signIn(t, CEO);
  const created = await createCustomer(ceo, { audio: new Blob([mp3Bytes()], { type: 'audio/mpeg' }) });
  const detail = unwrap(await ceo.crm.detail({ params: { id: created.id } }));
  if (!detail.audio_url || !detail.audio_file_id) throw new Error('no recording');
  return { ceo, id: created.id, url: new URL(`${t.url}${detail.audio_url}`), fileId: detail.audio_file_id };
}

describe('call recordings (GET /crm/customers/audio/{file_id})', () => {
  it('plays a signed URL without a token: bytes, type, length, ranges; HEAD; 416 outside the file', async () => {
    await using t = await createTestApp();
    const { url } = await recorded(t);
    const bytes = mp3Bytes();
    const expires = Number(url.searchParams.get('expires'));
    expect(expires - Date.now() / 1000).toBeGreaterThan(3500);
    expect(expires - Date.now() / 1000).toBeLessThanOrEqual(3600);

    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/mpeg');
    expect(res.headers.get('content-length')).toBe(String(bytes.length));
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('cache-control')).toMatch(/^private/);
    // regression (the API's `default-src 'none'` kept a recording opened in a tab from playing): a media document of
    // its own may load its bytes, frontends on other origins may embed it, and only the app's own pages may frame it.
    expect(res.headers.get('content-security-policy')).toBe(
      "default-src 'none'; media-src 'self'; frame-ancestors 'self'",
    );
    expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);

    const part = await fetch(url, { headers: { range: 'bytes=10-13' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 10-13/${bytes.length}`);
    expect(part.headers.get('content-length')).toBe('4');
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(bytes.slice(10, 14));
    const tail = await fetch(url, { headers: { range: 'bytes=-5' } });
    expect(tail.status).toBe(206);
    expect(new Uint8Array(await tail.arrayBuffer())).toEqual(bytes.slice(-5));

    const outside = await fetch(url, { headers: { range: `bytes=${bytes.length}-` } });
    expect(outside.status).toBe(416);
    expect(outside.headers.get('content-range')).toBe(`bytes */${bytes.length}`);
    expect((await outside.json()).code).toBe('RANGE_NOT_SATISFIABLE');

    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(bytes.length));
    expect((await head.arrayBuffer()).byteLength).toBe(0);

    // The signature plays the recording by itself: it never reaches the logs.
    const sig = url.searchParams.get('sig') ?? 'missing';
    expect(t.logText()).toContain('sig=[redacted]');
    expect(t.logText()).not.toContain(sig);
  });

  it('refuses a tampered or expired signature (403), no signature and no token (401)', async () => {
    await using t = await createTestApp();
    const { url, fileId } = await recorded(t);
    const audio = t.server.app.context.customers.audio;
    const path = `${t.url}/crm/customers/audio/${fileId}`;

    const tampered = new URL(url);
    const sig = url.searchParams.get('sig') ?? '';
    tampered.searchParams.set('sig', `${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`);
    const forged = await fetch(tampered);
    expect(forged.status).toBe(403);
    expect((await forged.json()).code).toBe('INVALID_SIGNATURE');

    const extended = new URL(url);
    extended.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 3600));
    expect((await fetch(extended)).status).toBe(403);

    // Signed with the server's own key, but for a moment in the past.
    const past = Math.floor(Date.now() / 1000) - 1;
    const expired = await fetch(`${path}?expires=${past}&sig=${audio.signature(fileId, past)}`);
    expect(expired.status).toBe(403);
    expect((await expired.json()).code).toBe('INVALID_SIGNATURE');
    // A signature of another file does not open this one.
    const future = Math.floor(Date.now() / 1000) + 60;
    expect((await fetch(`${path}?expires=${future}&sig=${audio.signature('other.mp3', future)}`)).status).toBe(403);
    expect((await fetch(`${path}?expires=${future}&sig=${audio.signature(fileId, future)}`)).status).toBe(200);

    const bare = await fetch(path);
    expect(bare.status).toBe(401);
    expect(bare.headers.get('www-authenticate')).toBe('Bearer');
    expect((await bare.json()).code).toBe('UNAUTHENTICATED');
    expect((await fetch(`${path}?sig=${sig}`)).status).toBe(401);
    // A valid signature of a recording nobody has any more: 404.
    const gone = `${t.url}/crm/customers/audio/gone.mp3?expires=${future}&sig=${audio.signature('gone.mp3', future)}`;
    expect((await fetch(gone)).status).toBe(404);
  });

  it('plays with a CRM user’s token; a Member without the crm page gets 403; archived ones are the CEO’s', async () => {
    await using t = await createTestApp();
    const { ceo, id, fileId } = await recorded(t);
    const sales = await signIn(t, SALES);
    const res = await sales.crm.audio({ params: { file_id: fileId } });
    expect(res.status).toBe(200);
    if (res.status === 200) expect(new Uint8Array(await (res.body as Blob).arrayBuffer())).toEqual(mp3Bytes());

    const email = `member-${unique()}@example.com`;
    unwrap(
      await ceo.ceo.createUser({ body: { email, password: 'member-password', name: 'M', role: 'Member', pages: [] } }),
    );
    const member = await signIn(t, { email, password: 'member-password' });
    const path = `${t.url}/crm/customers/audio/${fileId}`;
    const refused = await fetch(path, { headers: { authorization: `Bearer ${await tokenOf(member)}` } });
    expect(refused.status).toBe(403);
    // A token, when sent, is checked even with a signature: a bad one is a 401 (the client refreshes).
    const { url } = await recorded(t);
    expect((await fetch(url, { headers: { authorization: 'Bearer nonsense' } })).status).toBe(401);

    unwrap(await ceo.crm.archive({ params: { id } }));
    expect((await sales.crm.audio({ params: { file_id: fileId } })).status).toBe(404);
    expect((await ceo.crm.audio({ params: { file_id: fileId } })).status).toBe(200);
    const [row] = await sql(t, 'select audio_media_type from customer where id = ?', [id]);
    expect(row?.audio_media_type).toBe('audio/mpeg');
  });
});

describe('PUBLIC_API_URL', () => {
  it('prefixes audio_url, for clients that reach the API under a prefix such as /api', async () => {
    await using t = await createTestApp({ env: { PUBLIC_API_URL: '/api/' } });
    const ceo = await signIn(t, CEO);
    const created = await createCustomer(ceo, { audio: new Blob([mp3Bytes()], { type: 'audio/mpeg' }) });
    const detail = unwrap(await ceo.crm.detail({ params: { id: created.id } }));
    expect(detail.audio_url).toMatch(/^\/api\/crm\/customers\/audio\/[\w-]+\.mp3\?expires=\d+&sig=[\w-]+$/);
    // Behind the proxy that strips /api, the rest of the URL plays.
    const res = await fetch(`${t.url}${detail.audio_url?.slice('/api'.length)}`);
    expect(res.status).toBe(200);
  });
});
