import { unwrap } from '@cims/sdk';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../harness.js';
import { CEO, createCustomer, newPhone, signIn, unique } from './write-helpers.js';

describe('who may use the CRM', () => {
  it('a Member without the crm page gets 403 on the CRM routes; with the page granted, 200', async () => {
    await using t = await createTestApp();
    const ceo = await signIn(t, CEO);
    const email = `member-${unique()}@example.com`;
    const created = unwrap(
      await ceo.ceo.createUser({ body: { email, password: 'member-password', name: 'Mem', role: 'Member' } }),
    );
    const member = await signIn(t, { email, password: 'member-password' });
    const customer = await createCustomer(ceo);
    const body = { full_name: 'By a member', platform: 'telegram', phone_number: newPhone().e164, status: 'contacted' };

    expect((await member.crm.detail({ params: { id: customer.id } })).status).toBe(403);
    expect((await member.crm.create({ body })).status).toBe(403);
    expect((await member.crm.statuses()).status).toBe(403);
    expect((await member.management.listStatuses()).status).toBe(403);
    expect((await member.crm.statusHistory({ params: { id: customer.id } })).status).toBe(403);
    expect((await member.crm.listNotes({ params: { id: customer.id } })).status).toBe(403);

    unwrap(await ceo.ceo.addPermissions({ params: { id: created.id }, body: { crm: true } }));
    expect((await member.crm.detail({ params: { id: customer.id } })).status).toBe(200);
    expect((await member.crm.create({ body })).status).toBe(201);
    expect((await member.crm.statuses()).status).toBe(200);
    expect((await member.management.listStatuses()).status).toBe(200);
    // The CEO-only routes stay the CEO's.
    expect((await member.crm.restore({ params: { id: customer.id } })).status).toBe(403);
    expect((await member.management.createStatus({ body: { name: 'x', display_name: 'x' } })).status).toBe(403);
    // Nobody without a token.
    const anonymous = await fetch(`${t.url}/crm/detail/${customer.id}`);
    expect(anonymous.status).toBe(401);
  });
});
