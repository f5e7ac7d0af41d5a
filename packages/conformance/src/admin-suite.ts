import { DEFAULT_PAGES } from '@cims/contracts';
import { type CimsClient, unwrap } from '@cims/sdk';
import { expect, it } from 'vitest';
import { unique } from './crm-kit.js';
import { accessToken, SEEDED, signedIn, type Target, type withWorld as WithWorld, type World } from './suite-kit.js';

const PASSWORD = 'admin-test-password';

/** What the helpers of this suite need of a world. */
function kit(world: () => World) {
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

const NOT_FOUND = { status: 404, body: { code: 'NOT_FOUND' } };
const NOTHING_TO_UPDATE = { status: 400, body: { detail: 'Nothing to update', code: 'NOTHING_TO_UPDATE' } };
const UNKNOWN_ROLE = {
  status: 422,
  body: {
    detail: [{ loc: ['body', 'role'], msg: 'Unknown or inactive role', type: 'value_error' }],
    code: 'VALIDATION_FAILED',
  },
};
const LAST_CEO = { status: 409, body: { detail: 'The last active CEO must stay an active CEO', code: 'CONFLICT' } };

/**
 * The CEO's administration in detail: users, their page permissions, the pages and roles of `/management`, and how a
 * change of them applies to the next request. Each message is pinned as the server words it.
 */
export function adminSuite(target: Target, withWorld: typeof WithWorld): void {
  withWorld(target, 'administration: users', (world) => {
    const k = kit(world);

    it('creates a verified, active Member who can sign in at once, shown on the dashboard with the counts', async () => {
      const ceo = await k.asCeo();
      const email = `New.Person.${unique()}@Example.com`;
      const res = await ceo.ceo.createUser({ body: { email, password: PASSWORD, name: 'New', surname: 'Person' } });
      expect(res).toMatchObject({ status: 201, body: { message: 'User created', id: expect.any(Number) } });
      const board = unwrap(await ceo.ceo.dashboard());
      expect(board.users.map((u) => u.id)).toEqual([...board.users.map((u) => u.id)].sort((a, b) => a - b));
      const active = board.users.filter((u) => u.is_active).length;
      expect(board.statistics).toEqual({
        user_count: board.users.length,
        active_user_count: active,
        inactive_user_count: board.users.length - active,
      });
      expect(board.users.find((u) => u.id === unwrap(res).id)).toMatchObject({
        email: email.toLowerCase(),
        name: 'New',
        surname: 'Person',
        role: 'Member',
        role_name: null,
        telegram_id: null,
        job_title: null,
        is_active: true,
        email_verified: true,
        permissions: [],
      });
      await pairOfOk(k, email.toLowerCase());
    });

    it('takes a built-in role in any spelling, pages in any case (listed in page order) and the optional fields', async () => {
      const { id, email } = await k.createUser({
        role: 'sales manager',
        company_code: 'acme',
        telegram_id: '@new',
        job_title: 'Seller',
        is_active: false,
        pages: ['crm', ' Projects '],
      });
      expect(await k.shown(id)).toMatchObject({
        role: 'SalesManager',
        role_name: null,
        company_code: 'acme',
        telegram_id: '@new',
        job_title: 'Seller',
        is_active: false,
        permissions: ['projects', 'crm'],
      });
      const login = await world()
        .newClient()
        .auth.login({ body: { username: email, password: PASSWORD } });
      expect(login).toMatchObject({ status: 403, body: { code: 'ACCOUNT_INACTIVE' } });
    });

    it('gives the key of an active custom role the role Member and that role_name; an unknown or inactive one is a 422', async () => {
      const ceo = await k.asCeo();
      const role = await k.customRole({ display_name: 'Key Account' });
      const { id } = await k.createUser({ role: ` ${role.name.toUpperCase()} ` });
      expect(await k.shown(id)).toMatchObject({ role: 'Member', role_name: role.name });
      const body = { email: `x-${unique()}@example.com`, password: PASSWORD, name: 'X' };
      expect(await ceo.ceo.createUser({ body: { ...body, role: 'Wizard' } })).toMatchObject(UNKNOWN_ROLE);
      unwrap(await ceo.management.patchRole({ params: { id: role.id }, body: { is_active: false } }));
      expect(await ceo.ceo.createUser({ body: { ...body, role: role.name } })).toMatchObject(UNKNOWN_ROLE);
    });

    it('refuses an unknown or inactive page with one 422 issue per page at body.pages, naming its key', async () => {
      const ceo = await k.asCeo();
      const page = await k.customPage({ is_active: false });
      const body = { email: `x-${unique()}@example.com`, password: PASSWORD, name: 'X' };
      const res = await ceo.ceo.createUser({ body: { ...body, pages: ['crm', ' Nope ', page.name] } });
      expect(res).toMatchObject({
        status: 422,
        body: {
          detail: [
            { loc: ['body', 'pages'], msg: 'Unknown or inactive page: nope', type: 'value_error' },
            { loc: ['body', 'pages'], msg: `Unknown or inactive page: ${page.name}`, type: 'value_error' },
          ],
          code: 'VALIDATION_FAILED',
        },
      });
      // Nothing was created: the address is still free.
      expect((await ceo.ceo.createUser({ body })).status).toBe(201);
    });

    it('refuses a taken address in any case with 409 EMAIL_TAKEN, and applies the contract to the body (422)', async () => {
      const ceo = await k.asCeo();
      const taken = await ceo.ceo.createUser({
        body: { email: ` ${SEEDED.sales.email.toUpperCase()}`, password: PASSWORD, name: 'Dup' },
      });
      expect(taken).toMatchObject({
        status: 409,
        body: { detail: 'An account with this e-mail address already exists', code: 'EMAIL_TAKEN' },
      });
      const bad = await ceo.ceo.createUser({ body: { email: 'not-an-email', password: 'short', name: 'Bad' } });
      expect(bad.status).toBe(422);
      if (bad.status === 422) {
        expect(bad.body.detail.map((issue) => issue.loc)).toEqual([
          ['body', 'email'],
          ['body', 'password'],
        ]);
      }
    });

    it('changes the given fields only; 400 for an empty body, 404 for an unknown user', async () => {
      const ceo = await k.asCeo();
      const { id } = await k.createUser({ telegram_id: '@before', role: 'Sales Manager' });
      const res = await ceo.ceo.updateUser({
        params: { id },
        body: { name: 'Sevara', surname: 'Seller', job_title: 'Lead', telegram_id: null, company_code: 'acme' },
      });
      expect(res).toMatchObject({ status: 200, body: { message: 'User updated' } });
      expect(await k.shown(id)).toMatchObject({
        name: 'Sevara',
        surname: 'Seller',
        job_title: 'Lead',
        telegram_id: null,
        company_code: 'acme',
        role: 'SalesManager',
        is_active: true,
      });
      expect(await ceo.ceo.updateUser({ params: { id }, body: {} })).toMatchObject(NOTHING_TO_UPDATE);
      // Nothing to update is judged before the user is looked up.
      expect(await ceo.ceo.updateUser({ params: { id: 999_999 }, body: {} })).toMatchObject(NOTHING_TO_UPDATE);
      expect(await ceo.ceo.updateUser({ params: { id: 999_999 }, body: { name: 'X' } })).toEqual({
        status: 404,
        body: { detail: 'No such user', code: 'NOT_FOUND' },
        headers: expect.anything(),
      });
    });

    it('moves the address unless another account has it (409 EMAIL_TAKEN in its own words)', async () => {
      const ceo = await k.asCeo();
      const { id, email } = await k.createUser();
      const taken = await ceo.ceo.updateUser({ params: { id }, body: { email: SEEDED.sales2.email.toUpperCase() } });
      expect(taken).toMatchObject({
        status: 409,
        body: { detail: 'Another account has this e-mail address', code: 'EMAIL_TAKEN' },
      });
      expect((await ceo.ceo.updateUser({ params: { id }, body: { email } })).status).toBe(200);
      const moved = `moved-${unique()}@example.com`;
      expect((await ceo.ceo.updateUser({ params: { id }, body: { email: moved } })).status).toBe(200);
      await pairOfOk(k, moved);
    });

    it('a new password or a deactivation ends every session of the user for good', async () => {
      const ceo = await k.asCeo();
      const { id, email } = await k.createUser();
      const before = await k.pairOf(email);
      expect((await ceo.ceo.updateUser({ params: { id }, body: { password: 'brand-new-password' } })).status).toBe(200);
      expect(await k.meStatus(before.access_token)).toBe(401);
      const refresh = await world()
        .newClient()
        .auth.refresh({ body: { refresh_token: before.refresh_token } });
      expect(refresh).toMatchObject({ status: 401, body: { code: 'REFRESH_TOKEN_INVALID' } });
      const old = await world()
        .newClient()
        .auth.login({ body: { username: email, password: PASSWORD } });
      expect(old.status).toBe(401);
      const pair = await k.pairOf(email, 'brand-new-password');
      expect((await ceo.ceo.updateUser({ params: { id }, body: { is_active: false } })).status).toBe(200);
      expect((await ceo.ceo.updateUser({ params: { id }, body: { is_active: true } })).status).toBe(200);
      expect(await k.meStatus(pair.access_token)).toBe(401);
      await pairOfOk(k, email, 'brand-new-password');
    });

    it('resolves the role of a change like a creation: built-in (role_name cleared), custom, or 422 changing nothing', async () => {
      const ceo = await k.asCeo();
      const role = await k.customRole();
      const { id } = await k.createUser({ name: 'Before' });
      expect((await ceo.ceo.updateUser({ params: { id }, body: { role: role.name.toUpperCase() } })).status).toBe(200);
      expect(await k.shown(id)).toMatchObject({ role: 'Member', role_name: role.name });
      expect((await ceo.ceo.updateUser({ params: { id }, body: { role: 'financial director' } })).status).toBe(200);
      expect(await k.shown(id)).toMatchObject({ role: 'Finance', role_name: null });
      const bad = await ceo.ceo.updateUser({ params: { id }, body: { role: 'wizard', name: 'Changed' } });
      expect(bad).toMatchObject(UNKNOWN_ROLE);
      expect(await k.shown(id)).toMatchObject({ role: 'Finance', name: 'Before' });
    });

    it('toggle-active flips is_active with the counts, ending the sessions; 404 for an unknown user', async () => {
      const ceo = await k.asCeo();
      const { id, email } = await k.createUser();
      const pair = await k.pairOf(email);
      const counts = unwrap(await ceo.ceo.dashboard()).statistics;
      const off = await ceo.ceo.toggleActive({ params: { id } });
      expect(off).toMatchObject({
        status: 200,
        body: {
          is_active: false,
          active_user_count: counts.active_user_count - 1,
          inactive_user_count: counts.inactive_user_count + 1,
        },
      });
      expect(await k.meStatus(pair.access_token)).toBe(401);
      const login = await world()
        .newClient()
        .auth.login({ body: { username: email, password: PASSWORD } });
      expect(login).toMatchObject({ status: 403, body: { code: 'ACCOUNT_INACTIVE' } });
      const on = await ceo.ceo.toggleActive({ params: { id } });
      expect(on).toMatchObject({ status: 200, body: { is_active: true, ...pick(counts) } });
      expect(await ceo.ceo.toggleActive({ params: { id: 999_999 } })).toMatchObject(NOT_FOUND);
    });

    it('deletes a user, whose tokens die with it; a second delete is a 404', async () => {
      const ceo = await k.asCeo();
      const { id, email } = await k.createUser();
      const pair = await k.pairOf(email);
      expect(await ceo.ceo.deleteUser({ params: { id } })).toMatchObject({
        status: 200,
        body: { message: 'User deleted' },
      });
      expect(await k.meStatus(pair.access_token)).toBe(401);
      const refresh = await world()
        .newClient()
        .auth.refresh({ body: { refresh_token: pair.refresh_token } });
      expect(refresh).toMatchObject({ status: 401, body: { code: 'REFRESH_TOKEN_INVALID' } });
      const login = await world()
        .newClient()
        .auth.login({ body: { username: email, password: PASSWORD } });
      expect(login).toMatchObject({ status: 401, body: { code: 'INVALID_CREDENTIALS' } });
      expect(await k.shown(id)).toBeUndefined();
      expect(await ceo.ceo.deleteUser({ params: { id } })).toMatchObject(NOT_FOUND);
      // Ids are not reused.
      expect((await k.createUser()).id).toBeGreaterThan(id);
    });

    it('refuses every role but the CEO on the CEO-only routes, a custom-role user too', async () => {
      const ceo = await k.asCeo();
      const role = await k.customRole({ display_name: 'CEO' });
      for (const as of ['Member', 'Customer', 'Finance', 'Admin', role.name]) {
        const { email } = await k.createUser({ role: as });
        const client = await signedIn(world(), { email, password: PASSWORD });
        expect(await client.ceo.dashboard(), as).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
        expect((await client.management.listRoles()).status, as).toBe(403);
      }
      expect((await ceo.ceo.dashboard()).status).toBe(200);
    });

    it('a malformed JSON body is a 400 whoever sends it; then the token (401), the role (403), the body (422)', async () => {
      const url = `${world().baseUrl}/ceo/users`;
      const post = async (body: string, token?: string) => {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body,
        });
        await res.arrayBuffer();
        return res.status;
      };
      expect(await post('{', 'nope')).toBe(400);
      expect(await post('{}', 'nope')).toBe(401);
      expect(await post('{}', await accessToken(await signedIn(world(), SEEDED.sales)))).toBe(403);
      expect(await post('{}', await accessToken(await k.asCeo()))).toBe(422);
    });
  });

  withWorld(target, 'administration: page permissions', (world) => {
    const k = kit(world);

    it('maps every active page to the actual grant, the name trimmed; inactive pages left out; 404 for nobody', async () => {
      const ceo = await k.asCeo();
      const hidden = await k.customPage({ is_active: false });
      const { id, email } = await k.createUser({ name: 'Solo', surname: '', pages: ['crm', 'projects'] });
      const res = unwrap(await ceo.ceo.getPermissions({ params: { id } }));
      const active = unwrap(await ceo.management.listPages()).filter((page) => page.is_active);
      expect(res).toEqual({
        user_id: id,
        user_email: email,
        user_name: 'Solo',
        permissions: Object.fromEntries(active.map((page) => [page.name, ['crm', 'projects'].includes(page.name)])),
        active_permissions_count: 2,
        total_available_pages: active.length,
      });
      expect(res.permissions).not.toHaveProperty(hidden.name);
      expect(await ceo.ceo.getPermissions({ params: { id: 999_999 } })).toMatchObject(NOT_FOUND);
    });

    it('PUT makes the true keys (trimmed, any case) the whole set, naming them in page order', async () => {
      const ceo = await k.asCeo();
      const { id } = await k.createUser({ pages: ['projects'] });
      const res = await ceo.ceo.setPermissions({
        params: { id },
        body: { ' Finance_List ': true, CRM: true, projects: false, ceo: true },
      });
      expect(res).toMatchObject({ status: 200, body: { message: 'Permissions updated: ceo, crm, finance_list' } });
      expect((await k.shown(id))?.permissions).toEqual(['ceo', 'crm', 'finance_list']);
      const none = await ceo.ceo.setPermissions({ params: { id }, body: { crm: false } });
      expect(none).toMatchObject({ status: 200, body: { message: 'Permissions updated: none' } });
      expect((await k.shown(id))?.permissions).toEqual([]);
    });

    it('refuses unknown and inactive pages with one 422 issue per key, changing nothing, before looking up the user', async () => {
      const ceo = await k.asCeo();
      const hidden = await k.customPage({ is_active: false });
      const { id } = await k.createUser({ pages: ['crm'] });
      const res = await ceo.ceo.setPermissions({
        params: { id },
        body: { finance_list: true, ' Nope ': true, [hidden.name]: false },
      });
      expect(res).toEqual({
        status: 422,
        body: {
          detail: [
            { loc: ['body', ' Nope '], msg: 'Unknown or inactive page: nope', type: 'value_error' },
            { loc: ['body', hidden.name], msg: `Unknown or inactive page: ${hidden.name}`, type: 'value_error' },
          ],
          code: 'VALIDATION_FAILED',
        },
        headers: expect.anything(),
      });
      expect((await k.shown(id))?.permissions).toEqual(['crm']);
      expect((await ceo.ceo.setPermissions({ params: { id: 999_999 }, body: { ghost: true } })).status).toBe(422);
      expect(await ceo.ceo.setPermissions({ params: { id: 999_999 }, body: {} })).toMatchObject(NOT_FOUND);
    });

    it('add and add-single grant the true keys and remove nothing; they validate like PUT', async () => {
      const ceo = await k.asCeo();
      const { id } = await k.createUser({ pages: ['crm'] });
      const add = await ceo.ceo.addPermissions({
        params: { id },
        body: { crm: true, finance_list: true, projects: true, ceo: false },
      });
      expect(add).toMatchObject({ status: 200, body: { message: 'Permissions granted: projects, crm, finance_list' } });
      const single = await ceo.ceo.addPermission({ params: { id }, body: { Update_List: true } });
      expect(single).toMatchObject({ status: 200, body: { message: 'Permissions granted: update_list' } });
      const nothing = await ceo.ceo.addPermission({ params: { id }, body: { ceo: false } });
      expect(nothing).toMatchObject({ status: 200, body: { message: 'Permissions granted: none' } });
      expect((await k.shown(id))?.permissions).toEqual(['projects', 'crm', 'finance_list', 'update_list']);
      for (const route of [ceo.ceo.addPermissions, ceo.ceo.addPermission]) {
        const bad = await route({ params: { id }, body: { crm: true, ghost: true } });
        expect(bad).toMatchObject({
          status: 422,
          body: { detail: [{ loc: ['body', 'ghost'], msg: 'Unknown or inactive page: ghost', type: 'value_error' }] },
        });
        expect(await route({ params: { id: 999_999 }, body: { crm: true } })).toMatchObject(NOT_FOUND);
      }
    });

    it('revokes a page the user holds; a page not held, an unknown page or user is one 404 in the same words', async () => {
      const ceo = await k.asCeo();
      const { id } = await k.createUser({ pages: ['crm'] });
      const res = await ceo.ceo.removePermission({ params: { id, page_name: 'crm' } });
      expect(res).toMatchObject({ status: 200, body: { message: "Permission 'crm' removed" } });
      expect((await k.shown(id))?.permissions).toEqual([]);
      for (const [user, page] of [
        [id, 'crm'],
        [id, 'ghost'],
        [999_999, 'crm'],
      ] as const) {
        expect(await ceo.ceo.removePermission({ params: { id: user, page_name: page } }), `${user} ${page}`).toEqual({
          status: 404,
          body: { detail: `The user has no permission for the page ${page}`, code: 'NOT_FOUND' },
          headers: expect.anything(),
        });
      }
    });

    it('the overview shows every user’s pages and role label, the active pages and who holds each', async () => {
      const ceo = await k.asCeo();
      const role = await k.customRole({ display_name: 'Key Account' });
      const hidden = await k.customPage({ is_active: false });
      const { id } = await k.createUser({ role: role.name, pages: ['crm', 'finance_list'], job_title: 'Closer' });
      const body = unwrap(await ceo.ceo.permissionsOverview());
      const active = unwrap(await ceo.management.listPages()).filter((page) => page.is_active);
      expect(body.available_pages).toEqual(active.map((page) => page.name));
      expect(body.available_pages).not.toContain(hidden.name);
      expect(body.total_users).toBe(body.users.length);
      expect(body.users.find((user) => user.user_id === id)).toEqual({
        user_id: id,
        email: expect.any(String),
        name: 'Test User',
        role: 'Key Account',
        job_title: 'Closer',
        is_active: true,
        permissions: ['crm', 'finance_list'],
        permissions_display: ['Sales CRM', 'Finance'],
        permissions_count: 2,
      });
      expect(Object.keys(body.summary)).toEqual(active.map((page) => `users_with_${page.name}_access`));
      const holders = (page: string) => body.users.filter((user) => user.permissions.includes(page)).length;
      expect(body.summary.users_with_crm_access).toBe(holders('crm'));
    });

    it('/auth/me follows the managed pages at once: a new page granted, then deactivated, with the landing page', async () => {
      const ceo = await k.asCeo();
      const page = await k.customPage({ display_name: 'Reports', route_path: 'reports', order: 0 });
      // A sales manager lands on their first page (a Member has a dashboard of its own).
      const { id, email } = await k.createUser({ role: 'Sales Manager', pages: ['crm'] });
      const client = await signedIn(world(), { email, password: PASSWORD });
      unwrap(await ceo.ceo.addPermission({ params: { id }, body: { [page.name]: true } }));
      const me = unwrap(await client.auth.me());
      expect(Object.keys(me.permissions)[0]).toBe(page.name);
      expect(me.permissions[page.name]).toBe(true);
      expect(unwrap(await client.auth.dashboardRedirect())).toEqual({ redirect_url: '/reports' });
      unwrap(await ceo.management.patchPage({ params: { id: page.id }, body: { is_active: false } }));
      expect(unwrap(await client.auth.me()).permissions).not.toHaveProperty(page.name);
      expect(unwrap(await client.auth.dashboardRedirect())).toEqual({ redirect_url: '/crm' });
      // A page revoked applies to the next request with the same token.
      unwrap(await ceo.ceo.removePermission({ params: { id, page_name: 'crm' } }));
      expect((await client.crm.dashboard()).status).toBe(403);
      unwrap(await ceo.ceo.addPermission({ params: { id }, body: { crm: true } }));
      expect((await client.crm.dashboard()).status).toBe(200);
      // The CEO may open every active page, granted or not.
      expect(Object.values(unwrap(await ceo.auth.me()).permissions).every(Boolean)).toBe(true);
    });
  });

  withWorld(target, 'administration: pages and roles', (world) => {
    const k = kit(world);

    it('lists the built-in pages of the contract in order as system pages', async () => {
      const pages = unwrap(await (await k.asCeo()).management.listPages());
      const builtIn = pages.filter((page) => page.is_system);
      expect(
        builtIn.map(({ name, display_name, route_path, order }) => ({ name, display_name, route_path, order })),
      ).toEqual(
        DEFAULT_PAGES.map(({ name, display_name, route_path, order }) => ({ name, display_name, route_path, order })),
      );
    });

    it('creates a page (key normalised, route path with a leading /), listed by order then id', async () => {
      const ceo = await k.asCeo();
      const key = `sales_report_${unique()}`;
      const res = await ceo.management.createPage({
        body: {
          name: ` ${key.replace(/_/g, ' ')} `,
          display_name: 'Sales report',
          route_path: 'reports/sales',
          order: 5,
        },
      });
      expect(res).toMatchObject({
        status: 201,
        body: {
          name: key,
          display_name: 'Sales report',
          description: null,
          route_path: '/reports/sales',
          order: 5,
          is_active: true,
          is_system: false,
        },
      });
      const first = await k.customPage({ description: 'Messages', is_active: false });
      expect(first).toMatchObject({ order: 0, is_active: false, route_path: null, description: 'Messages' });
      const pages = unwrap(await ceo.management.listPages());
      const sorted = [...pages].sort((a, b) => a.order - b.order || a.id - b.id);
      expect(pages.map((page) => page.id)).toEqual(sorted.map((page) => page.id));
    });

    it('refuses a page name that exists (409, in its words) and one that is not a key (422)', async () => {
      const ceo = await k.asCeo();
      const taken = await ceo.management.createPage({ body: { name: 'CRM', display_name: 'Again' } });
      expect(taken).toMatchObject({
        status: 409,
        body: { detail: 'A page named crm already exists', code: 'CONFLICT' },
      });
      const bad = await ceo.management.createPage({ body: { name: 'no/slash', display_name: 'Bad' } });
      expect(bad).toMatchObject({ status: 422, body: { detail: [{ loc: ['body', 'name'] }] } });
    });

    it('PUT and PATCH update a page alike; null or blank clears; 400 before 404; the name never changes', async () => {
      const ceo = await k.asCeo();
      const page = await k.customPage({ route_path: 'custom' });
      const put = await ceo.management.updatePage({
        params: { id: page.id },
        body: { display_name: 'Renamed', description: 'Leads and deals', order: 50 },
      });
      expect(put).toMatchObject({
        status: 200,
        body: { id: page.id, name: page.name, display_name: 'Renamed', description: 'Leads and deals', order: 50 },
      });
      const patch = await ceo.management.patchPage({
        params: { id: page.id },
        body: { description: null, route_path: null, is_active: false },
      });
      expect(patch).toMatchObject({
        status: 200,
        body: { description: null, route_path: null, is_active: false, display_name: 'Renamed', order: 50 },
      });
      const blank = await ceo.management.patchPage({ params: { id: page.id }, body: { route_path: ' ' } });
      expect(blank).toMatchObject({ status: 200, body: { route_path: null } });
      for (const route of [ceo.management.updatePage, ceo.management.patchPage]) {
        expect(await route({ params: { id: 999_999 }, body: { order: 1 } })).toEqual({
          status: 404,
          body: { detail: 'No such page', code: 'NOT_FOUND' },
          headers: expect.anything(),
        });
        expect(await route({ params: { id: page.id }, body: {} })).toMatchObject(NOTHING_TO_UPDATE);
        expect(await route({ params: { id: page.id }, body: { name: 'renamed' } as never })).toMatchObject(
          NOTHING_TO_UPDATE,
        );
        expect(await route({ params: { id: 999_999 }, body: {} })).toMatchObject(NOTHING_TO_UPDATE);
      }
    });

    it('deletes a page no one holds; refuses built-in pages (403) and held ones (409, saying how many)', async () => {
      const ceo = await k.asCeo();
      const crm = unwrap(await ceo.management.listPages()).find((page) => page.name === 'crm');
      expect(await ceo.management.deletePage({ params: { id: crm?.id ?? 0 } })).toMatchObject({
        status: 403,
        body: { detail: 'Built-in pages cannot be deleted', code: 'FORBIDDEN' },
      });
      const page = await k.customPage();
      const one = await k.createUser({ pages: [page.name] });
      await k.createUser({ pages: [page.name] });
      expect(await ceo.management.deletePage({ params: { id: page.id } })).toMatchObject({
        status: 409,
        body: { detail: 'The page is granted to 2 user(s); revoke it from them first', code: 'CONFLICT' },
      });
      unwrap(await ceo.ceo.removePermission({ params: { id: one.id, page_name: page.name } }));
      // Inactive, still granted to one: still refused.
      unwrap(await ceo.management.patchPage({ params: { id: page.id }, body: { is_active: false } }));
      expect(await ceo.management.deletePage({ params: { id: page.id } })).toMatchObject({
        status: 409,
        body: { detail: 'The page is granted to 1 user(s); revoke it from them first' },
      });
      const holders = unwrap(await ceo.ceo.dashboard()).users.filter((user) => user.permissions.includes(page.name));
      for (const holder of holders) {
        unwrap(await ceo.ceo.removePermission({ params: { id: holder.id, page_name: page.name } }));
      }
      expect(await ceo.management.deletePage({ params: { id: page.id } })).toMatchObject({
        status: 200,
        body: { message: `Page '${page.name}' deleted` },
      });
      expect(await ceo.management.deletePage({ params: { id: page.id } })).toMatchObject(NOT_FOUND);
    });

    it('lists the six built-in roles as system roles, and every role by display name in any case, then id', async () => {
      const ceo = await k.asCeo();
      await k.customRole({ display_name: 'key account' });
      await k.customRole({ display_name: 'CEO' });
      const roles = unwrap(await ceo.management.listRoles());
      expect(roles.filter((role) => role.is_system).map((role) => [role.name, role.display_name])).toEqual([
        ['Admin', 'Admin'],
        ['CEO', 'CEO'],
        ['Customer', 'Customer'],
        ['Finance', 'Finance'],
        ['Member', 'Member'],
        ['SalesManager', 'Sales Manager'],
      ]);
      const key = (role: (typeof roles)[number]) => role.display_name.toLowerCase();
      const sorted = [...roles].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.id - b.id));
      expect(roles.map((role) => role.id)).toEqual(sorted.map((role) => role.id));
    });

    it('creates a custom role (key normalised) and refuses a name that exists in any case (409, in its words)', async () => {
      const ceo = await k.asCeo();
      const key = `key_account_${unique()}`;
      const res = await ceo.management.createRole({
        body: { name: key.replace(/_/g, ' ').toUpperCase(), display_name: 'key account', description: 'Big customers' },
      });
      expect(res).toMatchObject({
        status: 201,
        body: {
          name: key,
          display_name: 'key account',
          description: 'Big customers',
          is_active: true,
          is_system: false,
        },
      });
      for (const name of ['admin', 'SALESMANAGER', key.toUpperCase()]) {
        const again = await ceo.management.createRole({ body: { name, display_name: 'Dup' } });
        expect(again, name).toMatchObject({ status: 409, body: { code: 'CONFLICT' } });
      }
      const dup = await ceo.management.createRole({ body: { name: key, display_name: 'Dup' } });
      expect(dup).toMatchObject({ status: 409, body: { detail: `A role named ${key} already exists` } });
    });

    it('PUT and PATCH update a role alike (null clears the description); 404 and 400 as for pages', async () => {
      const ceo = await k.asCeo();
      const role = await k.customRole({ description: 'd' });
      const put = await ceo.management.updateRole({
        params: { id: role.id },
        body: { display_name: 'Auditor', description: null },
      });
      expect(put).toMatchObject({ status: 200, body: { name: role.name, display_name: 'Auditor', description: null } });
      const patch = await ceo.management.patchRole({ params: { id: role.id }, body: { is_active: false } });
      expect(patch).toMatchObject({ status: 200, body: { is_active: false, display_name: 'Auditor' } });
      for (const route of [ceo.management.updateRole, ceo.management.patchRole]) {
        expect(await route({ params: { id: 999_999 }, body: { is_active: false } })).toEqual({
          status: 404,
          body: { detail: 'No such role', code: 'NOT_FOUND' },
          headers: expect.anything(),
        });
        expect(await route({ params: { id: role.id }, body: {} })).toMatchObject(NOTHING_TO_UPDATE);
      }
    });

    it('deletes a role no one holds; refuses built-in roles (403) and held ones (409, saying how many)', async () => {
      const ceo = await k.asCeo();
      const builtIn = unwrap(await ceo.management.listRoles()).find((role) => role.name === 'SalesManager');
      expect(await ceo.management.deleteRole({ params: { id: builtIn?.id ?? 0 } })).toMatchObject({
        status: 403,
        body: { detail: 'Built-in roles cannot be deleted', code: 'FORBIDDEN' },
      });
      const role = await k.customRole();
      const holder = await k.createUser({ role: role.name });
      expect(await ceo.management.deleteRole({ params: { id: role.id } })).toMatchObject({
        status: 409,
        body: { detail: 'The role is held by 1 user(s); change their role first', code: 'CONFLICT' },
      });
      unwrap(await ceo.ceo.updateUser({ params: { id: holder.id }, body: { role: 'SalesManager' } }));
      expect(await ceo.management.deleteRole({ params: { id: role.id } })).toMatchObject({
        status: 200,
        body: { message: `Role '${role.name}' deleted` },
      });
      expect(await ceo.management.deleteRole({ params: { id: role.id } })).toMatchObject(NOT_FOUND);
    });
  });

  // Its own world: these tests demote and delete CEOs.
  withWorld(target, 'administration: the last active CEO', (world) => {
    const k = kit(world);

    it('cannot be deactivated, demoted, toggled off or deleted (409 CONFLICT), and nothing changes', async () => {
      const ceo = await k.asCeo();
      const self = unwrap(await ceo.auth.me()).id;
      const role = await k.customRole();
      const params = { id: self };
      expect(await ceo.ceo.updateUser({ params, body: { is_active: false } })).toMatchObject(LAST_CEO);
      expect(await ceo.ceo.updateUser({ params, body: { role: 'Admin' } })).toMatchObject(LAST_CEO);
      expect(await ceo.ceo.updateUser({ params, body: { role: role.name, name: 'X' } })).toMatchObject(LAST_CEO);
      expect(await ceo.ceo.toggleActive({ params })).toMatchObject(LAST_CEO);
      expect(await ceo.ceo.deleteUser({ params })).toMatchObject(LAST_CEO);
      expect(await k.shown(self)).toMatchObject({ role: 'CEO', is_active: true });
      expect(unwrap(await ceo.auth.me()).name).not.toBe('X');
      // Staying an active CEO is fine.
      expect((await ceo.ceo.updateUser({ params, body: { role: 'ceo', is_active: true } })).status).toBe(200);
    });

    it('an inactive second CEO does not count; an active one does, and a demoted CEO is refused with the same token', async () => {
      const ceo = await k.asCeo();
      const self = unwrap(await ceo.auth.me()).id;
      const other = await k.createUser({ role: 'CEO', is_active: false });
      expect(await ceo.ceo.toggleActive({ params: { id: self } })).toMatchObject(LAST_CEO);
      unwrap(await ceo.ceo.toggleActive({ params: { id: other.id } }));
      expect((await ceo.ceo.updateUser({ params: { id: self }, body: { role: 'Member' } })).status).toBe(200);
      // The demoted caller is refused at once; the other CEO is now the last one.
      expect((await ceo.ceo.dashboard()).status).toBe(403);
      expect((await ceo.management.listPages()).status).toBe(403);
      const boss = await signedIn(world(), { email: other.email, password: PASSWORD });
      expect(await boss.ceo.deleteUser({ params: { id: other.id } })).toMatchObject(LAST_CEO);
      expect((await boss.ceo.deleteUser({ params: { id: self } })).status).toBe(200);
    });
  });
}

/** Signs in as `email` once, failing the test when that is refused. */
async function pairOfOk(k: ReturnType<typeof kit>, email: string, password = PASSWORD): Promise<void> {
  expect((await k.pairOf(email, password)).access_token).toEqual(expect.any(String));
}

/** The counts of a dashboard's statistics as toggle-active reports them. */
function pick(counts: { active_user_count: number; inactive_user_count: number }) {
  return { active_user_count: counts.active_user_count, inactive_user_count: counts.inactive_user_count };
}
