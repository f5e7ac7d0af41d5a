import { unwrap } from '@cims/sdk';
import { describe, expect, it } from 'vitest';
import { MOCK_USERS } from './state.js';
import { useTestWorld } from './test-world.js';

const w = useTestWorld();
const { client, mocks } = w;
const { ceo } = MOCK_USERS;

/** Call arguments signed in as the seeded CEO. */
async function asCeo() {
  const { access_token } = await w.login(ceo.email, ceo.password);
  return w.bearer(access_token);
}

// The management rules themselves are pinned by the conformance suite, on the server and the mocks alike.
describe('reset()', () => {
  it('reset() brings back the built-in pages and roles only', async () => {
    const auth = await asCeo();
    unwrap(await client.management.createRole({ body: { name: 'auditor', display_name: 'A' }, ...auth }));
    unwrap(await client.management.createPage({ body: { name: 'reports', display_name: 'R' }, ...auth }));
    unwrap(await client.management.patchPage({ params: { id: 1 }, body: { display_name: 'Home' }, ...auth }));
    mocks.reset();
    expect(mocks.state.roles.size).toBe(6);
    expect(mocks.state.pages.size).toBe(10);
    expect(mocks.state.pages.get(1)?.display_name).toBe('Dashboard');
    const again = await asCeo();
    const page = unwrap(await client.management.createPage({ body: { name: 'reports', display_name: 'R' }, ...again }));
    expect(page.id).toBe(11);
  });
});
