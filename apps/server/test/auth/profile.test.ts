import { describe, expect, it } from 'vitest';
import { createTestApp } from '../harness.js';
import { bearer, CEO, getJson, login, SALES, sendJson, tokens } from './helpers.js';

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

describe('the signed-in user’s profile', () => {
  it('PATCH /auth/me/profile-info changes name and surname; nothing → 400 NOTHING_TO_UPDATE', async () => {
    await using t = await createTestApp();
    const pair = await tokens(t, SALES.email, SALES.password);
    const res = await sendJson(t, 'PATCH', '/auth/me/profile-info', { name: '  Malika ' }, bearer(pair.access_token));
    expect(res.res.status).toBe(200);
    expect((await getJson(t, '/auth/me', bearer(pair.access_token))).body.name).toBe('Malika');
    const empty = await sendJson(t, 'PATCH', '/auth/me/profile-info', {}, bearer(pair.access_token));
    expect(empty.res.status).toBe(400);
    expect(empty.body.code).toBe('NOTHING_TO_UPDATE');
    const blank = await sendJson(t, 'PATCH', '/auth/me/profile-info', { surname: '   ' }, bearer(pair.access_token));
    expect(blank.res.status).toBe(422);
  });

  it('PATCH /auth/me/password: a wrong current password is 400 (never 401); success ends the other sessions', async () => {
    await using t = await createTestApp();
    const here = await tokens(t, SALES.email, SALES.password, 'here');
    const elsewhere = await tokens(t, SALES.email, SALES.password, 'elsewhere');
    const wrong = await sendJson(
      t,
      'PATCH',
      '/auth/me/password',
      { current_password: 'nope', new_password: 'new-password-1' },
      bearer(here.access_token),
    );
    expect(wrong.res.status).toBe(400);
    expect(wrong.body.code).toBe('WRONG_CURRENT_PASSWORD');
    const ok = await sendJson(
      t,
      'PATCH',
      '/auth/me/password',
      { current_password: SALES.password, new_password: 'new-password-1' },
      bearer(here.access_token),
    );
    expect(ok.res.status).toBe(200);
    expect((await getJson(t, '/auth/me', bearer(here.access_token))).res.status).toBe(200);
    expect((await getJson(t, '/auth/me', bearer(elsewhere.access_token))).res.status).toBe(401);
    expect((await login(t, SALES.email, 'new-password-1')).res.status).toBe(200);
  });

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

  it('accepts the multipart profile form URL-encoded when there is no file', async () => {
    await using t = await createTestApp();
    const pair = await tokens(t, CEO.email, CEO.password);
    const res = await fetch(`${t.url}/auth/me/profile`, {
      method: 'PATCH',
      headers: bearer(pair.access_token),
      body: new URLSearchParams({ surname: 'Encoded' }),
    });
    expect(res.status).toBe(200);
    expect((await getJson(t, '/auth/me', bearer(pair.access_token))).body.surname).toBe('Encoded');
  });
});
