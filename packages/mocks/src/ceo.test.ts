import { DEFAULT_PAGES } from '@cims/contracts';
import { unwrap } from '@cims/sdk';
import { describe, expect, it } from 'vitest';
import { MOCK_USERS } from './state.js';
import { T0, useTestWorld } from './test-world.js';

const w = useTestWorld();
const { client, mocks } = w;
const { ceo, sales1, sales2 } = MOCK_USERS;

const ALL_PAGES = DEFAULT_PAGES.map((page) => page.name);
const newUser = { email: 'New.Person@Example.com', name: 'New', surname: 'Person', password: 'long-enough-1' };

/** Call arguments signed in as the seeded CEO. */
async function asCeo() {
  const { access_token } = await w.login(ceo.email, ceo.password);
  return w.bearer(access_token);
}

/** A custom role through the API, as the CEO's Management page creates it. */
async function customRole(auth: Awaited<ReturnType<typeof asCeo>>, name: string, display_name: string) {
  return unwrap(await client.management.createRole({ body: { name, display_name }, ...auth }));
}

/** The 422 of the role rule. */
const UNKNOWN_ROLE = {
  status: 422,
  body: {
    detail: [{ loc: ['body', 'role'], msg: 'Unknown or inactive role', type: 'value_error' }],
    code: 'VALIDATION_FAILED',
  },
};
const LAST_CEO = { status: 409, body: { detail: 'The last active CEO must stay an active CEO', code: 'CONFLICT' } };
const NOT_FOUND = { status: 404, body: { code: 'NOT_FOUND' } };

describe('GET /ceo/dashboard', () => {
  it('lists every user by id with role, pages in page order and counts', async () => {
    const auth = await asCeo();
    mocks.users.add({ email: 'off@cims.local', password: 'long-enough-1', is_active: false });
    mocks.users.update(sales2.email, { pages: ['finance_list', 'crm', 'ceo'] });
    const body = unwrap(await client.ceo.dashboard(auth));
    expect(body.statistics).toEqual({ user_count: 4, active_user_count: 3, inactive_user_count: 1 });
    expect(body.users.map((user) => user.id)).toEqual([1, 2, 3, 4]);
    expect(body.users[0]).toEqual({
      id: 1,
      email: ceo.email,
      name: 'Demo',
      surname: 'CEO',
      role: 'CEO',
      role_name: null,
      company_code: 'ceo',
      telegram_id: null,
      job_title: null,
      profile_image: null,
      is_active: true,
      email_verified: true,
      permissions: ALL_PAGES,
      created_at: '2026-01-01T00:00:00.000Z',
    });
    expect(body.users[1]).toMatchObject({ email: sales1.email, role: 'SalesManager', permissions: ['crm'] });
    expect(body.users[2]?.permissions).toEqual(['ceo', 'crm', 'finance_list']);
    expect(body.users[3]).toMatchObject({ role: 'Customer', is_active: false, permissions: [] });
  });
});

describe('POST /ceo/users', () => {
  it('creates a verified, active Member who can sign in at once', async () => {
    const auth = await asCeo();
    const res = await client.ceo.createUser({ body: newUser, ...auth });
    expect(res).toMatchObject({ status: 201, body: { message: 'User created', id: 4 } });
    const created = unwrap(await client.ceo.dashboard(auth)).users[3];
    expect(created).toEqual({
      id: 4,
      email: 'new.person@example.com',
      name: 'New',
      surname: 'Person',
      role: 'Member',
      role_name: null,
      company_code: 'oddiy',
      telegram_id: null,
      job_title: null,
      profile_image: null,
      is_active: true,
      email_verified: true,
      permissions: [],
      created_at: new Date(T0).toISOString(),
    });
    await w.login(newUser.email, newUser.password);
    expect(mocks.mailbox.messages).toHaveLength(0);
  });

  it('takes a built-in role in any spelling, pages, and every optional field', async () => {
    const auth = await asCeo();
    const res = await client.ceo.createUser({
      body: {
        ...newUser,
        role: 'sales manager',
        company_code: 'acme',
        telegram_id: '@new',
        job_title: 'Seller',
        is_active: false,
        pages: ['crm', ' Projects '],
      },
      ...auth,
    });
    expect(res.status).toBe(201);
    expect(unwrap(await client.ceo.dashboard(auth)).users[3]).toMatchObject({
      role: 'SalesManager',
      role_name: null,
      company_code: 'acme',
      telegram_id: '@new',
      job_title: 'Seller',
      is_active: false,
      permissions: ['projects', 'crm'],
    });
    const login = await client.auth.login({ body: { username: newUser.email, password: newUser.password } });
    expect(login).toMatchObject({ status: 403, body: { code: 'ACCOUNT_INACTIVE' } });
  });

  it('gives the key of an active custom role the role Member and that role_name', async () => {
    const auth = await asCeo();
    await customRole(auth, 'key_account', 'Key Account');
    const res = await client.ceo.createUser({ body: { ...newUser, role: '  Key Account ' }, ...auth });
    expect(res.status).toBe(201);
    expect(unwrap(await client.ceo.dashboard(auth)).users[3]).toMatchObject({
      role: 'Member',
      role_name: 'key_account',
    });
  });

  it('refuses a taken e-mail (any case) with 409 EMAIL_TAKEN', async () => {
    const auth = await asCeo();
    const res = await client.ceo.createUser({ body: { ...newUser, email: ' SALES1@cims.local' }, ...auth });
    expect(res).toMatchObject({ status: 409, body: { code: 'EMAIL_TAKEN' } });
  });

  it('refuses an unknown or inactive role with 422 at body.role', async () => {
    const auth = await asCeo();
    expect(await client.ceo.createUser({ body: { ...newUser, role: 'Wizard' }, ...auth })).toMatchObject(UNKNOWN_ROLE);
    const role = await customRole(auth, 'dormant', 'Dormant');
    unwrap(await client.management.patchRole({ params: { id: role.id }, body: { is_active: false }, ...auth }));
    expect(await client.ceo.createUser({ body: { ...newUser, role: 'dormant' }, ...auth })).toMatchObject(UNKNOWN_ROLE);
    expect(mocks.users.find(newUser.email)).toBeUndefined();
  });

  it('refuses an unknown or inactive page with 422 at body.pages', async () => {
    const auth = await asCeo();
    const unknown = await client.ceo.createUser({ body: { ...newUser, pages: ['crm', 'nope'] }, ...auth });
    expect(unknown).toMatchObject({
      status: 422,
      body: {
        detail: [{ loc: ['body', 'pages'], msg: 'Unknown or inactive page: nope', type: 'value_error' }],
        code: 'VALIDATION_FAILED',
      },
    });
    unwrap(await client.management.patchPage({ params: { id: 5 }, body: { is_active: false }, ...auth }));
    const inactive = await client.ceo.createUser({ body: { ...newUser, pages: ['crm'] }, ...auth });
    expect(inactive).toMatchObject({ status: 422, body: { detail: [{ msg: 'Unknown or inactive page: crm' }] } });
    expect(mocks.users.find(newUser.email)).toBeUndefined();
  });

  it('applies the contract to the body (422)', async () => {
    const auth = await asCeo();
    const res = await client.ceo.createUser({
      body: { ...newUser, email: 'not-an-email', password: 'short' },
      ...auth,
    });
    expect(res).toMatchObject({ status: 422, body: { code: 'VALIDATION_FAILED' } });
    if (res.status !== 422) return;
    expect(res.body.detail.map((issue) => issue.loc)).toEqual([
      ['body', 'email'],
      ['body', 'password'],
    ]);
  });
});

describe('PUT /ceo/users/:id', () => {
  it('changes the fields it is given and leaves the others alone', async () => {
    const auth = await asCeo();
    mocks.users.update(sales1.email, { telegram_id: '@sevara' });
    const res = await client.ceo.updateUser({
      params: { id: 2 },
      body: { name: 'Sevara', surname: 'Seller', job_title: 'Lead', telegram_id: null, company_code: 'acme' },
      ...auth,
    });
    expect(res).toMatchObject({ status: 200, body: { message: 'User updated' } });
    expect(unwrap(await client.ceo.dashboard(auth)).users[1]).toMatchObject({
      email: sales1.email,
      name: 'Sevara',
      surname: 'Seller',
      job_title: 'Lead',
      telegram_id: null,
      company_code: 'acme',
      role: 'SalesManager',
      is_active: true,
    });
  });

  it('answers 404 for an unknown user and 400 NOTHING_TO_UPDATE for an empty body', async () => {
    const auth = await asCeo();
    expect(await client.ceo.updateUser({ params: { id: 99 }, body: { name: 'X' }, ...auth })).toMatchObject(NOT_FOUND);
    const empty = await client.ceo.updateUser({ params: { id: 2 }, body: {}, ...auth });
    expect(empty).toMatchObject({ status: 400, body: { code: 'NOTHING_TO_UPDATE' } });
  });

  it('moves the e-mail address unless another user has it (409 EMAIL_TAKEN)', async () => {
    const auth = await asCeo();
    const taken = await client.ceo.updateUser({ params: { id: 2 }, body: { email: 'Sales2@cims.local' }, ...auth });
    expect(taken).toMatchObject({ status: 409, body: { code: 'EMAIL_TAKEN' } });
    expect((await client.ceo.updateUser({ params: { id: 2 }, body: { email: sales1.email }, ...auth })).status).toBe(
      200,
    );
    const moved = await client.ceo.updateUser({ params: { id: 2 }, body: { email: 'Sevara@cims.local' }, ...auth });
    expect(moved.status).toBe(200);
    await w.login('sevara@cims.local', sales1.password);
  });

  it('sets a new password and ends every session of the user', async () => {
    const auth = await asCeo();
    const pair = await w.login(sales1.email, sales1.password);
    const res = await client.ceo.updateUser({ params: { id: 2 }, body: { password: 'brand-new-password' }, ...auth });
    expect(res.status).toBe(200);
    expect((await client.auth.me(w.bearer(pair.access_token))).status).toBe(401);
    const refresh = await client.auth.refresh({ body: { refresh_token: pair.refresh_token } });
    expect(refresh).toMatchObject({ status: 401, body: { code: 'REFRESH_TOKEN_INVALID' } });
    const old = await client.auth.login({ body: { username: sales1.email, password: sales1.password } });
    expect(old.status).toBe(401);
    await w.login(sales1.email, 'brand-new-password');
  });

  it('deactivates (ending the sessions for good) and reactivates', async () => {
    const auth = await asCeo();
    const pair = await w.login(sales1.email, sales1.password);
    expect((await client.ceo.updateUser({ params: { id: 2 }, body: { is_active: false }, ...auth })).status).toBe(200);
    expect((await client.auth.me(w.bearer(pair.access_token))).status).toBe(401);
    expect((await client.ceo.updateUser({ params: { id: 2 }, body: { is_active: true }, ...auth })).status).toBe(200);
    expect((await client.auth.me(w.bearer(pair.access_token))).status).toBe(401);
    const refresh = await client.auth.refresh({ body: { refresh_token: pair.refresh_token } });
    expect(refresh).toMatchObject({ status: 401, body: { code: 'REFRESH_TOKEN_INVALID' } });
    await w.login(sales1.email, sales1.password);
  });

  it('resolves the role like creation: built-in (role_name cleared), custom, or 422', async () => {
    const auth = await asCeo();
    await customRole(auth, 'key_account', 'Key Account');
    const user = (id: number) => client.ceo.dashboard(auth).then((res) => unwrap(res).users.find((u) => u.id === id));
    expect((await client.ceo.updateUser({ params: { id: 2 }, body: { role: 'KEY_ACCOUNT' }, ...auth })).status).toBe(
      200,
    );
    expect(await user(2)).toMatchObject({ role: 'Member', role_name: 'key_account' });
    expect(
      (await client.ceo.updateUser({ params: { id: 2 }, body: { role: 'financial director' }, ...auth })).status,
    ).toBe(200);
    expect(await user(2)).toMatchObject({ role: 'Finance', role_name: null });
    const bad = await client.ceo.updateUser({ params: { id: 2 }, body: { role: 'wizard', name: 'Changed' }, ...auth });
    expect(bad).toMatchObject(UNKNOWN_ROLE);
    expect(await user(2)).toMatchObject({ role: 'Finance', name: 'Sevara' });
  });
});

describe('the last active CEO', () => {
  it('cannot be deactivated, demoted, toggled off or deleted (409 CONFLICT), and nothing changes', async () => {
    const auth = await asCeo();
    await customRole(auth, 'key_account', 'Key Account');
    expect(await client.ceo.updateUser({ params: { id: 1 }, body: { is_active: false }, ...auth })).toEqual({
      ...LAST_CEO,
      headers: expect.anything(),
    });
    expect(await client.ceo.updateUser({ params: { id: 1 }, body: { role: 'Admin' }, ...auth })).toMatchObject(
      LAST_CEO,
    );
    expect(
      await client.ceo.updateUser({ params: { id: 1 }, body: { role: 'key_account', name: 'X' }, ...auth }),
    ).toMatchObject(LAST_CEO);
    expect(await client.ceo.toggleActive({ params: { id: 1 }, ...auth })).toMatchObject(LAST_CEO);
    expect(await client.ceo.deleteUser({ params: { id: 1 }, ...auth })).toMatchObject(LAST_CEO);
    expect(unwrap(await client.ceo.dashboard(auth)).users[0]).toMatchObject({
      role: 'CEO',
      is_active: true,
      name: 'Demo',
    });
    // Staying an active CEO is fine.
    const same = await client.ceo.updateUser({ params: { id: 1 }, body: { role: 'ceo', is_active: true }, ...auth });
    expect(same.status).toBe(200);
  });

  it('an inactive second CEO does not count; an active one does', async () => {
    const auth = await asCeo();
    mocks.users.add({ email: 'ceo2@cims.local', password: 'long-enough-1', role: 'CEO', is_active: false });
    expect(await client.ceo.toggleActive({ params: { id: 1 }, ...auth })).toMatchObject(LAST_CEO);
    mocks.users.update('ceo2@cims.local', { is_active: true });
    const demoted = await client.ceo.updateUser({ params: { id: 1 }, body: { role: 'Member' }, ...auth });
    expect(demoted.status).toBe(200);
    // The demoted caller is refused at once; the other CEO is now the last one.
    expect((await client.ceo.dashboard(auth)).status).toBe(403);
    const other = w.bearer((await w.login('ceo2@cims.local', 'long-enough-1')).access_token);
    expect(await client.ceo.deleteUser({ params: { id: 4 }, ...other })).toMatchObject(LAST_CEO);
    expect((await client.ceo.deleteUser({ params: { id: 1 }, ...other })).status).toBe(200);
  });
});

describe('PATCH /ceo/users/:id/toggle-active', () => {
  it('flips is_active, reports the counts, and deactivation ends the sessions', async () => {
    const auth = await asCeo();
    const pair = await w.login(sales1.email, sales1.password);
    const off = await client.ceo.toggleActive({ params: { id: 2 }, ...auth });
    expect(off).toMatchObject({
      status: 200,
      body: { is_active: false, active_user_count: 2, inactive_user_count: 1 },
    });
    expect((await client.auth.me(w.bearer(pair.access_token))).status).toBe(401);
    expect((await client.auth.refresh({ body: { refresh_token: pair.refresh_token } })).body).toMatchObject({
      code: 'REFRESH_TOKEN_INVALID',
    });
    const login = await client.auth.login({ body: { username: sales1.email, password: sales1.password } });
    expect(login).toMatchObject({ status: 403, body: { code: 'ACCOUNT_INACTIVE' } });
    const on = await client.ceo.toggleActive({ params: { id: 2 }, ...auth });
    expect(on).toMatchObject({ status: 200, body: { is_active: true, active_user_count: 3, inactive_user_count: 0 } });
    await w.login(sales1.email, sales1.password);
  });

  it('answers 404 for an unknown user', async () => {
    const auth = await asCeo();
    expect(await client.ceo.toggleActive({ params: { id: 42 }, ...auth })).toMatchObject(NOT_FOUND);
  });
});

describe('DELETE /ceo/users/:id', () => {
  it('deletes the user; its tokens die with it', async () => {
    const auth = await asCeo();
    const pair = await w.login(sales1.email, sales1.password);
    const res = await client.ceo.deleteUser({ params: { id: 2 }, ...auth });
    expect(res).toMatchObject({ status: 200, body: { message: 'User deleted' } });
    expect((await client.auth.me(w.bearer(pair.access_token))).status).toBe(401);
    const refresh = await client.auth.refresh({ body: { refresh_token: pair.refresh_token } });
    expect(refresh).toMatchObject({ status: 401, body: { code: 'REFRESH_TOKEN_INVALID' } });
    const login = await client.auth.login({ body: { username: sales1.email, password: sales1.password } });
    expect(login).toMatchObject({ status: 401, body: { code: 'INVALID_CREDENTIALS' } });
    const board = unwrap(await client.ceo.dashboard(auth));
    expect(board.users.map((user) => user.id)).toEqual([1, 3]);
    expect(board.statistics).toEqual({ user_count: 2, active_user_count: 2, inactive_user_count: 0 });
    expect(await client.ceo.deleteUser({ params: { id: 2 }, ...auth })).toMatchObject(NOT_FOUND);
    // Ids are not reused.
    expect(unwrap(await client.ceo.createUser({ body: newUser, ...auth })).id).toBe(4);
  });
});

describe('GET /ceo/users/:id/permissions', () => {
  it('maps every active page to the actual grant, also for a CEO', async () => {
    const auth = await asCeo();
    mocks.users.update(ceo.email, { pages: ['ceo', 'crm'] });
    const res = unwrap(await client.ceo.getPermissions({ params: { id: 1 }, ...auth }));
    expect(res).toEqual({
      user_id: 1,
      user_email: ceo.email,
      user_name: 'Demo CEO',
      permissions: Object.fromEntries(ALL_PAGES.map((key) => [key, key === 'ceo' || key === 'crm'])),
      active_permissions_count: 2,
      total_available_pages: 10,
    });
    expect(Object.keys(res.permissions)).toEqual(ALL_PAGES);
  });

  it('leaves inactive pages out, trims the name, and answers 404 for an unknown user', async () => {
    const auth = await asCeo();
    unwrap(await client.management.patchPage({ params: { id: 5 }, body: { is_active: false }, ...auth }));
    mocks.users.add({ email: 'solo@cims.local', password: 'long-enough-1', name: 'Solo', surname: '' });
    mocks.users.update('solo@cims.local', { pages: ['crm', 'projects'] });
    const res = unwrap(await client.ceo.getPermissions({ params: { id: 4 }, ...auth }));
    expect(res).toMatchObject({ user_name: 'Solo', active_permissions_count: 1, total_available_pages: 9 });
    expect(res.permissions).not.toHaveProperty('crm');
    expect(res.permissions.projects).toBe(true);
    expect(await client.ceo.getPermissions({ params: { id: 99 }, ...auth })).toMatchObject(NOT_FOUND);
  });
});

describe('PUT /ceo/users/:id/permissions', () => {
  it('makes the true keys (trimmed, lower-cased) the whole set', async () => {
    const auth = await asCeo();
    const res = await client.ceo.setPermissions({
      params: { id: 2 },
      body: { ' Finance_List ': true, CRM: true, projects: false, ceo: true },
      ...auth,
    });
    expect(res).toMatchObject({ status: 200, body: { message: 'Permissions updated: ceo, crm, finance_list' } });
    expect(unwrap(await client.ceo.dashboard(auth)).users[1]?.permissions).toEqual(['ceo', 'crm', 'finance_list']);
    const none = await client.ceo.setPermissions({ params: { id: 2 }, body: { crm: false }, ...auth });
    expect(none).toMatchObject({ status: 200, body: { message: 'Permissions updated: none' } });
    expect(unwrap(await client.ceo.dashboard(auth)).users[1]?.permissions).toEqual([]);
  });

  it('refuses unknown and inactive pages with one 422 item per key, changing nothing', async () => {
    const auth = await asCeo();
    unwrap(await client.management.patchPage({ params: { id: 4 }, body: { is_active: false }, ...auth }));
    const res = await client.ceo.setPermissions({
      params: { id: 2 },
      body: { finance_list: true, ' Nope ': true, projects: false },
      ...auth,
    });
    expect(res).toEqual({
      status: 422,
      body: {
        detail: [
          { loc: ['body', ' Nope '], msg: 'Unknown or inactive page', type: 'value_error' },
          { loc: ['body', 'projects'], msg: 'Unknown or inactive page', type: 'value_error' },
        ],
        code: 'VALIDATION_FAILED',
      },
      headers: expect.anything(),
    });
    expect(unwrap(await client.ceo.dashboard(auth)).users[1]?.permissions).toEqual(['crm']);
    expect(await client.ceo.setPermissions({ params: { id: 99 }, body: {}, ...auth })).toMatchObject(NOT_FOUND);
  });
});

describe('POST /ceo/users/:id/permissions/add and add-single', () => {
  it('grant the true keys and remove nothing', async () => {
    const auth = await asCeo();
    const add = await client.ceo.addPermissions({
      params: { id: 2 },
      body: { crm: true, finance_list: true, projects: true, ceo: false },
      ...auth,
    });
    expect(add).toMatchObject({ status: 200, body: { message: 'Permissions granted: projects, crm, finance_list' } });
    const single = await client.ceo.addPermission({ params: { id: 2 }, body: { Update_List: true }, ...auth });
    expect(single).toMatchObject({ status: 200, body: { message: 'Permissions granted: update_list' } });
    const nothing = await client.ceo.addPermission({ params: { id: 2 }, body: { ceo: false }, ...auth });
    expect(nothing).toMatchObject({ status: 200, body: { message: 'Permissions granted: none' } });
    expect(unwrap(await client.ceo.dashboard(auth)).users[1]?.permissions).toEqual([
      'projects',
      'crm',
      'finance_list',
      'update_list',
    ]);
  });

  it('validate like PUT (422 per bad key) and answer 404 for an unknown user', async () => {
    const auth = await asCeo();
    for (const route of [client.ceo.addPermissions, client.ceo.addPermission]) {
      const bad = await route({ params: { id: 2 }, body: { crm: true, ghost: true }, ...auth });
      expect(bad).toMatchObject({
        status: 422,
        body: { detail: [{ loc: ['body', 'ghost'], msg: 'Unknown or inactive page', type: 'value_error' }] },
      });
      expect(await route({ params: { id: 99 }, body: { crm: true }, ...auth })).toMatchObject(NOT_FOUND);
    }
  });
});

describe('DELETE /ceo/users/:id/permissions/:page_name', () => {
  it('revokes a page the user has; 404 for an unknown user, an unknown page or a page not granted', async () => {
    const auth = await asCeo();
    const res = await client.ceo.removePermission({ params: { id: 2, page_name: 'CRM' }, ...auth });
    expect(res).toMatchObject({ status: 200, body: { message: "Permission 'crm' removed" } });
    expect(unwrap(await client.ceo.dashboard(auth)).users[1]?.permissions).toEqual([]);
    expect(await client.ceo.removePermission({ params: { id: 2, page_name: 'crm' }, ...auth })).toMatchObject(
      NOT_FOUND,
    );
    expect(await client.ceo.removePermission({ params: { id: 2, page_name: 'ghost' }, ...auth })).toMatchObject(
      NOT_FOUND,
    );
    expect(await client.ceo.removePermission({ params: { id: 99, page_name: 'crm' }, ...auth })).toMatchObject(
      NOT_FOUND,
    );
  });
});

describe('GET /ceo/users/permissions/overview', () => {
  it('shows every user’s pages, role labels, the active pages and who has each', async () => {
    const auth = await asCeo();
    await customRole(auth, 'key_account', 'Key Account');
    unwrap(await client.ceo.createUser({ body: { ...newUser, role: 'key_account', pages: ['crm'] }, ...auth }));
    unwrap(await client.management.patchPage({ params: { id: 10 }, body: { is_active: false }, ...auth }));
    mocks.users.update(sales2.email, { job_title: 'Closer', pages: ['finance_list', 'crm'] });
    const body = unwrap(await client.ceo.permissionsOverview(auth));
    const active = ALL_PAGES.slice(0, 9);
    expect(body.total_users).toBe(4);
    expect(body.available_pages).toEqual(active);
    expect(body.users[0]).toEqual({
      user_id: 1,
      email: ceo.email,
      name: 'Demo CEO',
      role: 'CEO',
      job_title: null,
      is_active: true,
      permissions: ALL_PAGES,
      permissions_display: DEFAULT_PAGES.map((page) => page.display_name),
      permissions_count: 10,
    });
    expect(body.users[2]).toMatchObject({
      role: 'SalesManager',
      job_title: 'Closer',
      permissions: ['crm', 'finance_list'],
      permissions_display: ['Sales CRM', 'Finance'],
      permissions_count: 2,
    });
    expect(body.users[3]).toMatchObject({ user_id: 4, name: 'New Person', role: 'Key Account', permissions: ['crm'] });
    expect(Object.keys(body.summary)).toEqual(active.map((key) => `users_with_${key}_access`));
    expect(body.summary).toMatchObject({ users_with_crm_access: 4, users_with_finance_list_access: 2 });
    expect(body.summary.users_with_ceo_access).toBe(1);
  });
});

describe('/auth/me follows the managed pages', () => {
  it('reports active pages only, new pages included, and lands on the first active page', async () => {
    const auth = await asCeo();
    const page = unwrap(
      await client.management.createPage({
        body: { name: 'reports', display_name: 'Reports', route_path: 'reports', order: 0 },
        ...auth,
      }),
    );
    unwrap(await client.ceo.setPermissions({ params: { id: 2 }, body: { reports: true, crm: true }, ...auth }));
    const sales = w.bearer((await w.login(sales1.email, sales1.password)).access_token);
    const me = unwrap(await client.auth.me(sales));
    expect(Object.keys(me.permissions)).toEqual(['reports', ...ALL_PAGES]);
    expect(unwrap(await client.auth.dashboardRedirect(sales))).toEqual({ redirect_url: '/reports' });
    unwrap(await client.management.patchPage({ params: { id: page.id }, body: { is_active: false }, ...auth }));
    expect(Object.keys(unwrap(await client.auth.me(sales)).permissions)).toEqual(ALL_PAGES);
    expect(unwrap(await client.auth.dashboardRedirect(sales))).toEqual({ redirect_url: '/crm' });
    // The CEO may open every active page, granted or not.
    const mine = unwrap(await client.auth.me(auth));
    expect(Object.values(mine.permissions).every(Boolean)).toBe(true);
  });
});
