import type { FakeGraphApi } from '@cims/mocks';
import { MOCK_USERS } from '@cims/mocks';
import type { CimsClient } from '@cims/sdk';
import { afterAll, beforeAll, describe } from 'vitest';

// What every suite file shares: the world a suite runs in and the seeded accounts. The suites import it, and
// `suite.ts` imports the suites, so imports go one way only.

/** One running implementation of the API with a client pointed at it. */
export interface World {
  client: CimsClient;
  /** The base URL `client` uses, for requests the SDK cannot express (unknown routes). */
  baseUrl: string;
  /** A new client with its own token store: another user, another device. */
  newClient(): CimsClient;
  /** The 6-digit code of the newest mail to `email` (the server's SMTP inbox, the mocks' mailbox). */
  latestCode(email: string): Promise<string>;
  /** The `n`-th mail (from 1) to `email`, waiting for it to arrive: its subject and code. */
  nthMail(email: string, n: number): Promise<{ subject: string; code: string }>;
  /**
   * Moves the sessions of `email` `ms` into the past (sign-in, last use and expiry alike), as if that much time had
   * passed since: how the suite reaches session deadlines without waiting for them.
   */
  ageSessions(email: string, ms: number): Promise<void>;
  /** The key the intake API (`POST /crm/api/customers`) accepts in `X-Key`, when the target configured one. */
  intakeKey?: string;
  /**
   * The target's Instagram follower tracking, when its Graph API calls go to a fake Graph API. The world starts with
   * no Instagram account connected. Without it the Instagram tests are skipped.
   */
  instagram?: {
    /** The fake the target's Graph API calls go to, in the `healthy` scenario with the demo account and token. */
    graph: FakeGraphApi;
    /**
     * Stores snapshots for the connected account directly (history the suite cannot create through the API in one
     * day); a snapshot for a day already stored replaces it. `following_count` and `media_count` default to 0.
     */
    seedSnapshots(
      points: { date: string; followers_count: number; following_count?: number; media_count?: number }[],
    ): Promise<void>;
    /** Today in the target's business time zone (`YYYY-MM-DD`). */
    today(): string;
  };
  close(): Promise<void>;
}

/** Something that can build a fresh {@link World}: the server on a database, or the mocks. */
export interface Target {
  name: string;
  createWorld(): Promise<World>;
}

/** Runs `body` with a fresh world shared by the tests of one describe block. */
export function withWorld(target: Target, title: string, body: (world: () => World) => void): void {
  describe(title, () => {
    let world: World | undefined;
    beforeAll(async () => {
      world = await target.createWorld();
    });
    afterAll(async () => {
      await world?.close();
    });
    body(() => {
      if (!world) throw new Error('world not ready');
      return world;
    });
  });
}

/** The seeded accounts both implementations start with: the CEO and two sales managers holding the `crm` page. */
export const SEEDED = {
  ceo: { email: MOCK_USERS.ceo.email, password: MOCK_USERS.ceo.password },
  sales: { email: MOCK_USERS.sales1.email, password: MOCK_USERS.sales1.password },
  sales2: { email: MOCK_USERS.sales2.email, password: MOCK_USERS.sales2.password },
};

/** A new client of `world`, signed in as `who`. */
export async function signedIn(world: World, who: { email: string; password: string }): Promise<CimsClient> {
  const client = world.newClient();
  await client.login(who);
  return client;
}

/** The access token `client` currently holds. */
export async function accessToken(client: CimsClient): Promise<string> {
  const token = await client.getAccessToken();
  if (!token) throw new Error('not signed in');
  return token;
}
