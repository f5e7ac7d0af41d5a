import { type ContractRoute, contract, listRoutes, routeMeta } from '@cims/contracts';
import { unwrap } from '@cims/sdk';
import { expect, it } from 'vitest';
import {
  actors,
  businessDay,
  createCustomer,
  meId,
  mp3Bytes,
  newPhone,
  newUser,
  UNKNOWN_ID,
  unique,
} from '../crm-kit.js';
import { accessToken, type Target, type withWorld as WithWorld } from '../suite-kit.js';

/** Who may do what in the CRM: pages, roles and ownership. */
export function crmPermissionsSuite(target: Target, withWorld: typeof WithWorld): void {
  withWorld(target, 'CRM: who may do what', (world) => {
    const as = actors(world);

    /** A concrete URL for a route: `ids` for its parameters, `query` appended. */
    const url = (path: string, ids: { id: number; noteId: number; fileId: string }, query = '') =>
      `${world().baseUrl}${path
        .replace(':noteId', String(ids.noteId))
        .replace(':file_id', ids.fileId)
        .replace(':id', String(ids.id))}${query}`;
    /** Calls a route with an empty body of the kind it takes (JSON, or a form for multipart routes). */
    const call = (route: ContractRoute['route'], target: string, token?: string) => {
      const multipart = 'contentType' in route && route.contentType === 'multipart/form-data';
      const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      if (route.method !== 'GET' && !multipart) headers['content-type'] = 'application/json';
      return fetch(target, {
        method: route.method,
        headers,
        body: route.method === 'GET' ? undefined : multipart ? new FormData() : '{}',
      }).then(async (res) => {
        // Read to the end: cancelling the body of a response the mocks made never settles under MSW.
        await res.arrayBuffer();
        return res.status;
      });
    };
    /** Query strings for the GET routes whose query has required fields. */
    const REQUIRED_QUERY: Record<string, string> = {
      '/crm/customers/filter/status': '?status_filter=contacted',
      '/crm/customers/filter/platform': '?platform=telegram',
      '/crm/customers/filter/date': `?start_date=${businessDay()}`,
    };

    it('every CRM route open to the crm page: anonymous 401, a member without pages 403, sales manager and CEO in', async () => {
      const ceo = await as.ceo();
      const sales = await as.sales1();
      const member = await newUser(world(), ceo, { role: 'Member', pages: [] });
      expect(unwrap(await member.client.auth.me()).permissions.crm).toBe(false);
      const tokens = {
        member: await accessToken(member.client),
        sales: await accessToken(sales),
        ceo: await accessToken(ceo),
      };
      const customer = await createCustomer(ceo, { audio: new Blob([mp3Bytes()], { type: 'audio/mpeg' }) });
      const note = unwrap(await ceo.crm.createNote({ params: { id: customer.id }, body: { note: 'RBAC' } }));
      const fileId = unwrap(await ceo.crm.detail({ params: { id: customer.id } })).audio_file_id ?? 'missing.mp3';
      const real = { id: customer.id, noteId: note.id, fileId };
      const unknown = { id: UNKNOWN_ID, noteId: UNKNOWN_ID, fileId: 'unknown.mp3' };

      const open = listRoutes(contract).filter(({ route }) => routeMeta(route).pages?.includes('crm'));
      const names = open.map((r) => r.name);
      expect(names).toEqual(
        expect.arrayContaining(['crmDashboard', 'crmCreate', 'crmAudio', 'salesCharts', 'managementListStatuses']),
      );
      for (const name of ['crmArchived', 'crmRestore', 'crmAssign', 'managementCreateStatus', 'crmMyCustomers']) {
        expect(names).not.toContain(name);
      }
      for (const { name, route } of open) {
        const target = url(route.path, unknown, REQUIRED_QUERY[route.path] ?? '');
        expect(await call(route, target), `${name} anonymous`).toBe(401);
        expect(await call(route, target, tokens.member), `${name} member`).toBe(403);
        if (route.method === 'GET') {
          // Reads of real rows: allowed means 200.
          const read = url(route.path, real, REQUIRED_QUERY[route.path] ?? '');
          expect(await call(route, read, tokens.sales), `${name} sales manager`).toBe(200);
          expect(await call(route, read, tokens.ceo), `${name} CEO`).toBe(200);
        } else {
          // Writes on unknown ids: allowed means anything but 401/403 (404, 422, …), and nothing changes.
          expect([401, 403], `${name} sales manager`).not.toContain(await call(route, target, tokens.sales));
          expect([401, 403], `${name} CEO`).not.toContain(await call(route, target, tokens.ceo));
        }
      }
    });

    it('the crm page, not the role, opens the CRM: a member with it is in, a sales manager without it is out', async () => {
      const ceo = await as.ceo();
      const withPage = await newUser(world(), ceo, { role: 'Member', pages: ['crm'] });
      expect((await withPage.client.crm.dashboard()).status).toBe(200);
      expect(
        (
          await withPage.client.crm.create({
            body: {
              full_name: `By a member ${unique()}`,
              platform: 'telegram',
              phone_number: newPhone().e164,
              status: 'contacted',
            },
          })
        ).status,
      ).toBe(201);
      // Sales managers' own routes go by the role.
      expect((await withPage.client.crm.myCustomers()).status).toBe(403);
      const withoutPage = await newUser(world(), ceo, { role: 'Sales Manager', pages: [] });
      expect((await withoutPage.client.crm.dashboard()).status).toBe(403);
      expect((await withoutPage.client.sales.stats()).status).toBe(403);
    });

    it('the CEO-only CRM routes answer 403 to a sales manager and a member, 401 to nobody', async () => {
      const ceo = await as.ceo();
      const member = await newUser(world(), ceo, { role: 'Member', pages: ['crm'] });
      const tokens = {
        member: await accessToken(member.client),
        sales: await accessToken(await as.sales1()),
        ceo: await accessToken(ceo),
      };
      const crmAreas = new Set(['crm', 'sales']);
      const ceoOnly = listRoutes(contract).filter(({ keys, route }) => {
        const { roles, pages } = routeMeta(route);
        const crmRoute = crmAreas.has(keys[0] ?? '') || route.path.startsWith('/management/statuses');
        return crmRoute && roles?.join() === 'CEO' && !pages?.length;
      });
      expect(ceoOnly.map((r) => r.name).sort()).toEqual(
        [
          'crmArchived',
          'crmAssign',
          'crmBulkHardDelete',
          'crmHardDelete',
          'crmRestore',
          'managementCreateStatus',
          'managementDeleteStatus',
          'managementPatchStatus',
          'managementReorderStatuses',
          'managementUpdateStatus',
        ].sort(),
      );
      const unknown = { id: UNKNOWN_ID, noteId: UNKNOWN_ID, fileId: 'unknown.mp3' };
      for (const { name, route } of ceoOnly) {
        const target = url(route.path, unknown);
        expect(await call(route, target), `${name} anonymous`).toBe(401);
        expect(await call(route, target, tokens.member), `${name} member with crm`).toBe(403);
        expect(await call(route, target, tokens.sales), `${name} sales manager`).toBe(403);
        expect([401, 403], `${name} CEO`).not.toContain(await call(route, target, tokens.ceo));
      }
    });

    it('the sales managers’ routes: by role, and only their own', async () => {
      const ceo = await as.ceo();
      const sales1 = await as.sales1();
      const sales1Id = await meId(sales1);
      const sales2Id = await meId(await as.sales2());
      const member = await newUser(world(), ceo, { role: 'Member', pages: ['crm'] });
      const tokens = {
        member: await accessToken(member.client),
        sales: await accessToken(sales1),
        ceo: await accessToken(ceo),
      };
      const base = world().baseUrl;
      const get = (path: string, token?: string) =>
        fetch(`${base}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} }).then(async (res) => {
          await res.arrayBuffer();
          return res.status;
        });
      const cases: [string, { anonymous: number; member: number; sales: number; ceo: number }][] = [
        [`/crm/sales-managers/${sales1Id}/customers`, { anonymous: 401, member: 403, sales: 200, ceo: 200 }],
        [`/crm/sales-managers/${sales2Id}/customers`, { anonymous: 401, member: 403, sales: 403, ceo: 200 }],
        [`/crm/sales-managers/${sales1Id}/stats`, { anonymous: 401, member: 403, sales: 200, ceo: 200 }],
        [`/crm/sales-managers/${sales2Id}/stats`, { anonymous: 401, member: 403, sales: 403, ceo: 200 }],
        ['/crm/my-customers', { anonymous: 401, member: 403, sales: 200, ceo: 403 }],
        ['/crm/my-customers/stats', { anonymous: 401, member: 403, sales: 200, ceo: 403 }],
        [
          `/crm/sales-manager/stats?sales_manager_id=${sales1Id}`,
          { anonymous: 401, member: 403, sales: 200, ceo: 200 },
        ],
      ];
      for (const [path, expected] of cases) {
        expect(
          {
            anonymous: await get(path),
            member: await get(path, tokens.member),
            sales: await get(path, tokens.sales),
            ceo: await get(path, tokens.ceo),
          },
          path,
        ).toEqual(expected);
      }
    });
  });
}
