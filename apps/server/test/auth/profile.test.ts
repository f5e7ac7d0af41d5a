import { describe, expect, it } from 'vitest';
import { createTestApp } from '../harness.js';
import { bearer, CEO, getJson, tokens } from './helpers.js';

/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

function form(fields: Record<string, string>, file?: { name: string; bytes: Buffer; type: string }) {
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.append(k, v);
  if (file) data.append(file.name, new File([new Uint8Array(file.bytes)], 'picture.png', { type: file.type }));
  return data;
}

// The answers of the profile routes are the conformance suite's (run on this server and on the mocks); here the
// picture files the server keeps.
describe('the signed-in user’s profile', () => {
  it('PATCH /auth/me/profile (multipart, as the legacy client sends it) updates everything and serves the picture', async () => {
    await using t = await createTestApp();
    const pair = await tokens(t, CEO.email, CEO.password);
    const res = await fetch(`${t.url}/auth/me/profile`, {
      method: 'PATCH',
      headers: bearer(pair.access_token),
      body: form({ name: 'Aziz', surname: 'Karimov' }, { name: 'image', bytes: PNG, type: 'image/png' }),
    });
    expect(res.status).toBe(200);
    const me = (await getJson(t, '/auth/me', bearer(pair.access_token))).body;
    expect(me).toMatchObject({ name: 'Aziz', surname: 'Karimov' });
    expect(me.profile_image).toMatch(/^\/media\/profile-images\/[\w-]+\.png$/);
    const picture = await fetch(`${t.url}${me.profile_image}`);
    expect(picture.status).toBe(200);
    expect(Buffer.from(await picture.arrayBuffer()).equals(PNG)).toBe(true);
    // A new picture replaces the old file.
    const again = await fetch(`${t.url}/auth/me/profile-image`, {
      method: 'POST',
      headers: bearer(pair.access_token),
      body: form({}, { name: 'image', bytes: PNG, type: 'image/png' }),
    });
    expect(again.status).toBe(200);
    expect((await fetch(`${t.url}${me.profile_image}`)).status).toBe(404);
  });

  it('refuses a file that is not a picture (by its bytes), one too large, and an unpaired password', async () => {
    await using t = await createTestApp();
    const pair = await tokens(t, CEO.email, CEO.password);
    const notImage = await fetch(`${t.url}/auth/me/profile`, {
      method: 'PATCH',
      headers: bearer(pair.access_token),
      body: form({}, { name: 'image', bytes: Buffer.from('<?php evil(); ?>'), type: 'image/png' }),
    });
    expect(notImage.status).toBe(400);
    expect((await notImage.json()).code).toBe('INVALID_FILE');
    const big = Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024)]);
    const tooLarge = await fetch(`${t.url}/auth/me/profile-image`, {
      method: 'POST',
      headers: bearer(pair.access_token),
      body: form({}, { name: 'image', bytes: big, type: 'image/png' }),
    });
    expect(tooLarge.status).toBe(413);
    expect((await tooLarge.json()).code).toBe('PAYLOAD_TOO_LARGE');
    const unpaired = await fetch(`${t.url}/auth/me/profile`, {
      method: 'PATCH',
      headers: bearer(pair.access_token),
      body: form({ new_password: 'only-the-new-one' }),
    });
    expect(unpaired.status).toBe(422);
    const body = await unpaired.json();
    expect(body.detail[0].loc).toEqual(['body', 'current_password']);
    const missing = await fetch(`${t.url}/auth/me/profile-image`, {
      method: 'POST',
      headers: bearer(pair.access_token),
      body: form({ note: 'no file' }),
    });
    expect(missing.status).toBe(400);
    // Nothing was changed by the refused requests.
    expect((await getJson(t, '/auth/me', bearer(pair.access_token))).body.profile_image).toBeNull();
  });
});
