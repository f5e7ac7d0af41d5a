import { describe, expect, it } from 'vitest';
import { getJson, SALES, sendJson } from '../auth/helpers.js';
import { ceo, userId } from '../ceo/helpers.js';
import { createTestApp } from '../harness.js';

describe('management: pages and roles', () => {
  it('creates, updates (PUT and PATCH) and deletes pages; built-in and granted pages stay', async () => {
    await using t = await createTestApp();
    const asCeo = await ceo(t);
    const created = await sendJson(
      t,
      'POST',
      '/management/pages',
      { name: 'Team Board', display_name: 'Team board', route_path: 'board' },
      asCeo,
    );
    expect(created.res.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'team_board', route_path: '/board', is_system: false, order: 0 });
    expect(
      (await sendJson(t, 'POST', '/management/pages', { name: 'team_board', display_name: 'x' }, asCeo)).res.status,
    ).toBe(409);
    const put = await sendJson(
      t,
      'PUT',
      `/management/pages/${created.body.id}`,
      { order: 50, route_path: null },
      asCeo,
    );
    expect(put.body).toMatchObject({ order: 50, route_path: null });
    const patch = await sendJson(t, 'PATCH', `/management/pages/${created.body.id}`, { display_name: 'Board' }, asCeo);
    expect(patch.body.display_name).toBe('Board');
    expect((await sendJson(t, 'PATCH', `/management/pages/${created.body.id}`, {}, asCeo)).body.code).toBe(
      'NOTHING_TO_UPDATE',
    );
    await sendJson(
      t,
      'POST',
      `/ceo/users/${await userId(t, SALES.email)}/permissions/add`,
      { team_board: true },
      asCeo,
    );
    const granted = await fetch(`${t.url}/management/pages/${created.body.id}`, { method: 'DELETE', headers: asCeo });
    expect(granted.status).toBe(409);
    expect((await granted.json()).detail).toContain('1 user');
    await fetch(`${t.url}/ceo/users/${await userId(t, SALES.email)}/permissions/team_board`, {
      method: 'DELETE',
      headers: asCeo,
    });
    const deleted = await fetch(`${t.url}/management/pages/${created.body.id}`, { method: 'DELETE', headers: asCeo });
    expect(await deleted.json()).toEqual({ message: "Page 'team_board' deleted" });
    const pages = (await getJson(t, '/management/pages', asCeo)).body;
    const crm = pages.find((p: { name: string }) => p.name === 'crm');
    expect(crm.is_system).toBe(true);
    expect((await fetch(`${t.url}/management/pages/${crm.id}`, { method: 'DELETE', headers: asCeo })).status).toBe(403);
    expect((await fetch(`${t.url}/management/pages/999999`, { method: 'DELETE', headers: asCeo })).status).toBe(404);
  });

  it('lists the six built-in roles, and adds, edits and deletes custom ones (names unique regardless of case)', async () => {
    await using t = await createTestApp();
    const asCeo = await ceo(t);
    const roles = (await getJson(t, '/management/roles', asCeo)).body;
    expect(roles.map((r: { name: string }) => r.name).sort()).toEqual([
      'Admin',
      'CEO',
      'Customer',
      'Finance',
      'Member',
      'SalesManager',
    ]);
    expect(roles.every((r: { is_system: boolean }) => r.is_system)).toBe(true);
    expect(
      (await sendJson(t, 'POST', '/management/roles', { name: 'ceo', display_name: 'Fake' }, asCeo)).res.status,
    ).toBe(409);
    const made = await sendJson(t, 'POST', '/management/roles', { name: 'intern', display_name: 'Intern' }, asCeo);
    expect(made.res.status).toBe(201);
    const edited = await sendJson(t, 'PATCH', `/management/roles/${made.body.id}`, { description: 'Summer' }, asCeo);
    expect(edited.body.description).toBe('Summer');
    const cleared = await sendJson(t, 'PUT', `/management/roles/${made.body.id}`, { description: null }, asCeo);
    expect(cleared.body.description).toBeNull();
    const ceoRole = roles.find((r: { name: string }) => r.name === 'CEO');
    expect((await fetch(`${t.url}/management/roles/${ceoRole.id}`, { method: 'DELETE', headers: asCeo })).status).toBe(
      403,
    );
    expect(
      (await fetch(`${t.url}/management/roles/${made.body.id}`, { method: 'DELETE', headers: asCeo })).status,
    ).toBe(200);
  });
});
