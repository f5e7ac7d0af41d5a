import { createCimsClient, unwrap } from '@cims/sdk';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../harness.js';
import { CEO, newPhone, signIn, sql, unique } from './write-helpers.js';

const KEY = 'intake-key-for-the-tests-0123456789';

const lead = () => ({ full_name: `Intake ${unique()}`, platform: 'Website', phone_number: newPhone().national });

describe('lead intake (POST /crm/api/customers)', () => {
  it('answers 503 when the server has no key', async () => {
    await using t = await createTestApp();
    const res = await createCimsClient({ baseUrl: t.url }).crm.intake({ body: lead(), extraHeaders: { 'x-key': KEY } });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });

  it('refuses a wrong or missing key with 401 (before looking at the body); creates with the right one', async () => {
    await using t = await createTestApp({ env: { CRM_CUSTOMER_API_KEY: KEY } });
    const client = createCimsClient({ baseUrl: t.url });
    for (const key of [undefined, 'wrong', `${KEY}x`, KEY.slice(0, -1)]) {
      const res = await client.crm.intake({ body: lead(), extraHeaders: key === undefined ? {} : { 'x-key': key } });
      expect(res.status, String(key)).toBe(401);
      expect(res.body).toMatchObject({ code: 'INVALID_API_KEY' });
    }
    const invalid = await fetch(`${t.url}/crm/api/customers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-key': 'wrong' },
      body: '{"full_name": 1}',
    });
    expect(invalid.status).toBe(401);

    const res = await client.crm.intake({ body: lead(), extraHeaders: { 'x-key': KEY } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const created = unwrap(res);
    expect(created.sales_manager_id).toEqual(expect.any(Number));
    const ceo = await signIn(t, CEO);
    expect(unwrap(await ceo.crm.detail({ params: { id: created.id } }))).toMatchObject({
      platform: 'website',
      status: 'need_to_call',
      conversation_language: 'uz',
      sales_manager: { id: created.sales_manager_id },
    });
    const history = unwrap(await ceo.crm.statusHistory({ params: { id: created.id } }));
    expect(history).toEqual([
      expect.objectContaining({
        from_status: null,
        to_status: 'need_to_call',
        changed_by: null,
        changed_by_full_name: null,
      }),
    ]);
    const [row] = await sql(t, 'select created_by, source from customer where id = ?', [created.id]);
    expect(row).toMatchObject({ created_by: null, source: 'api' });
    const bad = await client.crm.intake({ body: { ...lead(), status: 'nope' }, extraHeaders: { 'x-key': KEY } });
    expect(bad.status).toBe(422);
    expect(t.logText()).not.toContain(KEY);
  });

  it('leaves intake customers unassigned with CRM_INTAKE_AUTO_ASSIGN=false', async () => {
    await using t = await createTestApp({ env: { CRM_CUSTOMER_API_KEY: KEY, CRM_INTAKE_AUTO_ASSIGN: 'false' } });
    const res = await createCimsClient({ baseUrl: t.url }).crm.intake({ body: lead(), extraHeaders: { 'x-key': KEY } });
    expect(unwrap(res).sales_manager_id).toBeNull();
    expect(await sql(t, 'select id from sales_manager_assignment')).toEqual([]);
  });
});
