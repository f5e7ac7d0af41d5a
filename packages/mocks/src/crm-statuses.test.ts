import { DEFAULT_STATUSES } from '@cims/contracts';
import { unwrap } from '@cims/sdk';
import { describe, expect, it } from 'vitest';
import { MOCK_USERS } from './state.js';
import { useTestWorld } from './test-world.js';

const w = useTestWorld();
const { client, mocks } = w;
const { ceo, sales1 } = MOCK_USERS;

async function as(user: { email: string; password: string }) {
  const { access_token } = await w.login(user.email, user.password);
  return w.bearer(access_token);
}

const SEEDED_AT = '2026-01-01T05:00:00.000+05:00';
const STAMP = '2026-06-01T14:00:00.000+05:00';
const lead = { full_name: 'Status Lead', platform: 'telegram', phone_number: '+998901234567' };

describe('/management/statuses', () => {
  it('lists the six legacy statuses as system statuses, in order, for the CEO and CRM users', async () => {
    const expected = DEFAULT_STATUSES.map((status, i) => ({
      id: i + 1,
      ...status,
      is_active: true,
      is_system: true,
      created_at: SEEDED_AT,
      updated_at: SEEDED_AT,
    }));
    expect(unwrap(await client.management.listStatuses(await as(ceo)))).toEqual(expected);
    expect(unwrap(await client.management.listStatuses(await as(sales1)))).toEqual(expected);
    expect(
      (await client.management.createStatus({ body: { name: 'x', display_name: 'X' }, ...(await as(sales1)) })).status,
    ).toBe(403);
  });

  it('creates a status (key normalised, last by default, open by default) that customers can use at once', async () => {
    const auth = await as(ceo);
    const res = await client.management.createStatus({
      body: { name: ' Meeting Booked ', display_name: 'Meeting booked', color: '#00aa00' },
      ...auth,
    });
    expect(res).toMatchObject({
      status: 201,
      body: {
        id: 7,
        name: 'meeting_booked',
        display_name: 'Meeting booked',
        description: null,
        color: '#00AA00',
        order: 7,
        category: 'open',
        is_active: true,
        is_system: false,
        created_at: STAMP,
        updated_at: STAMP,
      },
    });
    const dup = await client.management.createStatus({
      body: { name: 'MEETING_BOOKED', display_name: 'Again' },
      ...auth,
    });
    expect(dup).toMatchObject({ status: 409, body: { code: 'CONFLICT' } });
    expect(
      (await client.management.createStatus({ body: { name: 'Contacted', display_name: 'C' }, ...auth })).status,
    ).toBe(409);
    const first = unwrap(
      await client.management.createStatus({
        body: { name: 'won_deal', display_name: 'Won', category: 'won', order: 0 },
        ...auth,
      }),
    );
    expect(unwrap(await client.management.listStatuses(auth))[0]?.id).toBe(first.id);

    const picker = unwrap(await client.crm.statuses(auth));
    expect(picker.map((s) => s.value)).toContain('meeting_booked');
    expect(picker.find((s) => s.value === 'meeting_booked')).toEqual({
      value: 'meeting_booked',
      label: 'Meeting booked',
      color: '#00AA00',
      order: 7,
      description: null,
      category: 'open',
    });
    const created = unwrap(await client.crm.create({ body: { ...lead, status: 'Meeting_Booked' }, ...auth }));
    const customer = unwrap(await client.crm.detail({ params: { id: created.id }, ...auth }));
    expect(customer).toMatchObject({
      status: 'meeting_booked',
      status_label: 'Meeting booked',
      status_category: 'open',
    });
    const dashboard = unwrap(await client.crm.dashboard(auth));
    expect(dashboard.status_dict.meeting_booked).toBe(1);
    expect(dashboard.status_stats.meeting_booked).toBe(1);
    expect(dashboard.status_choices.at(0)?.value).toBe('won_deal');
    const conversion = unwrap(await client.crm.conversionRate(auth));
    await client.crm.patch({ params: { id: created.id }, body: { status: 'won_deal' }, ...auth });
    expect(unwrap(await client.crm.conversionRate(auth)).converted_count).toBe(conversion.converted_count + 1);
  });

  it('relabels, recolours, recategorises and deactivates (system ones too); customers keep an inactive status', async () => {
    const auth = await as(ceo);
    w.advance(1000);
    const relabel = await client.management.patchStatus({
      params: { id: 6 },
      body: { display_name: 'Call back', color: null, category: 'open', description: null },
      ...auth,
    });
    expect(relabel).toMatchObject({
      status: 200,
      body: { id: 6, name: 'need_to_call', display_name: 'Call back', color: null, description: null, is_system: true },
    });
    expect(unwrap(relabel).updated_at).toBe('2026-06-01T14:00:01.000+05:00');
    expect((await client.management.updateStatus({ params: { id: 99 }, body: { order: 1 }, ...auth })).status).toBe(
      404,
    );
    expect(await client.management.updateStatus({ params: { id: 1 }, body: {}, ...auth })).toMatchObject({
      status: 400,
      body: { code: 'NOTHING_TO_UPDATE' },
    });

    const { id } = unwrap(await client.crm.create({ body: { ...lead, status: 'contacted' }, ...auth }));
    const off = await client.management.updateStatus({ params: { id: 1 }, body: { is_active: false }, ...auth });
    expect(off).toMatchObject({ status: 200, body: { name: 'contacted', is_active: false } });
    expect(unwrap(await client.crm.statuses(auth)).map((s) => s.value)).not.toContain('contacted');
    expect(unwrap(await client.crm.detail({ params: { id }, ...auth })).status).toBe('contacted');
    // Re-sending a customer's own (now inactive) status on save is fine; choosing it is not.
    expect(
      (await client.crm.update({ params: { id }, body: { status: 'contacted', notes: 'x' }, ...auth })).status,
    ).toBe(200);
    const refused = await client.crm.create({ body: { ...lead, status: 'contacted' }, ...auth });
    expect(refused).toMatchObject({
      status: 422,
      body: {
        detail: [
          {
            loc: ['body', 'status'],
            msg: "Unknown or inactive status 'contacted'; use one of: project_started, continuing, finished, rejected, need_to_call",
          },
        ],
      },
    });
    const other = unwrap(await client.crm.create({ body: { ...lead, status: 'finished' }, ...auth }));
    expect((await client.crm.patch({ params: { id: other.id }, body: { status: 'contacted' }, ...auth })).status).toBe(
      422,
    );
    // Inactive statuses still count where customers use them.
    expect(unwrap(await client.crm.stats(auth)).status_dict.contacted).toBeGreaterThan(0);
  });

  it('reorders: every id exactly once (else 422), orders become 1, 2, 3, …', async () => {
    const auth = await as(ceo);
    const added = unwrap(
      await client.management.createStatus({ body: { name: 'extra', display_name: 'Extra', order: 50 }, ...auth }),
    );
    const ids = [added.id, 6, 5, 4, 3, 2, 1];
    const res = unwrap(await client.management.reorderStatuses({ body: { ids }, ...auth }));
    expect(res.map((s) => [s.id, s.order])).toEqual(ids.map((id, i) => [id, i + 1]));
    expect(unwrap(await client.crm.statuses(auth)).map((s) => s.value)).toEqual([
      'extra',
      'need_to_call',
      'rejected',
      'finished',
      'continuing',
      'project_started',
      'contacted',
    ]);
    for (const bad of [
      [1, 2, 3],
      [...ids, 1],
      [...ids.slice(1), 99],
      [...ids, 99],
    ]) {
      const refused = await client.management.reorderStatuses({ body: { ids: bad }, ...auth });
      expect(refused).toMatchObject({
        status: 422,
        body: { code: 'VALIDATION_FAILED', detail: [{ loc: ['body', 'ids'] }] },
      });
    }
    expect(unwrap(await client.management.listStatuses(auth)).map((s) => s.id)).toEqual(ids);
  });

  it('deletes: never a system status (403), in use → 409 with the count, or reassign_to moves the customers', async () => {
    const boss = await as(ceo);
    expect(await client.management.deleteStatus({ params: { id: 1 }, ...boss })).toMatchObject({
      status: 403,
      body: { code: 'FORBIDDEN' },
    });
    expect((await client.management.deleteStatus({ params: { id: 99 }, ...boss })).status).toBe(404);
    const unused = unwrap(
      await client.management.createStatus({ body: { name: 'unused', display_name: 'Unused' }, ...boss }),
    );
    expect(await client.management.deleteStatus({ params: { id: unused.id }, ...boss })).toMatchObject({
      status: 200,
      body: { reassigned_count: 0 },
    });

    const trial = unwrap(
      await client.management.createStatus({ body: { name: 'trial', display_name: 'Trial' }, ...boss }),
    );
    const sales = await as(sales1);
    const a = unwrap(await client.crm.create({ body: { ...lead, status: 'trial' }, ...sales }));
    const b = unwrap(await client.crm.create({ body: { ...lead, status: 'trial' }, ...sales }));
    await client.crm.archive({ params: { id: b.id }, ...sales });

    const inUse = await client.management.deleteStatus({ params: { id: trial.id }, ...boss });
    expect(inUse).toMatchObject({ status: 409, body: { code: 'STATUS_IN_USE', in_use_count: 2 } });
    for (const reassign_to of ['Trial', 'no_such_status']) {
      const bad = await client.management.deleteStatus({ params: { id: trial.id }, query: { reassign_to }, ...boss });
      expect(bad).toMatchObject({ status: 422, body: { detail: [{ loc: ['query', 'reassign_to'] }] } });
    }

    w.advance(60_000);
    const moved = await client.management.deleteStatus({
      params: { id: trial.id },
      query: { reassign_to: 'Contacted' },
      ...boss,
    });
    expect(moved).toMatchObject({ status: 200, body: { reassigned_count: 2 } });
    expect(unwrap(await client.management.listStatuses(boss)).map((s) => s.name)).not.toContain('trial');
    for (const id of [a.id, b.id]) {
      expect(mocks.crm.customer(id)?.status).toBe('contacted');
      const history = unwrap(await client.crm.statusHistory({ params: { id }, ...boss }));
      expect(history.at(-1)).toMatchObject({
        from_status: 'trial',
        to_status: 'contacted',
        changed_by: 1,
        changed_by_full_name: 'Demo CEO',
        changed_at: '2026-06-01T14:01:00.000+05:00',
      });
    }
  });
});
