import { contract, listRoutes, routeMeta } from '@cims/contracts';
import { describe, expect, it } from 'vitest';
import { MOCK_USERS } from './state.js';
import { useTestWorld } from './test-world.js';

const w = useTestWorld();
const { client, mocks } = w;
const { ceo, sales1 } = MOCK_USERS;

/** Every contract route whose metadata names the roles allowed to call it. */
const restricted = listRoutes(contract).filter(({ route }) => routeMeta(route).roles !== undefined);

/** A concrete URL path for a route: ids become 1, other parameters a page key. */
function concrete(path: string): string {
  return path.replace(/:id\b/g, '1').replace(/:\w+/g, 'crm');
}

/** A request to a route, with a JSON body where the route takes one. */
function send(route: (typeof restricted)[number]['route'], headers: Record<string, string>, body = '{}') {
  const init: RequestInit = { method: route.method, headers: { ...headers } };
  if ('body' in route) {
    init.body = body;
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  return w.fetch(concrete(route.path), init);
}

describe('roles from the route metadata', () => {
  it('covers every CEO and management route of the contract', () => {
    const names = restricted.map(({ keys }) => keys[0]);
    expect(restricted.length).toBe(21);
    expect(new Set(names)).toEqual(new Set(['ceo', 'management']));
    for (const { route } of restricted) expect(routeMeta(route)).toMatchObject({ auth: 'bearer', roles: ['CEO'] });
  });

  it.each(restricted.map(({ name, route }) => [name, route]))(
    '%s answers 401 without a token and 403 FORBIDDEN to a SalesManager',
    async (_name, route) => {
      const anonymous = await send(route, {});
      expect(anonymous.status).toBe(401);
      expect(await anonymous.json()).toEqual({ detail: 'Not authenticated', code: 'UNAUTHENTICATED' });
      expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');

      const { access_token } = await w.login(sales1.email, sales1.password);
      const forbidden = await send(route, { authorization: `Bearer ${access_token}` });
      expect(forbidden.status).toBe(403);
      expect(await forbidden.json()).toEqual({ detail: 'This needs one of the roles CEO', code: 'FORBIDDEN' });
    },
  );

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
    const route = contract.ceo.createUser;
    expect((await send(route, { authorization: 'Bearer nope' }, '{')).status).toBe(401);
    const sales = await w.login(sales1.email, sales1.password);
    const forbidden = await send(route, { authorization: `Bearer ${sales.access_token}` }, '{');
    expect(forbidden.status).toBe(403);
    const boss = await w.login(ceo.email, ceo.password);
    const malformed = await send(route, { authorization: `Bearer ${boss.access_token}` }, '{');
    expect(malformed.status).toBe(400);
    const invalid = await send(route, { authorization: `Bearer ${boss.access_token}` }, '{}');
    expect(invalid.status).toBe(422);
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
