// A CommonJS app (`"type": "commonjs"`: TypeScript compiles these imports to `require`), on zod 4: the SDK's `require`
// branch, the mocks intercepting fetch, one sign-in, `auth.me()` and one CRM call, then the same call on a client of
// one generated route (`@cims/sdk/routes/crm`) sharing the tokens.

import { MOCK_USERS } from '@cims/mocks';
import { createMockServer } from '@cims/mocks/node';
import { CimsApiError, createCimsClient, createCimsDomainClient, memoryTokenStore, unwrap } from '@cims/sdk';
import { dashboard } from '@cims/sdk/routes/crm';
import { z } from 'zod';

// zod 4's top-level string formats: this line does not compile on zod 3, so the app really is on zod 4.
const Me = z.object({ email: z.email(), role: z.string() });

async function main() {
  const baseUrl = 'http://cims.test';
  const mocks = createMockServer({ baseUrl });
  mocks.server.listen({ onUnhandledRequest: 'error' });
  try {
    const tokenStore = memoryTokenStore();
    const cims = createCimsClient({ baseUrl, tokenStore });
    const { sales1 } = MOCK_USERS;
    await cims.login({ email: sales1.email, password: sales1.password });
    const me = Me.parse(unwrap(await cims.auth.me()));
    const page = unwrap(await cims.crm.dashboard({ query: { page: 1 } }));
    const total: number = page.total_items;
    const light = createCimsDomainClient({ baseUrl, tokenStore, domains: { crm: { dashboard } } });
    const again = unwrap(await light.crm.dashboard({ query: { page: 1 } }));
    if (again.total_items !== total) throw new Error('the light client saw another dashboard');
    const missing = await cims.crm.detail({ params: { id: 999_999 } });
    if (missing.status !== 404) throw new Error(`expected 404, got ${missing.status}`);
    const error = await Promise.resolve()
      .then(() => unwrap(missing))
      .catch((e: unknown) => e);
    if (!(error instanceof CimsApiError) || !error.hasStatus(404)) throw new Error('expected a CimsApiError 404');
    console.log(`node-cjs: signed in as ${me.email}, ${total} customers, customer 999999: ${error.code}`);
  } finally {
    mocks.server.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
