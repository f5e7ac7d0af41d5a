import { unwrap } from '@cims/sdk';
import { describe, expect, it } from 'vitest';
import { createMockApi, MOCK_INTAKE_API_KEY } from './mock-api.js';
import { MOCK_USERS } from './state.js';
import { BASE_URL, useTestWorld } from './test-world.js';

const w = useTestWorld({
  intakeApiKey: null,
  intakeAutoAssign: false,
  businessTimeZone: 'UTC',
  defaultPhoneRegion: 'RU',
  audioUrlTtlSeconds: 60,
});
const { client, mocks } = w;

async function asCeo() {
  const { access_token } = await w.login(MOCK_USERS.ceo.email, MOCK_USERS.ceo.password);
  return w.bearer(access_token);
}

describe('CRM options of createMockApi', () => {
  it('intakeApiKey: null makes intake answer 503 whatever the key', async () => {
    const body = { full_name: 'Lead', platform: 'website', phone_number: '+998901234567' };
    for (const extraHeaders of [{}, { 'x-key': 'anything' }]) {
      const res = await client.crm.intake({ body, extraHeaders });
      expect(res).toMatchObject({ status: 503, body: { code: 'SERVICE_UNAVAILABLE' } });
    }
    expect(mocks.crm.intakeApiKey).toBeNull();
  });

  it('businessTimeZone sets the offset of timestamps and the calendar of the statistics', async () => {
    const auth = await asCeo();
    const created = unwrap(
      await client.crm.create({
        body: {
          full_name: 'Lead',
          platform: 'website',
          phone_number: '9161234567',
          status: 'contacted',
          recall_time: '2026-06-02 10:00',
        },
        ...auth,
      }),
    );
    // intakeAutoAssign only concerns intake: UI-created customers are still assigned.
    expect(created.sales_manager_id).toBe(2);
    const customer = unwrap(await client.crm.detail({ params: { id: created.id }, ...auth }));
    expect(customer).toMatchObject({
      created_at: '2026-06-01T09:00:00.000Z',
      recall_time: '2026-06-02T10:00:00.000Z',
      phone_number: '+79161234567',
    });
    const activity = unwrap(await client.crm.managerActivity({ query: { sales_manager_id: 2 }, ...auth }));
    expect(activity.period.timezone).toBe('UTC');
  });

  it('audioUrlTtlSeconds sets how long an audio_url works', async () => {
    const [seeded] = mocks.crm.customers().filter((c) => c.audio_url);
    const url = seeded?.audio_url ?? '';
    expect((await w.fetch(url)).status).toBe(200);
    w.advance(61_000);
    expect((await w.fetch(url)).status).toBe(403);
  });

  it('intakeAutoAssign: false leaves intake customers unassigned', async () => {
    const other = createMockApi({ baseUrl: BASE_URL, intakeAutoAssign: false });
    w.server.use(...other.handlers);
    const body = { full_name: 'Lead', platform: 'website', phone_number: '+998901234567' };
    const res = await client.crm.intake({ body, extraHeaders: { 'x-key': MOCK_INTAKE_API_KEY } });
    expect(res).toMatchObject({ status: 201, body: { id: 41, sales_manager_id: null } });
    expect(other.crm.customer(41)?.sales_manager).toBeNull();
  });

  it('refuses an unknown time zone at once', () => {
    expect(() => createMockApi({ baseUrl: BASE_URL, businessTimeZone: 'Mars/Olympus' })).toThrow(/time zone/);
  });
});
