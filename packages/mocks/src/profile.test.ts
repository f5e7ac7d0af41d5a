import { describe, expect, it } from 'vitest';
import { MOCK_USERS } from './state.js';
import { BASE_URL, pngFile, useTestWorld } from './test-world.js';

const w = useTestWorld();
const { client, mocks } = w;
const { ceo, sales1 } = MOCK_USERS;

function form(fields: Record<string, string | File>): FormData {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) data.append(key, value);
  return data;
}

describe('PATCH /auth/me/profile-info', () => {
  it('changes name and surname, trimmed', async () => {
    const { access_token } = await w.login(sales1.email, sales1.password);
    const res = await client.auth.updateProfileInfo({ body: { name: '  Aziza ' }, ...w.bearer(access_token) });
    expect(res).toMatchObject({ status: 200, body: { success: true } });
    expect((await client.auth.me(w.bearer(access_token))).body).toMatchObject({ name: 'Aziza', surname: 'Sales' });
  });

  it('answers 400 NOTHING_TO_UPDATE for an empty body and 422 for a blank name', async () => {
    const { access_token } = await w.login(sales1.email, sales1.password);
    const nothing = await client.auth.updateProfileInfo({ body: {}, ...w.bearer(access_token) });
    expect(nothing).toMatchObject({ status: 400, body: { code: 'NOTHING_TO_UPDATE' } });
    const blank = await client.auth.updateProfileInfo({ body: { surname: '   ' }, ...w.bearer(access_token) });
    expect(blank).toMatchObject({ status: 422, body: { detail: [{ loc: ['body', 'surname'] }] } });
  });
});

describe('PATCH /auth/me/password', () => {
  it('refuses a wrong current password with 400, not 401', async () => {
    const { access_token } = await w.login(ceo.email, ceo.password);
    const res = await client.auth.changePassword({
      body: { current_password: 'wrong-one', new_password: 'another-password' },
      ...w.bearer(access_token),
    });
    expect(res).toMatchObject({ status: 400, body: { code: 'WRONG_CURRENT_PASSWORD' } });
  });

  it('changes the password and ends every other session', async () => {
    const mine = await w.login(ceo.email, ceo.password);
    const other = await w.login(ceo.email, ceo.password);
    const res = await client.auth.changePassword({
      body: { current_password: ceo.password, new_password: 'another-password' },
      ...w.bearer(mine.access_token),
    });
    expect(res.status).toBe(200);
    expect((await client.auth.me(w.bearer(mine.access_token))).status).toBe(200);
    expect((await client.auth.me(w.bearer(other.access_token))).status).toBe(401);
    expect((await client.auth.refresh({ body: { refresh_token: mine.refresh_token } })).status).toBe(200);
    await w.login(ceo.email, 'another-password');
  });

  it('applies the new-password rules (422)', async () => {
    const { access_token } = await w.login(ceo.email, ceo.password);
    const res = await client.auth.changePassword({
      body: { current_password: ceo.password, new_password: '        ' },
      ...w.bearer(access_token),
    });
    expect(res).toMatchObject({ status: 422, body: { detail: [{ loc: ['body', 'new_password'] }] } });
  });
});

describe('PATCH /auth/me/profile (multipart)', () => {
  it('updates the name and uploads a picture served at its URL path', async () => {
    const { access_token } = await w.login(sales1.email, sales1.password);
    const picture = pngFile(128);
    const res = await client.auth.updateProfile({
      body: form({ name: 'Dilnoza', surname: 'Karimova', image: picture }),
      ...w.bearer(access_token),
    });
    expect(res).toMatchObject({ status: 200, body: { success: true } });
    const me = await client.auth.me(w.bearer(access_token));
    expect(me.body).toMatchObject({
      name: 'Dilnoza',
      surname: 'Karimova',
      profile_image: '/media/profile-images/1.png',
    });

    const served = await fetch(`${BASE_URL}/media/profile-images/1.png`);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(new Uint8Array(await picture.arrayBuffer()));
  });

  it('changes the password with the current one, ending the other sessions', async () => {
    const mine = await w.login(ceo.email, ceo.password);
    const other = await w.login(ceo.email, ceo.password);
    const res = await client.auth.updateProfile({
      body: form({ current_password: ceo.password, new_password: 'profile-form-password' }),
      ...w.bearer(mine.access_token),
    });
    expect(res.status).toBe(200);
    expect((await client.auth.me(w.bearer(other.access_token))).status).toBe(401);
    expect((await client.auth.me(w.bearer(mine.access_token))).status).toBe(200);
    await w.login(ceo.email, 'profile-form-password');
  });

  it('wants the password pair together (422), the right current password (400) and something to do (400)', async () => {
    const { access_token } = await w.login(ceo.email, ceo.password);
    const half = await client.auth.updateProfile({
      body: form({ current_password: ceo.password }),
      ...w.bearer(access_token),
    });
    expect(half).toMatchObject({ status: 422, body: { detail: [{ loc: ['body', 'new_password'] }] } });
    const otherHalf = await client.auth.updateProfile({
      body: form({ new_password: 'profile-form-password' }),
      ...w.bearer(access_token),
    });
    expect(otherHalf).toMatchObject({ status: 422, body: { detail: [{ loc: ['body', 'current_password'] }] } });
    const weak = await client.auth.updateProfile({
      body: form({ current_password: ceo.password, new_password: 'short' }),
      ...w.bearer(access_token),
    });
    expect(weak).toMatchObject({ status: 422, body: { detail: [{ loc: ['body', 'new_password'] }] } });
    const wrong = await client.auth.updateProfile({
      body: form({ name: 'Changed', current_password: 'not-it', new_password: 'profile-form-password' }),
      ...w.bearer(access_token),
    });
    expect(wrong).toMatchObject({ status: 400, body: { code: 'WRONG_CURRENT_PASSWORD' } });
    // Nothing was applied by the refused request.
    expect((await client.auth.me(w.bearer(access_token))).body).toMatchObject({ name: 'Demo' });
    const nothing = await client.auth.updateProfile({ body: form({}), ...w.bearer(access_token) });
    expect(nothing).toMatchObject({ status: 400, body: { code: 'NOTHING_TO_UPDATE' } });
  });

  it('takes URL-encoded text fields too', async () => {
    const { access_token } = await w.login(ceo.email, ceo.password);
    const res = await w.fetch('/auth/me/profile', {
      method: 'PATCH',
      headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'surname=Urlencoded',
    });
    expect(res.status).toBe(200);
    expect(mocks.users.find(ceo.email)?.surname).toBe('Urlencoded');
  });

  it('refuses a file that is not an image (400 INVALID_FILE), even when it claims to be one', async () => {
    const { access_token } = await w.login(ceo.email, ceo.password);
    for (const image of [
      new File(['hello'], 'notes.txt', { type: 'text/plain' }),
      new File(['not really a png'], 'fake.png', { type: 'image/png' }),
      new File([], 'empty.png', { type: 'image/png' }),
    ]) {
      const res = await client.auth.updateProfile({ body: form({ image }), ...w.bearer(access_token) });
      expect(res).toMatchObject({ status: 400, body: { code: 'INVALID_FILE' } });
    }
  });

  it('refuses a picture over the route’s maxBytes with 413', async () => {
    const { access_token } = await w.login(ceo.email, ceo.password);
    const res = await client.auth.updateProfile({
      body: form({ image: pngFile(5 * 1024 * 1024 + 1) }),
      ...w.bearer(access_token),
    });
    expect(res).toMatchObject({ status: 413, body: { code: 'PAYLOAD_TOO_LARGE' } });
  });
});

describe('POST /auth/me/profile-image', () => {
  it('requires the image part (400 INVALID_FILE) and replaces the picture, dropping the old file', async () => {
    const { access_token } = await w.login(ceo.email, ceo.password);
    const missing = await client.auth.updateProfileImage({ body: form({}), ...w.bearer(access_token) });
    expect(missing).toMatchObject({ status: 400, body: { code: 'INVALID_FILE' } });

    const first = await client.auth.updateProfileImage({ body: form({ image: pngFile() }), ...w.bearer(access_token) });
    expect(first.status).toBe(200);
    const gif = new File([new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 1, 0, 1, 0])], 'x.gif', {
      type: 'image/gif',
    });
    const second = await client.auth.updateProfileImage({ body: form({ image: gif }), ...w.bearer(access_token) });
    expect(second).toMatchObject({
      status: 200,
      body: { message: expect.stringContaining('/media/profile-images/2.gif') },
    });
    expect((await fetch(`${BASE_URL}/media/profile-images/1.png`)).status).toBe(404);
    expect((await fetch(`${BASE_URL}/media/profile-images/2.gif`)).status).toBe(200);
  });

  it('refuses a file under another field name', async () => {
    const { access_token } = await w.login(ceo.email, ceo.password);
    const res = await client.auth.updateProfileImage({
      body: form({ image: pngFile(), avatar: pngFile() }),
      ...w.bearer(access_token),
    });
    expect(res).toMatchObject({ status: 400, body: { code: 'INVALID_FILE' } });
  });
});
