import { describe, expect, it } from 'vitest';
import { bearer, CEO, getJson, SALES, sendJson, tokens } from '../auth/helpers.js';
import { createTestApp } from '../harness.js';

describe('page activity', () => {
  it('regression: a deactivated page still passed the route check of the users holding it', async () => {
    await using t = await createTestApp();
    const asCeo = bearer((await tokens(t, CEO.email, CEO.password)).access_token);
    const asSales = bearer((await tokens(t, SALES.email, SALES.password)).access_token);
    expect((await getJson(t, '/crm/stats', asSales)).res.status).toBe(200);
    const crm = (await getJson(t, '/management/pages', asCeo)).body.find((p: { name: string }) => p.name === 'crm');
    const off = await sendJson(t, 'PATCH', `/management/pages/${crm.id}`, { is_active: false }, asCeo);
    expect(off.body.is_active).toBe(false);
    // Hidden in /auth/me, and it grants nothing.
    expect((await getJson(t, '/auth/me', asSales)).body.permissions).not.toHaveProperty('crm');
    const denied = await getJson(t, '/crm/stats', asSales);
    expect([denied.res.status, denied.body.code]).toEqual([403, 'FORBIDDEN']);
    // A role rule is not a page: the CEO keeps access.
    expect((await getJson(t, '/crm/stats', asCeo)).res.status).toBe(200);
    await sendJson(t, 'PATCH', `/management/pages/${crm.id}`, { is_active: true }, asCeo);
    expect((await getJson(t, '/crm/stats', asSales)).res.status).toBe(200);
  });
});
