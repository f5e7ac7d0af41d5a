import { contract, listRoutes, routeMeta } from '@cims/contracts';
import { CimsApiError, SessionExpiredError, unwrap } from '@cims/sdk';
import { expect, it } from 'vitest';
import { accessToken, SEEDED, signedIn, type Target, type withWorld as WithWorld } from './suite-kit.js';

export { accessToken, SEEDED, signedIn } from './suite-kit.js';

async function thrown(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** Sign-in, sessions, the profile, and the CEO's administration: the same answers from every implementation. */
export function authSuite(target: Target, withWorld: typeof WithWorld): void {
  withWorld(target, 'sign-in and the signed-in user', (world) => {
    it('signs in the seeded CEO through the SDK and reads /auth/me with every page', async () => {
      const ceo = await signedIn(world(), SEEDED.ceo);
      const me = unwrap(await ceo.auth.me());
      expect(me).toMatchObject({ email: SEEDED.ceo.email, role: 'CEO', is_active: true, email_verified: true });
      expect(Object.values(me.permissions).every(Boolean)).toBe(true);
      expect(unwrap(await ceo.auth.dashboardRedirect()).redirect_url).toBe('/ceo');
    });

    it('answers a wrong password and an unknown e-mail with the same 401 INVALID_CREDENTIALS', async () => {
      const a = (await thrown(
        world().newClient().login({ email: SEEDED.ceo.email, password: 'wrong-password' }),
      )) as CimsApiError;
      const b = (await thrown(
        world().newClient().login({ email: 'nobody@cims.local', password: 'wrong-password' }),
      )) as CimsApiError;
      expect(a).toBeInstanceOf(CimsApiError);
      expect([a.status, a.code]).toEqual([401, 'INVALID_CREDENTIALS']);
      expect(b.body).toEqual(a.body);
    });

    it('register → the mailed code → verify-email signs in as a Customer, whatever role the body asked for', async () => {
      const email = `new-${Date.now()}@example.com`;
      const anon = world().newClient();
      const reg = await anon.auth.register({
        body: { email, name: 'New', surname: 'User', password: 'new-user-password', role: 'CEO', company_code: 'ceo' },
      });
      expect(reg.status).toBe(201);
      const code = await world().latestCode(email);
      const again = world().newClient();
      await again.verifyEmail({ email, code });
      const me = unwrap(await again.auth.me());
      expect(me).toMatchObject({ email, role: 'Customer', company_code: 'oddiy', email_verified: true });
      expect(Object.values(me.permissions).some(Boolean)).toBe(false);
      // The code is spent.
      const reuse = await anon.auth.verifyEmail({ body: { email, code } });
      expect(reuse.status).toBe(400);
    });

    it('rotates refresh tokens and refreshes by itself when the access token is rejected', async () => {
      const sales = await signedIn(world(), SEEDED.sales);
      const sessions = unwrap(await sales.auth.listSessions());
      expect(sessions.filter((s) => s.current)).toHaveLength(1);
      // A client whose access token is garbage but whose refresh token is good: the SDK refreshes and retries.
      const pair = unwrap(
        await world()
          .newClient()
          .auth.login({ body: { username: SEEDED.sales.email, password: SEEDED.sales.password } }),
      );
      const { memoryTokenStore, createCimsClient } = await import('@cims/sdk');
      const store = memoryTokenStore({ accessToken: 'not-a-token', refreshToken: pair.refresh_token });
      const stale = createCimsClient({ baseUrl: world().baseUrl, tokenStore: store });
      expect(unwrap(await stale.auth.me()).email).toBe(SEEDED.sales.email);
      // The old refresh token was rotated: inside the grace window it still gets a pair (two tabs at once).
      const grace = await world()
        .newClient()
        .auth.refresh({ body: { refresh_token: pair.refresh_token } });
      expect(grace.status).toBe(200);
      const bogus = await world()
        .newClient()
        .auth.refresh({ body: { refresh_token: 'bogus' } });
      expect(bogus.status).toBe(401);
      expect(bogus.body).toMatchObject({ code: 'REFRESH_TOKEN_INVALID' });
    });

    it('an unverified address can be registered again (the newest registration wins); a verified one cannot', async () => {
      const email = `twice-${Date.now()}@example.com`;
      const anon = world().newClient();
      const first = await anon.auth.register({
        body: { email, name: 'First', surname: 'X', password: 'first-password' },
      });
      const second = await anon.auth.register({
        body: { email, name: 'Second', surname: 'Y', password: 'second-password' },
      });
      expect([first.status, second.status]).toEqual([201, 201]);
      const taken = await anon.auth.register({
        body: { email: SEEDED.ceo.email, name: 'X', surname: 'Y', password: 'whatever-password' },
      });
      expect(taken.status).toBe(409);
    });

    it('limits failed logins per address: after 10, even a right password would get 429 with Retry-After', async () => {
      const email = `nobody-${Date.now()}@example.com`;
      const anon = world().newClient();
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) {
        statuses.push((await anon.auth.login({ body: { username: email, password: `wrong-${i}` } })).status);
      }
      expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
      expect(statuses[10]).toBe(429);
    });

    it('logout-all ends every session; the SDK then reports the session as expired', async () => {
      const laptop = await signedIn(world(), SEEDED.sales);
      const phone = await signedIn(world(), SEEDED.sales);
      const result = await laptop.logoutAll();
      expect(result.revoked_sessions).toBeGreaterThanOrEqual(2);
      expect(await thrown(phone.auth.me())).toBeInstanceOf(SessionExpiredError);
    });

    it('updates the profile and refuses a wrong current password with 400 (never 401)', async () => {
      const sales = await signedIn(world(), SEEDED.sales);
      expect((await sales.auth.updateProfileInfo({ body: { surname: 'Renamed' } })).status).toBe(200);
      expect(unwrap(await sales.auth.me()).surname).toBe('Renamed');
      const wrong = await sales.auth.changePassword({
        body: { current_password: 'not-it', new_password: 'whatever-password' },
      });
      expect(wrong.status).toBe(400);
      expect(wrong.body).toMatchObject({ code: 'WRONG_CURRENT_PASSWORD' });
      const nothing = await sales.auth.updateProfileInfo({ body: {} });
      expect(nothing.body).toMatchObject({ code: 'NOTHING_TO_UPDATE' });
    });

    it('answers 401 UNAUTHENTICATED for a missing or bogus token (the legacy client refreshes only on 401)', async () => {
      for (const authorization of [undefined, 'Bearer undefined', 'Bearer abc.def.ghi']) {
        const res = await fetch(`${world().baseUrl}/auth/me`, {
          headers: authorization ? { authorization } : {},
        });
        expect(res.status).toBe(401);
        expect((await res.json()).code).toBe('UNAUTHENTICATED');
      }
    });
  });

  withWorld(target, 'administration and who may do it', (world) => {
    it('every CEO-only route: anonymous → 401, member and sales manager → 403, deactivated → 401, CEO → neither', async () => {
      const ceo = await signedIn(world(), SEEDED.ceo);
      const sales = await signedIn(world(), SEEDED.sales);
      const stamp = Date.now();
      const member = { email: `member-${stamp}@example.com`, password: 'member-password' };
      const gone = { email: `gone-${stamp}@example.com`, password: 'gone-password' };
      unwrap(await ceo.ceo.createUser({ body: { ...member, name: 'Member', role: 'Member' } }));
      const goneId = unwrap(await ceo.ceo.createUser({ body: { ...gone, name: 'Gone', role: 'Member' } })).id;
      const asMember = await signedIn(world(), member);
      const asGone = await signedIn(world(), gone);
      unwrap(await ceo.ceo.toggleActive({ params: { id: goneId } }));
      const tokens = {
        member: await accessToken(asMember),
        sales: await accessToken(sales),
        ceo: await accessToken(ceo),
        // A token issued before the deactivation.
        gone: (await asGone.getAccessToken().catch(() => 'revoked')) ?? 'revoked',
      };
      // CEO only: the role list is exactly the CEO and no page lets anyone else in (CRM routes open to the `crm` page
      // and the sales managers' own routes are checked by the CRM suite).
      const guarded = listRoutes(contract).filter(({ route }) => {
        const { roles, pages } = routeMeta(route);
        return roles?.length === 1 && roles[0] === 'CEO' && !pages?.length;
      });
      expect(guarded.length).toBeGreaterThan(0);
      for (const { name, route } of guarded) {
        const url = `${world().baseUrl}${route.path.replace(':id', '999999').replace(':page_name', 'crm')}`;
        const call = (token?: string) =>
          fetch(url, {
            method: route.method,
            headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
            body: route.method === 'GET' ? undefined : '{}',
          }).then((res) => res.status);
        expect(await call(), `${name} anonymous`).toBe(401);
        expect(await call(tokens.member), `${name} member`).toBe(403);
        expect(await call(tokens.sales), `${name} sales manager`).toBe(403);
        expect(await call(tokens.gone), `${name} deactivated`).toBe(401);
        expect([401, 403], `${name} CEO`).not.toContain(await call(tokens.ceo));
      }
    });

    it('creates a user who can sign in with the granted pages; the last CEO cannot be removed', async () => {
      const ceo = await signedIn(world(), SEEDED.ceo);
      const email = `seller-${Date.now()}@example.com`;
      const created = await ceo.ceo.createUser({
        body: { email, name: 'Seller', password: 'seller-password', role: 'Sales Manager', pages: ['crm'] },
      });
      expect(created.status).toBe(201);
      const seller = await signedIn(world(), { email, password: 'seller-password' });
      const me = unwrap(await seller.auth.me());
      expect(me.role).toBe('SalesManager');
      expect(me.permissions).toMatchObject({ crm: true, ceo: false });
      const dup = await ceo.ceo.createUser({ body: { email, name: 'Again', password: 'seller-password' } });
      expect(dup.status).toBe(409);
      const self = unwrap(await ceo.auth.me());
      const removeSelf = await ceo.ceo.deleteUser({ params: { id: self.id } });
      expect(removeSelf.status).toBe(409);
      const permissions = unwrap(await ceo.ceo.getPermissions({ params: { id: me.id } }));
      expect(permissions.permissions.crm).toBe(true);
      const bad = await ceo.ceo.setPermissions({ params: { id: me.id }, body: { nope: true } });
      expect(bad.status).toBe(422);
    });

    it('lists the built-in pages and roles, which cannot be deleted', async () => {
      const ceo = await signedIn(world(), SEEDED.ceo);
      const pages = unwrap(await ceo.management.listPages());
      expect(pages.map((p) => p.name)).toEqual(expect.arrayContaining(['ceo', 'crm', 'update_list']));
      const crm = pages.find((p) => p.name === 'crm');
      expect((await ceo.management.deletePage({ params: { id: crm?.id ?? 0 } })).status).toBe(403);
      const roles = unwrap(await ceo.management.listRoles());
      expect(roles.map((r) => r.name)).toEqual(
        expect.arrayContaining(['CEO', 'Member', 'Customer', 'SalesManager', 'Finance', 'Admin']),
      );
    });
  });
}
