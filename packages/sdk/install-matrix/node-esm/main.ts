// A plain Node ESM app: the app's own zod next to the SDK, the mocks intercepting fetch, one sign-in, `auth.me()` and
// one CRM call. Any type error fails `tsc`; any wrong answer throws and fails the run.

import { MOCK_USERS } from '@cims/mocks';
import { createMockServer } from '@cims/mocks/node';
import { CimsApiError, CimsError, createCimsClient, unwrap } from '@cims/sdk';
import { z } from 'zod';

// The app's own schema, on whichever zod the app installed (3 or 4): the SDK's contract brings its own.
const Me = z.object({ email: z.string().email(), role: z.string() });

const baseUrl = 'http://cims.test';
const mocks = createMockServer({ baseUrl });
// No options: this app runs on MSW 2 and 3, which name the unhandled-request option differently (`onUnhandledRequest`,
// `onUnhandledFrame`); the default warns.
mocks.server.listen();
try {
  const cims = createCimsClient({ baseUrl });
  const { ceo } = MOCK_USERS;
  await cims.login({ email: ceo.email, password: ceo.password });
  const me = Me.parse(unwrap(await cims.auth.me()));
  const role: string = unwrap(await cims.auth.me()).role;
  const page = unwrap(await cims.crm.dashboard({ query: { page: 1 } }));
  const total: number = page.total_items;
  const refused = await cims.login({ email: ceo.email, password: 'wrong-password' }).catch((e: unknown) => e);
  if (!(refused instanceof CimsApiError) || !(refused instanceof CimsError)) throw new Error('expected a CimsApiError');
  if (refused.code !== 'INVALID_CREDENTIALS') throw new Error(`unexpected code ${refused.code}`);
  if (me.email !== ceo.email || role !== 'CEO') throw new Error(`unexpected user ${JSON.stringify(me)}`);
  console.log(`node-esm: signed in as ${me.email} (${role}), ${total} customers, wrong password: ${refused.code}`);
} finally {
  mocks.server.close();
}
