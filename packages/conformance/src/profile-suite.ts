import { type CimsClient, unwrap } from '@cims/sdk';
import { expect, it } from 'vitest';
import { unique } from './crm-kit.js';
import { pngBytes } from './fixtures.js';
import type { Target, withWorld as WithWorld, World } from './suite-kit.js';
import { accessToken, SEEDED, signedIn } from './suite-kit.js';

function form(fields: Record<string, string | Blob>): FormData {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) data.append(key, value);
  return data;
}

/** A picture the server and the mocks recognise as PNG. */
function png(size = 64): Blob {
  return new Blob([pngBytes(size)], { type: 'image/png' });
}

/** A new Member created by the seeded CEO (so that a test may change its password), and a client signed in as it. */
async function member(world: World): Promise<{ who: { email: string; password: string }; client: CimsClient }> {
  const ceo = await signedIn(world, SEEDED.ceo);
  const who = { email: `profile-${unique()}@example.com`, password: 'profile-password-1' };
  unwrap(await ceo.ceo.createUser({ body: { ...who, name: 'Profile', surname: 'Owner', role: 'Member' } }));
  return { who, client: await signedIn(world, who) };
}

/** The signed-in user's own profile and password: `/auth/me/profile-info`, `/password`, `/profile`, `/profile-image`. */
export function profileSuite(target: Target, withWorld: typeof WithWorld): void {
  withWorld(target, 'the profile', (world) => {
    it('profile-info changes the name, trimmed, and leaves the surname alone', async () => {
      const { client } = await member(world());
      const res = await client.auth.updateProfileInfo({ body: { name: '  Aziza ' } });
      expect(res).toMatchObject({ status: 200, body: { success: true } });
      expect(unwrap(await client.auth.me())).toMatchObject({ name: 'Aziza', surname: 'Owner' });
    });

    it('profile-info answers 422 at body.surname for a blank surname', async () => {
      const { client } = await member(world());
      const blank = await client.auth.updateProfileInfo({ body: { surname: '   ' } });
      expect(blank).toMatchObject({ status: 422, body: { detail: [{ loc: ['body', 'surname'] }] } });
    });

    it('a password change keeps this session, ends every other one, and the new password signs in', async () => {
      const { who, client } = await member(world());
      const other = await signedIn(world(), who);
      const res = await client.auth.changePassword({
        body: { current_password: who.password, new_password: 'another-password' },
      });
      expect(res.status).toBe(200);
      expect((await client.auth.me()).status).toBe(200);
      const ended = await fetch(`${world().baseUrl}/auth/me`, {
        headers: { authorization: `Bearer ${await accessToken(other)}` },
      });
      expect(ended.status).toBe(401);
      await ended.arrayBuffer();
      await signedIn(world(), { ...who, password: 'another-password' });
    });

    it('a password change applies the new-password rules (422 at body.new_password)', async () => {
      const { who, client } = await member(world());
      const res = await client.auth.changePassword({
        body: { current_password: who.password, new_password: '        ' },
      });
      expect(res).toMatchObject({ status: 422, body: { detail: [{ loc: ['body', 'new_password'] }] } });
    });

    it('the multipart profile changes the password with the current one, ending the other sessions', async () => {
      const { who, client } = await member(world());
      const other = await signedIn(world(), who);
      const res = await client.auth.updateProfile({
        body: form({ current_password: who.password, new_password: 'profile-form-password' }),
      });
      expect(res.status).toBe(200);
      const ended = await fetch(`${world().baseUrl}/auth/me`, {
        headers: { authorization: `Bearer ${await accessToken(other)}` },
      });
      expect(ended.status).toBe(401);
      await ended.arrayBuffer();
      expect((await client.auth.me()).status).toBe(200);
      await signedIn(world(), { ...who, password: 'profile-form-password' });
    });

    it('the multipart profile wants the password pair together (422), the right current password (400) and something to do (400)', async () => {
      const { who, client } = await member(world());
      const half = await client.auth.updateProfile({ body: form({ current_password: who.password }) });
      expect(half).toMatchObject({ status: 422, body: { detail: [{ loc: ['body', 'new_password'] }] } });
      const otherHalf = await client.auth.updateProfile({ body: form({ new_password: 'profile-form-password' }) });
      expect(otherHalf).toMatchObject({ status: 422, body: { detail: [{ loc: ['body', 'current_password'] }] } });
      const weak = await client.auth.updateProfile({
        body: form({ current_password: who.password, new_password: 'short' }),
      });
      expect(weak).toMatchObject({ status: 422, body: { detail: [{ loc: ['body', 'new_password'] }] } });
      const wrong = await client.auth.updateProfile({
        body: form({ name: 'Changed', current_password: 'not-it', new_password: 'profile-form-password' }),
      });
      expect(wrong).toMatchObject({ status: 400, body: { code: 'WRONG_CURRENT_PASSWORD' } });
      // The refused request applied nothing.
      expect(unwrap(await client.auth.me())).toMatchObject({ name: 'Profile' });
      const nothing = await client.auth.updateProfile({ body: form({}) });
      expect(nothing).toMatchObject({ status: 400, body: { code: 'NOTHING_TO_UPDATE' } });
    });

    it('the multipart profile takes URL-encoded text fields too', async () => {
      const { client } = await member(world());
      const res = await fetch(`${world().baseUrl}/auth/me/profile`, {
        method: 'PATCH',
        headers: {
          authorization: `Bearer ${await accessToken(client)}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'surname=Urlencoded',
      });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
      expect(unwrap(await client.auth.me()).surname).toBe('Urlencoded');
    });

    it('the multipart profile updates the name and the picture, which is served at profile_image', async () => {
      const { client } = await member(world());
      const picture = pngBytes(128);
      const res = await client.auth.updateProfile({
        body: form({ name: 'Dilnoza', surname: 'Karimova', image: new Blob([picture], { type: 'image/png' }) }),
      });
      expect(res).toMatchObject({ status: 200, body: { success: true } });
      const me = unwrap(await client.auth.me());
      expect(me).toMatchObject({
        name: 'Dilnoza',
        surname: 'Karimova',
        profile_image: expect.stringMatching(/\.png$/),
      });
      const served = await fetch(new URL(me.profile_image ?? '', world().baseUrl));
      expect(served.status).toBe(200);
      expect(served.headers.get('content-type')).toMatch(/^image\/png/);
      expect(new Uint8Array(await served.arrayBuffer())).toEqual(picture);
    });

    it('refuses a file that is not an image (400 INVALID_FILE), even when it claims to be one, or is empty', async () => {
      const { client } = await member(world());
      for (const image of [
        new Blob(['hello'], { type: 'text/plain' }),
        new Blob(['not really a png'], { type: 'image/png' }),
        new Blob([], { type: 'image/png' }),
      ]) {
        const res = await client.auth.updateProfile({ body: form({ image }) });
        expect(res).toMatchObject({ status: 400, body: { code: 'INVALID_FILE' } });
      }
    });

    it('profile-image requires the image part (400 INVALID_FILE)', async () => {
      const { client } = await member(world());
      const missing = await client.auth.updateProfileImage({ body: form({}) });
      expect(missing).toMatchObject({ status: 400, body: { code: 'INVALID_FILE' } });
    });

    it('refuses a picture over 5 MB with 413 PAYLOAD_TOO_LARGE', async () => {
      const { client } = await member(world());
      const res = await client.auth.updateProfile({ body: form({ image: png(5 * 1024 * 1024 + 1) }) });
      expect(res).toMatchObject({ status: 413, body: { code: 'PAYLOAD_TOO_LARGE' } });
    });

    it('regression: a second file under another field name was a 400 MALFORMED_BODY, not INVALID_FILE', async () => {
      const { client } = await member(world());
      const extra = await client.auth.updateProfileImage({ body: form({ image: png(), avatar: png() }) });
      expect(extra, JSON.stringify(extra.body)).toMatchObject({ status: 400, body: { code: 'INVALID_FILE' } });
    });
  });
}
