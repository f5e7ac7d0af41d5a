// A CommonJS app (`"type": "commonjs"`: TypeScript compiles these imports to `require`), on zod 4: the SDK's `require`
// branch, the mocks intercepting fetch, one sign-in, `auth.me()` and one CRM call.

import { MOCK_USERS } from '@cims/mocks';
import { createMockServer } from '@cims/mocks/node';
import { CimsApiError, createCimsClient, unwrap } from '@cims/sdk';
import { z } from 'zod';

// zod 4's top-level string formats: this line does not compile on zod 3, so the app really is on zod 4.
const Me = z.object({ email: z.email(), role: z.string() });

async function main() {
  const baseUrl = 'http://cims.test';
  const mocks = createMockServer({ baseUrl });
  mocks.server.listen({ onUnhandledRequest: 'error' });
  try {
    const cims = createCimsClient({ baseUrl });
    const { sales1 } = MOCK_USERS;
    await cims.login({ email: sales1.email, password: sales1.password });
    const me = Me.parse(unwrap(await cims.auth.me()));
    const page = unwrap(await cims.crm.dashboard({ query: { page: 1 } }));
    const total: number = page.total_items;
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
