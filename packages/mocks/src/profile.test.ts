import { describe, expect, it } from 'vitest';
import { MOCK_USERS } from './state.js';
import { BASE_URL, pngFile, useTestWorld } from './test-world.js';

// What a client sees of the profile routes is the conformance suite's (run on the server and on these mocks); here
// only the mocks' own media store: where pictures are kept and that a replaced one is dropped.

const w = useTestWorld();
const { client, mocks } = w;
const { ceo, sales1 } = MOCK_USERS;

function form(fields: Record<string, string | File>): FormData {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) data.append(key, value);
  return data;
}

describe('profile pictures in the mocks', () => {
  it('are numbered in the order they arrive and served under /media/profile-images', async () => {
    const { access_token } = await w.login(sales1.email, sales1.password);
    const picture = pngFile(128);
    const res = await client.auth.updateProfile({ body: form({ image: picture }), ...w.bearer(access_token) });
    expect(res.status).toBe(200);
    expect(mocks.users.find(sales1.email)?.profile_image).toBe('/media/profile-images/1.png');
    const served = await fetch(`${BASE_URL}/media/profile-images/1.png`);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(new Uint8Array(await picture.arrayBuffer()));
  });

  it('drop the old file when a new picture replaces it', async () => {
    const { access_token } = await w.login(ceo.email, ceo.password);
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
});
