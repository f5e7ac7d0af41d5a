import { CRM_ACCESS, contract, listRoutes, routeMeta } from '@cims/contracts';
import { describe, expect, it } from 'vitest';
import { MOCK_USERS } from './state.js';
import { useTestWorld } from './test-world.js';

const w = useTestWorld();
const { client, mocks } = w;
const { ceo, sales1 } = MOCK_USERS;

type Listed = ReturnType<typeof listRoutes>[number];

/** Every contract route whose metadata restricts who may call it (`roles`, `pages`). */
const restricted = listRoutes(contract).filter(({ route }) => {
  const meta = routeMeta(route);
  return meta.roles !== undefined || meta.pages !== undefined;
});
const same = (a: readonly string[] | undefined, b: readonly string[] | undefined) =>
  JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const where = (roles: readonly string[], pages?: readonly string[]) =>
  restricted.filter(({ route }) => same(routeMeta(route).roles, roles) && same(routeMeta(route).pages, pages));

const ceoOnly = where(['CEO']);
const crmRoutes = where(CRM_ACCESS.roles, CRM_ACCESS.pages);
const managerOrCeo = where(['CEO', 'SalesManager']);
const managerOnly = where(['SalesManager']);

/** A concrete URL path for a route: ids become 1 (a note id one nobody has), other parameters a page key. */
function concrete(path: string): string {
  return path
    .replace(/:file_id\b/g, 'missing.mp3')
    .replace(/:noteId\b/g, '999999')
    .replace(/:\w*[iI]d\b/g, '1')
    .replace(/:\w+/g, 'crm');
}

/** A request to a route, with an (empty) body in a media type the route accepts where it takes one. */
function send({ route }: Listed, headers: Record<string, string>, body = '{}') {
  const init: RequestInit = { method: route.method, headers: { ...headers } };
  if ('body' in route) {
    const form = route.contentType === 'multipart/form-data';
    init.body = form ? '' : body;
    (init.headers as Record<string, string>)['content-type'] = form
      ? 'application/x-www-form-urlencoded'
      : 'application/json';
  }
  return w.fetch(concrete(route.path), init);
}

async function tokenOf(email: string, password: string, add?: Parameters<typeof mocks.users.add>[0]) {
  if (add) mocks.users.add(add);
  const { access_token } = await w.login(email, password);
  return { authorization: `Bearer ${access_token}` };
}

const rows = (list: Listed[]) => list.map((entry) => [entry.name, entry] as const);

describe('roles and pages from the route metadata', () => {
  it('sorts every restricted route of the contract into the CRM rule groups', () => {
    expect(new Set(restricted.map(({ keys }) => keys[0]))).toEqual(
      new Set(['ceo', 'management', 'crm', 'sales', 'instagram']),
    );
    expect(ceoOnly.length + crmRoutes.length + managerOrCeo.length + managerOnly.length).toBe(restricted.length);
    expect(ceoOnly.map(({ name }) => name)).toEqual(
      expect.arrayContaining([
        'ceoDashboard',
        'managementCreateStatus',
        'crmArchived',
        'crmRestore',
        'crmAssign',
        'instagramSetup',
        'instagramDisconnect',
      ]),
    );
    expect(crmRoutes.map(({ name }) => name)).toEqual(
      expect.arrayContaining(['managementListStatuses', 'crmDashboard', 'crmCreate', 'crmAudio', 'salesCharts']),
    );
    expect(managerOrCeo.map(({ name }) => name).sort()).toEqual([
      'crmManagerActivity',
      'crmManagerCustomers',
      'crmManagerStats',
    ]);
    expect(managerOnly.map(({ name }) => name).sort()).toEqual(['crmMyCustomers', 'crmMyStats']);
  });

  it.each(rows(ceoOnly))('%s answers 401 without a token and 403 FORBIDDEN to a SalesManager', async (_name, entry) => {
    const anonymous = await send(entry, {});
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ detail: 'Not authenticated', code: 'UNAUTHENTICATED' });
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');

    // The sales managers hold the `crm` page, which does not open a CEO-only route.
    const forbidden = await send(entry, await tokenOf(sales1.email, sales1.password));
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toEqual({ detail: 'This needs the role CEO', code: 'FORBIDDEN' });
  });

  it.each(rows(crmRoutes))(
    '%s: 401 without a token, 403 to a Member without the crm page, open to one holding it',
    async (_name, entry) => {
      expect((await send(entry, {})).status).toBe(401);

      const outsider = await tokenOf('member@cims.local', 'long-enough-1', {
        email: 'member@cims.local',
        password: 'long-enough-1',
        role: 'Member',
        pages: ['finance_list'],
      });
      const forbidden = await send(entry, outsider);
      expect(forbidden.status).toBe(403);
      expect(await forbidden.json()).toEqual({
        detail: 'This needs the role CEO or the page crm',
        code: 'FORBIDDEN',
      });

      const insider = await tokenOf('crm-member@cims.local', 'long-enough-1', {
        email: 'crm-member@cims.local',
        password: 'long-enough-1',
        role: 'Member',
        pages: ['crm'],
      });
      const allowed = await send(entry, insider);
      expect([401, 403], `${entry.route.method} ${entry.route.path} answered ${allowed.status}`).not.toContain(
        allowed.status,
      );
    },
  );

  it('a page granted later (or revoked) applies to the next request with the same token', async () => {
    const auth = await tokenOf('later@cims.local', 'long-enough-1', {
      email: 'later@cims.local',
      password: 'long-enough-1',
      role: 'Finance',
    });
    const dashboard = () => client.crm.dashboard({ extraHeaders: auth });
    expect((await dashboard()).status).toBe(403);
    mocks.users.update('later@cims.local', { pages: ['crm'] });
    expect((await dashboard()).status).toBe(200);
    mocks.users.update('later@cims.local', { pages: [] });
    expect((await dashboard()).status).toBe(403);
  });

  it('sales-manager routes: a Member with the crm page is refused, the CEO only where listed', async () => {
    const member = await tokenOf('crm-member@cims.local', 'long-enough-1', {
      email: 'crm-member@cims.local',
      password: 'long-enough-1',
      role: 'Member',
      pages: ['crm'],
    });
    for (const entry of [...managerOrCeo, ...managerOnly]) expect((await send(entry, member)).status).toBe(403);
    const boss = await tokenOf(ceo.email, ceo.password);
    for (const entry of managerOnly) expect((await send(entry, boss)).status).toBe(403);
    expect((await client.crm.managerStats({ params: { id: 2 }, extraHeaders: boss })).status).toBe(200);
    const sales = await tokenOf(sales1.email, sales1.password);
    expect((await client.crm.myStats({ extraHeaders: sales })).status).toBe(200);
  });

  it('refuses every other built-in role and a custom-role user too, and lets a CEO through', async () => {
    for (const role of ['Member', 'Customer', 'Finance', 'Admin'] as const) {
      const email = `${role.toLowerCase()}@cims.local`;
      mocks.users.add({ email, password: 'long-enough-1', role });
      const { access_token } = await w.login(email, 'long-enough-1');
      const res = await client.ceo.dashboard(w.bearer(access_token));
      expect(res).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    }
    mocks.users.add({ email: 'labelled@cims.local', password: 'long-enough-1', role: 'Member', role_name: 'ceo' });
    const labelled = await w.login('labelled@cims.local', 'long-enough-1');
    expect((await client.management.listRoles(w.bearer(labelled.access_token))).status).toBe(403);
    const boss = await w.login(ceo.email, ceo.password);
    expect((await client.ceo.dashboard(w.bearer(boss.access_token))).status).toBe(200);
  });

  it('checks the role after the token and before the body: 401, then 403, then 400/422', async () => {
    const [entry] = listRoutes(contract.ceo).filter(({ route }) => route === contract.ceo.createUser);
    if (!entry) throw new Error('no createUser route');
    expect((await send(entry, { authorization: 'Bearer nope' }, '{')).status).toBe(401);
    const forbidden = await send(entry, await tokenOf(sales1.email, sales1.password), '{');
    expect(forbidden.status).toBe(403);
    const boss = await tokenOf(ceo.email, ceo.password);
    expect((await send(entry, boss, '{')).status).toBe(400);
    expect((await send(entry, boss, '{}')).status).toBe(422);
  });

  it('leaves the routes without roles open to every signed-in user', async () => {
    const { access_token } = await w.login(sales1.email, sales1.password);
    expect((await client.auth.me(w.bearer(access_token))).status).toBe(200);
    expect((await client.auth.listSessions(w.bearer(access_token))).status).toBe(200);
  });

  it('follows a role change at once: a demoted CEO is refused with the same token', async () => {
    mocks.users.add({ email: 'ceo2@cims.local', password: 'long-enough-1', role: 'CEO' });
    const { access_token } = await w.login('ceo2@cims.local', 'long-enough-1');
    expect((await client.management.listPages(w.bearer(access_token))).status).toBe(200);
    mocks.users.update('ceo2@cims.local', { role: 'Finance' });
    expect((await client.management.listPages(w.bearer(access_token))).status).toBe(403);
  });
});
