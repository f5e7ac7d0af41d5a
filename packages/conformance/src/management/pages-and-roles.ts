import { DEFAULT_PAGES } from '@cims/contracts';
import { unwrap } from '@cims/sdk';
import { expect, it } from 'vitest';
import { adminKit, NOT_FOUND, NOTHING_TO_UPDATE } from '../ceo/kit.js';
import { unique } from '../crm-kit.js';
import type { Target, withWorld as WithWorld } from '../suite-kit.js';

/** The pages and roles of `/management`. */
export function managementPagesAndRolesSuite(target: Target, withWorld: typeof WithWorld): void {
  withWorld(target, 'administration: pages and roles', (world) => {
    const k = adminKit(world);

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

    it('refuses a page name that exists (409, in its words) and one that is not a key or is reserved (422)', async () => {
      const ceo = await k.asCeo();
      const taken = await ceo.management.createPage({ body: { name: 'CRM', display_name: 'Again' } });
      expect(taken).toMatchObject({
        status: 409,
        body: { detail: 'A page named crm already exists', code: 'CONFLICT' },
      });
      const bad = await ceo.management.createPage({ body: { name: 'no/slash', display_name: 'Bad' } });
      expect(bad).toMatchObject({ status: 422, body: { detail: [{ loc: ['body', 'name'] }] } });
      // Names that objects keyed by names treat specially (a status's counts, say) are no keys either.
      for (const name of ['__proto__', 'Constructor', 'prototype']) {
        const reserved = await ceo.management.createStatus({ body: { name, display_name: 'Reserved' } });
        expect(reserved).toMatchObject({
          status: 422,
          body: { detail: [{ loc: ['body', 'name'], msg: 'This name is reserved' }] },
        });
      }
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
}
