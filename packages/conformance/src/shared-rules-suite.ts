import { unwrap } from '@cims/sdk';
import { expect, it } from 'vitest';
import { actors, newPhone, newUser, unique } from './crm-kit.js';
import type { Target, withWorld as WithWorld } from './suite-kit.js';

/**
 * Rules the server and the mocks once each wrote for themselves and that had drifted apart: the wording of a `403`,
 * of a refused intake key, and which MPEG frame headers count as audio. Each now lives once in
 * `@cims/contracts/rules`; these tests pin the answers (the literal text, not the shared constant, so a change of
 * wording is a visible change of the API).
 */
export function sharedRulesSuite(target: Target, withWorld: typeof WithWorld): void {
  withWorld(target, 'shared rules: wording and recognised recordings', (world) => {
    const as = actors(world);

    it('regression: the 403 of a roles-or-pages route names the role and the page in the same words', async () => {
      const member = await newUser(world(), await as.ceo(), { role: 'Member', pages: [] });
      const res = await member.client.management.listStatuses();
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ detail: 'This needs the role CEO or the page crm', code: 'FORBIDDEN' });
      const ceoOnly = await member.client.ceo.dashboard();
      expect(ceoOnly.status).toBe(403);
      expect(ceoOnly.body).toEqual({ detail: 'This needs the role CEO', code: 'FORBIDDEN' });
    });

    it('regression: a missing or wrong X-Key is refused with the same message', async () => {
      for (const key of ['wrong-key', undefined]) {
        const res = await world()
          .newClient()
          .crm.intake({
            body: { full_name: `Intake ${unique()}`, platform: 'Website', phone_number: newPhone().e164 },
            extraHeaders: key === undefined ? {} : { 'x-key': key },
          });
        expect(res.status, String(key)).toBe(401);
        expect(res.body, String(key)).toEqual({
          detail: 'The X-Key header is missing or wrong',
          code: 'INVALID_API_KEY',
        });
      }
    });

    it('regression: MPEG sync bits with a reserved version or a bare 0xFFE AAC header are no recording (415)', async () => {
      const ceo = await as.ceo();
      // 0xFF 0xEB: sync, version bits 01 (reserved), Layer III. 0xFF 0xE1: 11 sync bits and layer 00 but not the 12
      // of an ADTS header. Neither is a recording a player can play.
      for (const head of [
        [0xff, 0xeb, 0x90, 0x64],
        [0xff, 0xe1, 0x50, 0x80],
      ]) {
        const audio = new Blob([new Uint8Array([...head, ...Array(60).fill(0)])], { type: 'audio/mpeg' });
        const res = await ceo.crm.create({
          body: {
            full_name: `Not audio ${unique()}`,
            platform: 'telegram',
            phone_number: newPhone().e164,
            status: 'contacted',
            audio,
          },
        });
        expect(res.status, head.map((b) => b.toString(16)).join(' ')).toBe(415);
        expect(res.body).toEqual({
          detail: 'The recording must be MP3, OGG/Opus, WAV, M4A/AAC, FLAC or WebM',
          code: 'UNSUPPORTED_MEDIA_TYPE',
        });
      }
      // A real MPEG-1 Layer III frame header and an ADTS (AAC) one are still taken.
      for (const head of [
        [0xff, 0xfb, 0x90, 0x64],
        [0xff, 0xf1, 0x50, 0x80],
      ]) {
        const audio = new Blob([new Uint8Array([...head, ...Array(60).fill(0)])], { type: 'audio/mpeg' });
        const created = unwrap(
          await ceo.crm.create({
            body: {
              full_name: `Audio ${unique()}`,
              platform: 'telegram',
              phone_number: newPhone().e164,
              status: 'contacted',
              audio,
            },
          }),
        );
        expect(created.id).toEqual(expect.any(Number));
      }
    });

    it('regression: a file that is no picture is refused with the same 400 message', async () => {
      const ceo = await as.ceo();
      const text = new Blob([new TextEncoder().encode('just some text, not a picture')], { type: 'image/png' });
      const res = await ceo.auth.updateProfileImage({ body: { image: text } });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        detail: 'The picture must be one of image/jpeg, image/png, image/webp, image/gif',
        code: 'INVALID_FILE',
      });
    });
  });
}
