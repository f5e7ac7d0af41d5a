import { unwrap } from '@cims/sdk';
import { expect, it } from 'vitest';
import { newPhone, unique } from '../crm-kit.js';
import { SEEDED, signedIn, type Target, type withWorld as WithWorld } from '../suite-kit.js';

/** The intake API (`POST /crm/api/customers`) and its key. */
export function crmIntakeSuite(target: Target, withWorld: typeof WithWorld): void {
  withWorld(target, 'CRM: intake API', (world) => {
    const intake = (key: string | undefined) =>
      world()
        .newClient()
        .crm.intake({
          body: { full_name: `Intake ${unique()}`, platform: 'Website', phone_number: newPhone().e164 },
          extraHeaders: key === undefined ? {} : { 'x-key': key },
        });

    it('refuses a wrong or missing X-Key with 401 INVALID_API_KEY', async () => {
      expect(world().intakeKey, 'the target must configure an intake key').toBeTruthy();
      for (const key of ['wrong-key', undefined]) {
        const res = await intake(key);
        expect(res.status, String(key)).toBe(401);
        expect(res.body).toMatchObject({ code: 'INVALID_API_KEY' });
      }
    });

    it('creates a customer with the right key (default status need_to_call, history by nobody)', async () => {
      const res = await intake(world().intakeKey);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      const { id } = unwrap(res);
      const ceo = await signedIn(world(), SEEDED.ceo);
      const detail = unwrap(await ceo.crm.detail({ params: { id } }));
      expect(detail).toMatchObject({ platform: 'website', status: 'need_to_call', conversation_language: 'uz' });
      const history = unwrap(await ceo.crm.statusHistory({ params: { id } }));
      expect(history).toEqual([
        expect.objectContaining({ from_status: null, to_status: 'need_to_call', changed_by: null }),
      ]);
    });
  });
}
