import { FAKE_GRAPH_DEMO } from '@cims/mocks';
import { createMockServer, startFakeGraphApi } from '@cims/mocks/node';
import { createCimsClient } from '@cims/sdk';
import { createTestApp, type TestDatabaseKind } from '@cims/server/testing';
import type { Target } from './suite-kit.js';

/** The intake API key every target is configured with (`X-Key` of `POST /crm/api/customers`). */
export const INTAKE_KEY = 'conformance-intake-key-0123456789';

/**
 * The reference server on a fresh database of the given kind. Its Graph API calls go to a fake Graph API served over
 * HTTP, with the fake's app credentials; snapshots are seeded with SQL on the connected account.
 */
export function serverTarget(database: TestDatabaseKind): Target {
  return {
    name: `server on ${database === 'pglite' ? 'PGlite' : 'PostgreSQL'}`,
    async createWorld() {
      const fake = await startFakeGraphApi();
      let app: Awaited<ReturnType<typeof createTestApp>>;
      try {
        app = await createTestApp({
          database,
          env: {
            CRM_CUSTOMER_API_KEY: INTAKE_KEY,
            GRAPH_API_BASE_URL: fake.url,
            META_APP_ID: FAKE_GRAPH_DEMO.appId,
            META_APP_SECRET: FAKE_GRAPH_DEMO.appSecret,
            // The same retry policy with short waits, so failing Graph calls answer quickly.
            GRAPH_API_RETRY_BASE_MS: '1',
            GRAPH_API_RETRY_MAX_MS: '10',
          },
        });
      } catch (error) {
        await fake.close();
        throw error;
      }
      const context = app.server.app.context;
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
        nthMail: async (email, n) => {
          const mail = await app.inbox.nth(email, n);
          if (!mail.code) throw new Error(`No code in mail ${n} to ${email}`);
          return { subject: mail.subject, code: mail.code };
        },
        ageSessions: async (email, ms) => {
          await context.db.orm.em.fork().execute(
            `update auth_session s set created_at = s.created_at - make_interval(secs => ?),
                    last_used_at = s.last_used_at - make_interval(secs => ?),
                    expires_at = s.expires_at - make_interval(secs => ?)
               from app_user u where u.id = s.user_id and u.email = ?`,
            [ms / 1000, ms / 1000, ms / 1000, email],
          );
        },
        instagram: {
          graph: fake.graph,
          async seedSnapshots(points) {
            const stored = await context.db.orm.em.fork().execute(
              `insert into instagram_snapshot (account_id, snapshot_date, followers_count, following_count, media_count,
                 captured_at)
               select a.id, cast(p.date as date), p.followers_count, coalesce(p.following_count, 0),
                      coalesce(p.media_count, 0), now()
                 from instagram_account a
                 cross join jsonb_to_recordset(cast(? as jsonb))
                   as p(date text, followers_count int, following_count int, media_count int)
                where a.disconnected_at is null
               on conflict (account_id, snapshot_date) do update set followers_count = excluded.followers_count,
                 following_count = excluded.following_count, media_count = excluded.media_count
               returning account_id`,
              [JSON.stringify(points)],
            );
            if (points.length > 0 && stored.length === 0) throw new Error('No Instagram account is connected');
          },
          today: () => context.time.today(),
        },
        close: async () => {
          await app.close();
          await fake.close();
        },
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
      // No Instagram account connected, as on a fresh server; the mocks' Graph calls go to their own fake.
      const mocks = createMockServer({ baseUrl, intakeApiKey: INTAKE_KEY, scenario: 'instagram-not-connected' });
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
        nthMail: async (email, n) => {
          const mail = mocks.mailbox.all(email)[n - 1];
          if (!mail?.code) throw new Error(`No mail ${n} to ${email}`);
          return { subject: mail.subject, code: mail.code };
        },
        ageSessions: async (email, ms) => {
          const user = mocks.users.find(email);
          if (!user) throw new Error(`The mocks have no user ${email}`);
          for (const session of mocks.state.sessions.values()) {
            if (session.userId !== user.id) continue;
            session.createdAt -= ms;
            session.lastUsedAt -= ms;
            session.expiresAt -= ms;
          }
        },
        instagram: {
          graph: mocks.graph,
          seedSnapshots: async (points) => mocks.instagram.addSnapshots(points),
          today: () => mocks.instagram.today(),
        },
        close: async () => mocks.server.close(),
      };
    },
  };
}
