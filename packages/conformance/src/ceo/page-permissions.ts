import { unwrap } from '@cims/sdk';
import { expect, it } from 'vitest';
import { signedIn, type Target, type withWorld as WithWorld } from '../suite-kit.js';
import { adminKit, NOT_FOUND, PASSWORD } from './kit.js';

/** The page permissions of a user: the grants, and how a change applies to the next request. */
export function ceoPagePermissionsSuite(target: Target, withWorld: typeof WithWorld): void {
  withWorld(target, 'administration: page permissions', (world) => {
    const k = adminKit(world);

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
}
