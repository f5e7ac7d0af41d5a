import { createMockServer } from '@cims/mocks/node';
import { createCimsClient } from '@cims/sdk';
import { createTestApp, type TestDatabaseKind } from '@cims/server/testing';
import type { Target } from './suite.js';

/** The intake API key every target is configured with (`X-Key` of `POST /crm/api/customers`). */
export const INTAKE_KEY = 'conformance-intake-key-0123456789';

/** The reference server on a fresh database of the given kind. */
export function serverTarget(database: TestDatabaseKind): Target {
  return {
    name: `server on ${database === 'pglite' ? 'PGlite' : 'PostgreSQL'}`,
    async createWorld() {
      const app = await createTestApp({ database, env: { CRM_CUSTOMER_API_KEY: INTAKE_KEY } });
      return {
        client: app.client,
        baseUrl: app.url,
        intakeKey: INTAKE_KEY,
        newClient: () => createCimsClient({ baseUrl: app.url }),
        latestCode: async (email) => {
          const mail = await app.inbox.latest(email);
          if (!mail.code) throw new Error(`No code in the mail to ${email}`);
          return mail.code;
        },
        close: () => app.close(),
      };
    },
  };
}

/** The MSW mocks, intercepting `fetch` in this process. */
export function mocksTarget(): Target {
  return {
    name: 'mocks',
    async createWorld() {
      const baseUrl = 'http://cims.test';
      const mocks = createMockServer({ baseUrl, intakeApiKey: INTAKE_KEY });
      mocks.server.listen({ onUnhandledRequest: 'error' });
      return {
        client: createCimsClient({ baseUrl }),
        baseUrl,
        intakeKey: INTAKE_KEY,
        newClient: () => createCimsClient({ baseUrl }),
        latestCode: async (email) => {
          const mail = mocks.mailbox.latest(email);
          if (!mail?.code) throw new Error(`No code in the mail to ${email}`);
          return mail.code;
        },
        close: async () => mocks.server.close(),
      };
    },
  };
}
