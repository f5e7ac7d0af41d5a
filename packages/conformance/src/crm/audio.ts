import { unwrap } from '@cims/sdk';
import { expect, it } from 'vitest';
import { actors, createCustomer, mp3Bytes, newPhone, newUser, unique } from '../crm-kit.js';
import { accessToken, type Target, type withWorld as WithWorld } from '../suite-kit.js';

/** Call recordings: upload, replace, play through a signed URL. */
export function crmAudioSuite(target: Target, withWorld: typeof WithWorld): void {
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
      const member = await newUser(world(), await as.ceo(), { role: 'Member', pages: [] });
      const refused = await fetch(`${world().baseUrl}/crm/customers/audio/${fileId}`, {
        headers: { authorization: `Bearer ${await accessToken(member.client)}` },
      });
      expect(refused.status).toBe(403);
      await refused.arrayBuffer();
    });

    // A recording over 25 MB is a 413 (crm-extra-suite): its type passes first.
    it('regression: a file over 25 MB that is no recording is a 415, not a 413 (the type is judged before the size)', async () => {
      const ceo = await as.ceo();
      const text = new TextEncoder().encode('just some text, not a recording');
      const notAudio = await ceo.crm.create({
        body: {
          full_name: `Large upload ${unique()}`,
          platform: 'telegram',
          phone_number: newPhone().e164,
          status: 'contacted',
          audio: new Blob([text, new Uint8Array(25 * 1024 * 1024)], { type: 'audio/mpeg' }),
        },
      });
      expect(notAudio.status).toBe(415);
      expect(notAudio.body).toEqual({
        detail: 'The recording must be MP3, OGG/Opus, WAV, M4A/AAC, FLAC or WebM',
        code: 'UNSUPPORTED_MEDIA_TYPE',
      });
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
}
