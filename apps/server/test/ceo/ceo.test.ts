import { contract, listRoutes, routeMeta } from '@cims/contracts';
import { describe, expect, it } from 'vitest';
import { query } from '../../src/db/sql.js';
import { bearer, CEO, getJson, login, SALES, sendJson, tokens } from '../auth/helpers.js';
import { createTestApp } from '../harness.js';
import { ceo, userId } from './helpers.js';

describe('CEO-only routes (the legacy server let any active user call them)', () => {
  it('every route with roles in the contract: anonymous → 401, sales manager / member / deactivated → 401/403, CEO passes', async () => {
    await using t = await createTestApp();
    const asCeo = await ceo(t);
    const asSales = bearer((await tokens(t, SALES.email, SALES.password)).access_token);
    await sendJson(
      t,
      'POST',
      '/ceo/users',
      { email: 'm@x.io', name: 'M', password: 'member-password', role: 'Member' },
      asCeo,
    );
    const asMember = bearer((await tokens(t, 'm@x.io', 'member-password')).access_token);
    await sendJson(
      t,
      'POST',
      '/ceo/users',
      { email: 'gone@x.io', name: 'G', password: 'gone-password', role: 'CEO' },
      asCeo,
    );
    const asGone = bearer((await tokens(t, 'gone@x.io', 'gone-password')).access_token);
    await fetch(`${t.url}/ceo/users/${await userId(t, 'gone@x.io')}/toggle-active`, {
      method: 'PATCH',
      headers: asCeo,
    });
    // The CEO's own routes. Those that also let in a role or a page (the CRM's: `pages: ['crm']`, which the demo sales
    // managers hold) are covered by the conformance suite's CRM access checks and test/crm/access.test.ts.
    const guarded = listRoutes(contract).filter(({ route }) => {
      const { roles, pages } = routeMeta(route);
      return roles?.join() === 'CEO' && !pages?.length;
    });
    expect(guarded.length).toBeGreaterThanOrEqual(21);
    for (const { route, name } of guarded) {
      const path = route.path.replace(':id', '999999').replace(':page_name', 'crm');
      const call = (headers: Record<string, string>) =>
        fetch(`${t.url}${path}`, {
          method: route.method,
          headers: { 'content-type': 'application/json', ...headers },
          body: route.method === 'GET' ? undefined : '{}',
        });
      expect((await call({})).status, `${name} anonymous`).toBe(401);
      expect((await call(asSales)).status, `${name} sales manager`).toBe(403);
      expect((await call(asMember)).status, `${name} member`).toBe(403);
      expect((await call(asGone)).status, `${name} deactivated`).toBe(401);
      expect([401, 403]).not.toContain((await call(asCeo)).status);
    }
  });
});

describe('user administration', () => {
  it('creates, lists, updates and deletes users, auditing each change without secrets', async () => {
    await using t = await createTestApp();
    const asCeo = await ceo(t);
    const created = await sendJson(
      t,
      'POST',
      '/ceo/users',
      {
        email: 'New@Example.com',
        name: 'Nodira',
        surname: 'N',
        password: 'nodira-password',
        role: 'Sales Manager',
        pages: ['crm'],
      },
      asCeo,
    );
    expect(created.res.status).toBe(201);
    expect(created.body).toEqual({ message: 'User created', id: expect.any(Number) });
    const dashboard = await getJson(t, '/ceo/dashboard', asCeo);
    const nodira = dashboard.body.users.find((u: { email: string }) => u.email === 'new@example.com');
    expect(nodira).toMatchObject({ role: 'SalesManager', permissions: ['crm'], email_verified: true, is_active: true });
    expect(dashboard.body.statistics).toEqual({ user_count: 4, active_user_count: 4, inactive_user_count: 0 });
    expect(JSON.stringify(dashboard.body)).not.toContain('password');
    expect((await login(t, 'new@example.com', 'nodira-password')).res.status).toBe(200);

    const dup = await sendJson(
      t,
      'POST',
      '/ceo/users',
      { email: 'new@example.com', name: 'X', password: 'xxxxxxxx1' },
      asCeo,
    );
    expect(dup.res.status).toBe(409);
    expect(dup.body.code).toBe('EMAIL_TAKEN');

    const session = await tokens(t, 'new@example.com', 'nodira-password');
    const upd = await sendJson(
      t,
      'PUT',
      `/ceo/users/${created.body.id}`,
      { job_title: 'Lead', password: 'reset-by-ceo-1' },
      asCeo,
    );
    expect(upd.res.status).toBe(200);
    expect((await getJson(t, '/auth/me', bearer(session.access_token))).res.status).toBe(401);
    expect((await login(t, 'new@example.com', 'reset-by-ceo-1')).res.status).toBe(200);
    expect((await sendJson(t, 'PUT', `/ceo/users/${created.body.id}`, {}, asCeo)).body.code).toBe('NOTHING_TO_UPDATE');
    expect((await sendJson(t, 'PUT', '/ceo/users/999999', { name: 'x' }, asCeo)).res.status).toBe(404);
    const taken = await sendJson(t, 'PUT', `/ceo/users/${created.body.id}`, { email: SALES.email }, asCeo);
    expect(taken.body.code).toBe('EMAIL_TAKEN');

    const del = await fetch(`${t.url}/ceo/users/${created.body.id}`, { method: 'DELETE', headers: asCeo });
    expect(del.status).toBe(200);
    expect((await login(t, 'new@example.com', 'reset-by-ceo-1')).res.status).toBe(401);
    const audit = await query(
      t.server.app.context.db.orm.em.fork(),
      `select action, data from audit_log where module = 'users'`,
    );
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['create', 'update', 'delete']));
    expect(JSON.stringify(audit)).not.toContain('reset-by-ceo-1');
  });

  it('resolves roles: legacy spellings, custom roles (Member plus the label), unknown → 422', async () => {
    await using t = await createTestApp();
    const asCeo = await ceo(t);
    await sendJson(t, 'POST', '/management/roles', { name: 'Team Lead', display_name: 'Team lead' }, asCeo);
    const custom = await sendJson(
      t,
      'POST',
      '/ceo/users',
      { email: 'tl@x.io', name: 'T', password: 'teamlead-pw', role: 'team lead' },
      asCeo,
    );
    expect(custom.res.status).toBe(201);
    const users = (await getJson(t, '/ceo/dashboard', asCeo)).body.users;
    expect(users.find((u: { email: string }) => u.email === 'tl@x.io')).toMatchObject({
      role: 'Member',
      role_name: 'team_lead',
    });
    const overview = await getJson(t, '/ceo/users/permissions/overview', asCeo);
    expect(overview.body.users.find((u: { email: string }) => u.email === 'tl@x.io').role).toBe('Team lead');
    const unknown = await sendJson(
      t,
      'POST',
      '/ceo/users',
      { email: 'u@x.io', name: 'U', password: 'unknown-pw', role: 'Emperor' },
      asCeo,
    );
    expect(unknown.res.status).toBe(422);
    expect(unknown.body.detail).toEqual([
      { loc: ['body', 'role'], msg: 'Unknown or inactive role', type: 'value_error' },
    ]);
    // The role is held: it cannot be deleted.
    const roles = (await getJson(t, '/management/roles', asCeo)).body;
    const teamLead = roles.find((r: { name: string }) => r.name === 'team_lead');
    const held = await fetch(`${t.url}/management/roles/${teamLead.id}`, { method: 'DELETE', headers: asCeo });
    expect(held.status).toBe(409);
  });

  it('never leaves the system without an active CEO', async () => {
    await using t = await createTestApp();
    const asCeo = await ceo(t);
    const me = await userId(t, CEO.email);
    for (const attempt of [
      fetch(`${t.url}/ceo/users/${me}/toggle-active`, { method: 'PATCH', headers: asCeo }),
      fetch(`${t.url}/ceo/users/${me}`, { method: 'DELETE', headers: asCeo }),
      sendJson(t, 'PUT', `/ceo/users/${me}`, { role: 'Member' }, asCeo).then((r) => r.res),
      sendJson(t, 'PUT', `/ceo/users/${me}`, { is_active: false }, asCeo).then((r) => r.res),
    ]) {
      const res = await attempt;
      expect(res.status).toBe(409);
    }
    // With a second CEO, the first may step down.
    await sendJson(
      t,
      'POST',
      '/ceo/users',
      { email: 'ceo2@x.io', name: 'C2', password: 'second-ceo-pw', role: 'CEO' },
      asCeo,
    );
    const toggled = await fetch(`${t.url}/ceo/users/${me}/toggle-active`, { method: 'PATCH', headers: asCeo });
    expect(toggled.status).toBe(200);
    expect(await toggled.json()).toEqual({ is_active: false, active_user_count: 3, inactive_user_count: 1 });
    // Deactivation ended the session at once.
    expect((await getJson(t, '/auth/me', asCeo)).res.status).toBe(401);
  });

  it('manages page permissions: get, replace, add, remove, overview; unknown pages → 422 naming each', async () => {
    await using t = await createTestApp();
    const asCeo = await ceo(t);
    const id = await userId(t, SALES.email);
    const before = await getJson(t, `/ceo/users/${id}/permissions`, asCeo);
    expect(before.body).toMatchObject({
      user_email: SALES.email,
      active_permissions_count: 1,
      total_available_pages: 10,
    });
    expect(before.body.permissions.crm).toBe(true);
    const set = await sendJson(
      t,
      'PUT',
      `/ceo/users/${id}/permissions`,
      { ' CEO ': true, update_list: true, crm: false },
      asCeo,
    );
    expect(set.body).toEqual({ message: 'Permissions updated: ceo, update_list' });
    const add = await sendJson(t, 'POST', `/ceo/users/${id}/permissions/add`, { crm: true }, asCeo);
    expect(add.res.status).toBe(200);
    const single = await sendJson(t, 'POST', `/ceo/users/${id}/permissions/add-single`, { projects: true }, asCeo);
    expect(single.res.status).toBe(200);
    const sales = bearer((await tokens(t, SALES.email, SALES.password)).access_token);
    expect((await getJson(t, '/auth/me', sales)).body.permissions).toMatchObject({
      ceo: true,
      update_list: true,
      crm: true,
      projects: true,
    });
    const bad = await sendJson(
      t,
      'PUT',
      `/ceo/users/${id}/permissions`,
      { nope: true, crm: true, 'also-bad': false },
      asCeo,
    );
    expect(bad.res.status).toBe(422);
    expect(bad.body.detail.map((d: { loc: string[] }) => d.loc)).toEqual([
      ['body', 'nope'],
      ['body', 'also-bad'],
    ]);
    // Nothing changed by the refused request.
    expect((await getJson(t, `/ceo/users/${id}/permissions`, asCeo)).body.active_permissions_count).toBe(4);
    const rm = await fetch(`${t.url}/ceo/users/${id}/permissions/projects`, { method: 'DELETE', headers: asCeo });
    expect(rm.status).toBe(200);
    expect(
      (await fetch(`${t.url}/ceo/users/${id}/permissions/projects`, { method: 'DELETE', headers: asCeo })).status,
    ).toBe(404);
    const overview = await getJson(t, '/ceo/users/permissions/overview', asCeo);
    expect(overview.body.total_users).toBe(3);
    expect(overview.body.summary.users_with_crm_access).toBe(3);
    expect(overview.body.users.find((u: { email: string }) => u.email === SALES.email).permissions).toEqual([
      'ceo',
      'crm',
      'update_list',
    ]);
  });
});
