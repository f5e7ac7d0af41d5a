import { type CimsClient, unwrap } from '@cims/sdk';
import { expect } from 'vitest';
import { unique } from '../crm-kit.js';
import { SEEDED, signedIn, type World } from '../suite-kit.js';

/** The password of every user these suites create. */
export const PASSWORD = 'admin-test-password';

/** What the helpers of this suite need of a world. */
export function adminKit(world: () => World) {
  let ceo: Promise<CimsClient> | undefined;
  let current: World | undefined;
  const asCeo = () => {
    if (current !== world()) {
      current = world();
      ceo = signedIn(current, SEEDED.ceo);
    }
    return ceo as Promise<CimsClient>;
  };
  /** A new user created by the CEO (any `body` field may be overridden), with its address and id. */
  const createUser = async (body: Record<string, unknown> = {}) => {
    const email = `user-${unique()}@example.com`;
    const res = await (await asCeo()).ceo.createUser({
      body: { email, password: PASSWORD, name: 'Test', surname: 'User', ...body } as never,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return {
      email: String(body.email ?? email)
        .trim()
        .toLowerCase(),
      id: unwrap(res).id,
    };
  };
  /** A token pair of a fresh sign-in, not kept by any client. */
  const pairOf = async (email: string, password = PASSWORD) =>
    unwrap(
      await world()
        .newClient()
        .auth.login({ body: { username: email, password } }),
    );
  /** The status of `GET /auth/me` with `token`, without the SDK's refresh. */
  const meStatus = async (token: string) => {
    const res = await fetch(`${world().baseUrl}/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    return res.status;
  };
  /** The user as the CEO's dashboard shows it. */
  const shown = async (id: number) => unwrap(await (await asCeo()).ceo.dashboard()).users.find((u) => u.id === id);
  /** A custom page (active unless said otherwise) that only this test uses. */
  const customPage = async (body: Record<string, unknown> = {}) =>
    unwrap(
      await (await asCeo()).management.createPage({
        body: { name: `page_${unique()}`, display_name: 'Custom page', ...body } as never,
      }),
    );
  /** A custom role that only this test uses. */
  const customRole = async (body: Record<string, unknown> = {}) =>
    unwrap(
      await (await asCeo()).management.createRole({
        // One word: collations differ on spaces, and the roles are listed by display name.
        body: { name: `role_${unique()}`, display_name: `Role${unique()}`, ...body } as never,
      }),
    );
  return { asCeo, createUser, pairOf, meStatus, shown, customPage, customRole };
}

/** The answer about an id that names nothing. */
export const NOT_FOUND = { status: 404, body: { code: 'NOT_FOUND' } };
/** The answer to an update that changes nothing. */
export const NOTHING_TO_UPDATE = { status: 400, body: { detail: 'Nothing to update', code: 'NOTHING_TO_UPDATE' } };
/** The answer to a role that does not exist or is inactive. */
export const UNKNOWN_ROLE = {
  status: 422,
  body: {
    detail: [{ loc: ['body', 'role'], msg: 'Unknown or inactive role', type: 'value_error' }],
    code: 'VALIDATION_FAILED',
  },
};
/** The answer to a change that would leave no active CEO. */
export const LAST_CEO = {
  status: 409,
  body: { detail: 'The last active CEO must stay an active CEO', code: 'CONFLICT' },
};

/** Signs in as `email` once, failing the test when that is refused. */
export async function pairOfOk(k: ReturnType<typeof adminKit>, email: string, password = PASSWORD): Promise<void> {
  expect((await k.pairOf(email, password)).access_token).toEqual(expect.any(String));
}

/** The counts of a dashboard's statistics as toggle-active reports them. */
export function pick(counts: { active_user_count: number; inactive_user_count: number }) {
  return { active_user_count: counts.active_user_count, inactive_user_count: counts.inactive_user_count };
}
