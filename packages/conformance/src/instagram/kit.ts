import { FAKE_GRAPH_DEMO, type GraphScenario } from '@cims/mocks';
import type { CimsClient } from '@cims/sdk';
import { expect, type TestContext } from 'vitest';
import type { World } from '../suite-kit.js';
import { SEEDED, signedIn } from '../suite-kit.js';

// Every world starts with no Instagram account connected, its Graph API calls going to a fake Graph API
// (`world.instagram.graph`) in the `healthy` scenario with the demo account and token. History a test cannot create
// through the API in one day is stored with `world.instagram.seedSnapshots`.

/** The demo account of the fake Graph API, as `POST /instagram/setup` takes it. */
export const DEMO_SETUP = {
  account_username: FAKE_GRAPH_DEMO.username,
  instagram_business_account_id: FAKE_GRAPH_DEMO.accountId,
  facebook_page_id: FAKE_GRAPH_DEMO.pageId,
  access_token: FAKE_GRAPH_DEMO.token,
};

/** The world's Instagram controls; the test is skipped on a target without them. */
export function instagramOf(world: World, context: TestContext): NonNullable<World['instagram']> {
  if (!world.instagram) context.skip('this target has no fake Graph API');
  return world.instagram as NonNullable<World['instagram']>;
}

/** Every object key in a JSON value, however deep. */
export function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, inner]) => [key, ...keysOf(inner)]);
  }
  return [];
}

/** A response body never carries the token: not its value, not a field for it. */
export function expectNoToken(body: unknown): void {
  expect(JSON.stringify(body)).not.toContain(FAKE_GRAPH_DEMO.token);
  expect(keysOf(body).filter((key) => key === 'access_token' || key === 'token')).toEqual([]);
}

/** The CEO of the current world, signed in once per world. */
export function ceoOf(world: () => World) {
  let current: World | undefined;
  let client: Promise<CimsClient> | undefined;
  return () => {
    const w = world();
    if (w !== current || !client) {
      current = w;
      client = signedIn(w, SEEDED.ceo);
    }
    return client;
  };
}

/** Runs `body` with the fake Graph API in `scenario`, and puts it back to `healthy` whatever happens. */
export async function inScenario<T>(
  instagram: NonNullable<World['instagram']>,
  scenario: GraphScenario,
  body: () => Promise<T>,
) {
  instagram.graph.useScenario(scenario);
  try {
    return await body();
  } finally {
    instagram.graph.useScenario('healthy');
  }
}

/** The id of the second IG User that `addSecondAccount` puts in the fake Graph API. */
export const SECOND_ID = '17841400000000002';

/** A second IG User in the fake Graph API, with a token that may read it (`expiresAt` 0: it never expires). */
export function addSecondAccount(instagram: NonNullable<World['instagram']>, expiresAt: number) {
  instagram.graph.accounts.set(SECOND_ID, {
    id: SECOND_ID,
    username: 'cims.second',
    followers_count: 500,
    follows_count: 20,
    media_count: 7,
  });
  instagram.graph.addToken({ token: 'EAASecondAccountToken000001', accountId: SECOND_ID, expiresAt });
  return {
    account_username: 'cims.second',
    instagram_business_account_id: SECOND_ID,
    facebook_page_id: '100000000000002',
    access_token: 'EAASecondAccountToken000001',
  };
}
