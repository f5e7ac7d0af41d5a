import { CimsApiError, type CimsClient, unwrap } from '@cims/sdk';
import { expect, it } from 'vitest';
import type { Target, withWorld as WithWorld } from './suite-kit.js';
import { SEEDED, signedIn } from './suite-kit.js';

async function loginStatus(client: CimsClient, who: { email: string; password: string }): Promise<number | 'ok'> {
  try {
    await client.login(who);
    return 'ok';
  } catch (error) {
    if (error instanceof CimsApiError) return error.status;
    throw error;
  }
}

/**
 * Account safety (issue 15): a pending sign-up cannot be taken over, failures elsewhere do not lock the owner out,
 * codes are mailed within a limit, and an inactive page grants nothing. Each block has a world of its own, since
 * limits carry over within one.
 */
export function accountSafetySuite(target: Target, withWorld: typeof WithWorld): void {
  withWorld(target, 'a second registration of a pending address', (world) => {
    it('leaves the account as it is, answers like a new one, and mails a code to choose the password with', async () => {
      const email = 'pending.owner@example.com';
      const anon = world().newClient();
      const first = await anon.auth.register({
        body: { email, name: 'Real', surname: 'Owner', password: 'owners-password' },
      });
      const second = await anon.auth.register({
        body: { email, name: 'Some', surname: 'One', password: 'someone-elses-password' },
      });
      expect([first.status, second.status]).toEqual([201, 201]);
      expect(second.body).toEqual(first.body);
      const firstCode = (await world().nthMail(email, 1)).code;
      expect(await loginStatus(world().newClient(), { email, password: 'someone-elses-password' })).toBe(401);
      expect(await loginStatus(world().newClient(), { email, password: 'owners-password' })).toBe(403);
      // The earlier verification code is gone; a password chosen with the new code verifies the address.
      expect((await anon.auth.verifyEmail({ body: { email, code: firstCode } })).status).toBe(400);
      const mail = await world().nthMail(email, 2);
      expect(mail.subject).toBe('Finish your CIMS registration');
      const reset = await anon.auth.resetPassword({
        body: { email, code: mail.code, new_password: 'chosen-by-owner' },
      });
      expect(reset.status).toBe(200);
      const owner = await signedIn(world(), { email, password: 'chosen-by-owner' });
      expect(unwrap(await owner.auth.me())).toMatchObject({ email, name: 'Real', email_verified: true });
    });

    it('regression: resend-verification after a second registration mailed a verify code that took over the sign-up', async () => {
      const email = 'contested.owner@example.com';
      const anon = world().newClient();
      const squatter = { email, name: 'Some', surname: 'One', password: 'squatters-password' };
      expect((await anon.auth.register({ body: squatter })).status).toBe(201);
      const owner = { email, name: 'Real', surname: 'Owner', password: 'owners-password' };
      expect((await anon.auth.register({ body: owner })).status).toBe(201);
      expect((await anon.auth.resendVerification({ body: { email } })).status).toBe(200);
      const resent = await world().nthMail(email, 3);
      expect(resent.subject).toBe('Finish your CIMS registration');
      expect(await anon.auth.verifyEmail({ body: { email, code: resent.code } })).toMatchObject({
        status: 400,
        body: { code: 'INVALID_CODE' },
      });
      expect(await loginStatus(world().newClient(), squatter)).toBe(403);
      const reset = await anon.auth.resetPassword({
        body: { email, code: resent.code, new_password: 'chosen-by-owner' },
      });
      expect(reset.status).toBe(200);
      expect(await loginStatus(world().newClient(), squatter)).toBe(401);
      expect(await loginStatus(world().newClient(), { email, password: 'chosen-by-owner' })).toBe('ok');
    });

    it('mails at most 10 codes per address and window, registrations included', async () => {
      const email = 'flood.target@example.com';
      const anon = world().newClient();
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) {
        const res = await anon.auth.register({ body: { email, name: 'A', surname: 'B', password: 'any-password-1' } });
        statuses.push(res.status);
      }
      expect(statuses).toEqual([...Array(10).fill(201), 429]);
      expect((await anon.auth.forgotPassword({ body: { email } })).status).toBe(429);
    });
  });

  withWorld(target, 'failed sign-ins and codes', (world) => {
    it('failed sign-ins do not block the signed-in password change', async () => {
      const ceo = await signedIn(world(), SEEDED.ceo);
      for (let i = 0; i < 10; i++) {
        expect(await loginStatus(world().newClient(), { ...SEEDED.ceo, password: 'wrong-password' })).toBe(401);
      }
      expect(await loginStatus(world().newClient(), SEEDED.ceo)).toBe(429);
      const change = await ceo.auth.changePassword({
        body: { current_password: SEEDED.ceo.password, new_password: 'the-ceos-new-password' },
      });
      expect(change.status).toBe(200);
    });

    it('wrong codes when no code was sent count nowhere: the genuine code still works', async () => {
      const anon = world().newClient();
      const { email } = SEEDED.sales2;
      for (let i = 0; i < 15; i++) {
        const res = await anon.auth.resetPassword({
          body: { email, code: String(200000 + i), new_password: 'sales-new-password' },
        });
        expect(res).toMatchObject({ status: 400, body: { code: 'INVALID_CODE' } });
      }
      expect((await anon.auth.forgotPassword({ body: { email } })).status).toBe(200);
      const { code } = await world().nthMail(email, 1);
      const reset = await anon.auth.resetPassword({ body: { email, code, new_password: 'sales-new-password' } });
      expect(reset.status).toBe(200);
    });
  });

  withWorld(target, 'page activity', (world) => {
    it('a deactivated page grants nothing to the users holding it', async () => {
      const ceo = await signedIn(world(), SEEDED.ceo);
      const sales = await signedIn(world(), SEEDED.sales);
      expect((await sales.crm.stats()).status).toBe(200);
      const crm = unwrap(await ceo.management.listPages()).find((page) => page.name === 'crm');
      if (!crm) throw new Error('no crm page');
      expect((await ceo.management.patchPage({ params: { id: crm.id }, body: { is_active: false } })).status).toBe(200);
      expect(unwrap(await sales.auth.me()).permissions).not.toHaveProperty('crm');
      expect(await sales.crm.stats()).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
      expect((await ceo.crm.stats()).status).toBe(200);
      await ceo.management.patchPage({ params: { id: crm.id }, body: { is_active: true } });
      expect((await sales.crm.stats()).status).toBe(200);
    });
  });
}
