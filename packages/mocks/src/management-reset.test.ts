import { DEFAULT_PAGES } from '@cims/contracts';
import { unwrap } from '@cims/sdk';
import { describe, expect, it } from 'vitest';
import { MOCK_USERS } from './state.js';
import { T0, useTestWorld } from './test-world.js';

const w = useTestWorld();
const { client, mocks } = w;
const { ceo } = MOCK_USERS;

const SEEDED_AT = '2026-01-01T00:00:00.000Z';
const NOT_FOUND = { status: 404, body: { code: 'NOT_FOUND' } };
const NOTHING = { status: 400, body: { code: 'NOTHING_TO_UPDATE' } };

/** Call arguments signed in as the seeded CEO. */
async function asCeo() {
  const { access_token } = await w.login(ceo.email, ceo.password);
  return w.bearer(access_token);
}

describe('/management/pages', () => {
  it('lists the built-in pages of the contract (ids 1 to 10, in order) as system pages', async () => {
    const pages = unwrap(await client.management.listPages(await asCeo()));
    expect(pages).toEqual(
      DEFAULT_PAGES.map((page, i) => ({
        id: i + 1,
        name: page.name,
        display_name: page.display_name,
        description: null,
        route_path: page.route_path,
        order: page.order,
        is_active: true,
        is_system: true,
        created_at: SEEDED_AT,
        updated_at: SEEDED_AT,
      })),
    );
  });

  it('creates a page (key normalized, route path with a leading /), listed by order then id', async () => {
    const auth = await asCeo();
    const res = await client.management.createPage({
      body: { name: ' Sales Report ', display_name: 'Sales report', route_path: 'reports/sales', order: 5 },
      ...auth,
    });
    expect(res).toEqual({
      status: 201,
      body: {
        id: 11,
        name: 'sales_report',
        display_name: 'Sales report',
        description: null,
        route_path: '/reports/sales',
        order: 5,
        is_active: true,
        is_system: false,
        created_at: new Date(T0).toISOString(),
        updated_at: new Date(T0).toISOString(),
      },
      headers: expect.anything(),
    });
    const first = await client.management.createPage({
      body: { name: 'inbox', display_name: 'Inbox', description: 'Messages', is_active: false },
      ...auth,
    });
    expect(first).toMatchObject({ status: 201, body: { id: 12, order: 0, is_active: false, route_path: null } });
    const names = unwrap(await client.management.listPages(auth)).map((page) => page.name);
    expect(names).toEqual([
      'inbox',
      'ceo',
      'payment_list',
      'project_toggle',
      'projects',
      'crm',
      'sales_report',
      'finance_list',
      'update_list',
      'company_payments',
      'cognilabsai_chat',
      'cognilabsai_integrations',
    ]);
  });

  it('refuses a name that exists (409 CONFLICT) and one that is not a key (422)', async () => {
    const auth = await asCeo();
    const taken = await client.management.createPage({ body: { name: 'CRM', display_name: 'Again' }, ...auth });
    expect(taken).toMatchObject({ status: 409, body: { code: 'CONFLICT' } });
    const bad = await client.management.createPage({ body: { name: 'no/slash', display_name: 'Bad' }, ...auth });
    expect(bad).toMatchObject({ status: 422, body: { detail: [{ loc: ['body', 'name'] }] } });
  });

  it('PUT and PATCH update a page alike; null clears description and route_path', async () => {
    const auth = await asCeo();
    let now = T0;
    w.advance(60_000);
    now += 60_000;
    const put = await client.management.updatePage({
      params: { id: 5 },
      body: { display_name: 'CRM', description: 'Leads and deals', order: 50 },
      ...auth,
    });
    expect(put).toMatchObject({
      status: 200,
      body: {
        id: 5,
        name: 'crm',
        display_name: 'CRM',
        description: 'Leads and deals',
        route_path: '/crm',
        order: 50,
        is_system: true,
        created_at: SEEDED_AT,
        updated_at: new Date(now).toISOString(),
      },
    });
    const patch = await client.management.patchPage({
      params: { id: 5 },
      body: { description: null, route_path: null, is_active: false },
      ...auth,
    });
    expect(patch).toMatchObject({
      status: 200,
      body: { description: null, route_path: null, is_active: false, display_name: 'CRM', order: 50 },
    });
    const blank = await client.management.patchPage({ params: { id: 5 }, body: { route_path: ' ' }, ...auth });
    expect(blank).toMatchObject({ status: 200, body: { route_path: null } });
  });

  it('answers 404 for an unknown page and 400 NOTHING_TO_UPDATE for an empty body (name cannot change)', async () => {
    const auth = await asCeo();
    for (const route of [client.management.updatePage, client.management.patchPage]) {
      expect(await route({ params: { id: 99 }, body: { order: 1 }, ...auth })).toMatchObject(NOT_FOUND);
      expect(await route({ params: { id: 5 }, body: {}, ...auth })).toMatchObject(NOTHING);
      expect(await route({ params: { id: 5 }, body: { name: 'renamed' } as never, ...auth })).toMatchObject(NOTHING);
    }
  });

  it('deletes a page no one has; refuses built-in pages (403) and granted ones (409, saying how many)', async () => {
    const auth = await asCeo();
    const system = await client.management.deletePage({ params: { id: 5 }, ...auth });
    expect(system).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    const page = unwrap(await client.management.createPage({ body: { name: 'reports', display_name: 'R' }, ...auth }));
    unwrap(await client.ceo.addPermissions({ params: { id: 2 }, body: { reports: true }, ...auth }));
    unwrap(await client.ceo.addPermissions({ params: { id: 3 }, body: { reports: true }, ...auth }));
    const granted = await client.management.deletePage({ params: { id: page.id }, ...auth });
    expect(granted).toMatchObject({ status: 409, body: { code: 'CONFLICT' } });
    expect((granted.body as { detail: string }).detail).toContain('2 users');
    unwrap(await client.ceo.removePermission({ params: { id: 2, page_name: 'reports' }, ...auth }));
    // Inactive, still granted to one: still refused.
    unwrap(await client.management.patchPage({ params: { id: page.id }, body: { is_active: false }, ...auth }));
    const one = await client.management.deletePage({ params: { id: page.id }, ...auth });
    expect((one.body as { detail: string }).detail).toContain('1 user');
    unwrap(await client.ceo.setPermissions({ params: { id: 3 }, body: { crm: true }, ...auth }));
    const deleted = await client.management.deletePage({ params: { id: page.id }, ...auth });
    expect(deleted).toMatchObject({ status: 200, body: { message: "Page 'reports' deleted" } });
    expect(unwrap(await client.management.listPages(auth))).toHaveLength(10);
    expect(await client.management.deletePage({ params: { id: page.id }, ...auth })).toMatchObject(NOT_FOUND);
  });
});

describe('/management/roles', () => {
  it('lists the six built-in roles as system roles, by display name', async () => {
    const roles = unwrap(await client.management.listRoles(await asCeo()));
    expect(roles.map((role) => [role.id, role.name, role.display_name])).toEqual([
      [6, 'Admin', 'Admin'],
      [1, 'CEO', 'CEO'],
      [3, 'Customer', 'Customer'],
      [5, 'Finance', 'Finance'],
      [2, 'Member', 'Member'],
      [4, 'SalesManager', 'Sales Manager'],
    ]);
    expect(roles[0]).toEqual({
      id: 6,
      name: 'Admin',
      display_name: 'Admin',
      description: null,
      is_active: true,
      is_system: true,
      created_at: SEEDED_AT,
      updated_at: SEEDED_AT,
    });
  });

  it('creates a custom role, sorted by display name in any case, then id', async () => {
    const auth = await asCeo();
    const res = await client.management.createRole({
      body: { name: 'Key Account', display_name: 'key account', description: 'Big customers' },
      ...auth,
    });
    expect(res).toEqual({
      status: 201,
      body: {
        id: 7,
        name: 'key_account',
        display_name: 'key account',
        description: 'Big customers',
        is_active: true,
        is_system: false,
        created_at: new Date(T0).toISOString(),
        updated_at: new Date(T0).toISOString(),
      },
      headers: expect.anything(),
    });
    unwrap(await client.management.createRole({ body: { name: 'auditor', display_name: 'CEO' }, ...auth }));
    const names = unwrap(await client.management.listRoles(auth)).map((role) => role.name);
    expect(names).toEqual(['Admin', 'CEO', 'auditor', 'Customer', 'Finance', 'key_account', 'Member', 'SalesManager']);
  });

  it('refuses a name equal to an existing role in any case (409 CONFLICT)', async () => {
    const auth = await asCeo();
    for (const name of ['admin', 'SALESMANAGER']) {
      const res = await client.management.createRole({ body: { name, display_name: 'Dup' }, ...auth });
      expect(res).toMatchObject({ status: 409, body: { code: 'CONFLICT' } });
    }
    unwrap(await client.management.createRole({ body: { name: 'auditor', display_name: 'Auditor' }, ...auth }));
    const again = await client.management.createRole({ body: { name: 'Auditor', display_name: 'A' }, ...auth });
    expect(again).toMatchObject({ status: 409, body: { code: 'CONFLICT' } });
  });

  it('PUT and PATCH update a role alike (null clears the description); 404 and 400 as for pages', async () => {
    const auth = await asCeo();
    const role = unwrap(
      await client.management.createRole({ body: { name: 'auditor', display_name: 'A', description: 'd' }, ...auth }),
    );
    w.advance(1000);
    const put = await client.management.updateRole({
      params: { id: role.id },
      body: { display_name: 'Auditor', description: null },
      ...auth,
    });
    expect(put).toMatchObject({
      status: 200,
      body: {
        name: 'auditor',
        display_name: 'Auditor',
        description: null,
        updated_at: new Date(T0 + 1000).toISOString(),
      },
    });
    const patch = await client.management.patchRole({ params: { id: 1 }, body: { description: 'The boss' }, ...auth });
    expect(patch).toMatchObject({ status: 200, body: { name: 'CEO', description: 'The boss', is_system: true } });
    for (const route of [client.management.updateRole, client.management.patchRole]) {
      expect(await route({ params: { id: 99 }, body: { is_active: false }, ...auth })).toMatchObject(NOT_FOUND);
      expect(await route({ params: { id: role.id }, body: {}, ...auth })).toMatchObject(NOTHING);
    }
  });

  it('deletes a role no one holds; refuses built-in roles (403) and held ones (409, saying how many)', async () => {
    const auth = await asCeo();
    expect(await client.management.deleteRole({ params: { id: 4 }, ...auth })).toMatchObject({
      status: 403,
      body: { code: 'FORBIDDEN' },
    });
    const role = unwrap(await client.management.createRole({ body: { name: 'auditor', display_name: 'A' }, ...auth }));
    unwrap(await client.ceo.updateUser({ params: { id: 2 }, body: { role: 'auditor' }, ...auth }));
    const held = await client.management.deleteRole({ params: { id: role.id }, ...auth });
    expect(held).toMatchObject({ status: 409, body: { code: 'CONFLICT' } });
    expect((held.body as { detail: string }).detail).toContain('1 user');
    unwrap(await client.ceo.updateUser({ params: { id: 2 }, body: { role: 'SalesManager' }, ...auth }));
    const deleted = await client.management.deleteRole({ params: { id: role.id }, ...auth });
    expect(deleted).toMatchObject({ status: 200, body: { message: "Role 'auditor' deleted" } });
    expect(await client.management.deleteRole({ params: { id: role.id }, ...auth })).toMatchObject(NOT_FOUND);
  });

  it('reset() brings back the built-in pages and roles only', async () => {
    const auth = await asCeo();
    unwrap(await client.management.createRole({ body: { name: 'auditor', display_name: 'A' }, ...auth }));
    unwrap(await client.management.createPage({ body: { name: 'reports', display_name: 'R' }, ...auth }));
    unwrap(await client.management.patchPage({ params: { id: 1 }, body: { display_name: 'Home' }, ...auth }));
    mocks.reset();
    expect(mocks.state.roles.size).toBe(6);
    expect(mocks.state.pages.size).toBe(10);
    expect(mocks.state.pages.get(1)?.display_name).toBe('Dashboard');
    const again = await asCeo();
    const page = unwrap(await client.management.createPage({ body: { name: 'reports', display_name: 'R' }, ...again }));
    expect(page.id).toBe(11);
  });
});
