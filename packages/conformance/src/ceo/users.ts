import { unwrap } from '@cims/sdk';
import { expect, it } from 'vitest';
import { unique } from '../crm-kit.js';
import { accessToken, SEEDED, signedIn, type Target, type withWorld as WithWorld } from '../suite-kit.js';
import { adminKit, NOT_FOUND, NOTHING_TO_UPDATE, PASSWORD, pairOfOk, pick, UNKNOWN_ROLE } from './kit.js';

/** Users: creating, editing, activating and deleting them, and what each change means for their sessions. */
export function ceoUsersSuite(target: Target, withWorld: typeof WithWorld): void {
  withWorld(target, 'administration: users', (world) => {
    const k = adminKit(world);

    it('creates a verified, active Member who can sign in at once, shown on the dashboard with the counts', async () => {
      const ceo = await k.asCeo();
      const email = `New.Person.${unique()}@Example.com`;
      const res = await ceo.ceo.createUser({ body: { email, password: PASSWORD, name: 'New', surname: 'Person' } });
      expect(res).toMatchObject({ status: 201, body: { message: 'User created', id: expect.any(Number) } });
      const board = unwrap(await ceo.ceo.dashboard());
      expect(board.users.map((u) => u.id)).toEqual([...board.users.map((u) => u.id)].sort((a, b) => a - b));
      const active = board.users.filter((u) => u.is_active).length;
      expect(board.statistics).toEqual({
        user_count: board.users.length,
        active_user_count: active,
        inactive_user_count: board.users.length - active,
      });
      expect(board.users.find((u) => u.id === unwrap(res).id)).toMatchObject({
        email: email.toLowerCase(),
        name: 'New',
        surname: 'Person',
        role: 'Member',
        role_name: null,
        telegram_id: null,
        job_title: null,
        is_active: true,
        email_verified: true,
        permissions: [],
      });
      await pairOfOk(k, email.toLowerCase());
    });

    it('takes a built-in role in any spelling, pages in any case (listed in page order) and the optional fields', async () => {
      const { id, email } = await k.createUser({
        role: 'sales manager',
        company_code: 'acme',
        telegram_id: '@new',
        job_title: 'Seller',
        is_active: false,
        pages: ['crm', ' Projects '],
      });
      expect(await k.shown(id)).toMatchObject({
        role: 'SalesManager',
        role_name: null,
        company_code: 'acme',
        telegram_id: '@new',
        job_title: 'Seller',
        is_active: false,
        permissions: ['projects', 'crm'],
      });
      const login = await world()
        .newClient()
        .auth.login({ body: { username: email, password: PASSWORD } });
      expect(login).toMatchObject({ status: 403, body: { code: 'ACCOUNT_INACTIVE' } });
    });

    it('gives the key of an active custom role the role Member and that role_name; an unknown or inactive one is a 422', async () => {
      const ceo = await k.asCeo();
      const role = await k.customRole({ display_name: 'Key Account' });
      const { id } = await k.createUser({ role: ` ${role.name.toUpperCase()} ` });
      expect(await k.shown(id)).toMatchObject({ role: 'Member', role_name: role.name });
      const body = { email: `x-${unique()}@example.com`, password: PASSWORD, name: 'X' };
      expect(await ceo.ceo.createUser({ body: { ...body, role: 'Wizard' } })).toMatchObject(UNKNOWN_ROLE);
      unwrap(await ceo.management.patchRole({ params: { id: role.id }, body: { is_active: false } }));
      expect(await ceo.ceo.createUser({ body: { ...body, role: role.name } })).toMatchObject(UNKNOWN_ROLE);
    });

    it('refuses an unknown or inactive page with one 422 issue per page at body.pages, naming its key', async () => {
      const ceo = await k.asCeo();
      const page = await k.customPage({ is_active: false });
      const body = { email: `x-${unique()}@example.com`, password: PASSWORD, name: 'X' };
      const res = await ceo.ceo.createUser({ body: { ...body, pages: ['crm', ' Nope ', page.name] } });
      expect(res).toMatchObject({
        status: 422,
        body: {
          detail: [
            { loc: ['body', 'pages'], msg: 'Unknown or inactive page: nope', type: 'value_error' },
            { loc: ['body', 'pages'], msg: `Unknown or inactive page: ${page.name}`, type: 'value_error' },
          ],
          code: 'VALIDATION_FAILED',
        },
      });
      // Nothing was created: the address is still free.
      expect((await ceo.ceo.createUser({ body })).status).toBe(201);
    });

    it('refuses a taken address in any case with 409 EMAIL_TAKEN, and applies the contract to the body (422)', async () => {
      const ceo = await k.asCeo();
      const taken = await ceo.ceo.createUser({
        body: { email: ` ${SEEDED.sales.email.toUpperCase()}`, password: PASSWORD, name: 'Dup' },
      });
      expect(taken).toMatchObject({
        status: 409,
        body: { detail: 'An account with this e-mail address already exists', code: 'EMAIL_TAKEN' },
      });
      const bad = await ceo.ceo.createUser({ body: { email: 'not-an-email', password: 'short', name: 'Bad' } });
      expect(bad.status).toBe(422);
      if (bad.status === 422) {
        expect(bad.body.detail.map((issue) => issue.loc)).toEqual([
          ['body', 'email'],
          ['body', 'password'],
        ]);
      }
    });

    it('changes the given fields only; 400 for an empty body, 404 for an unknown user', async () => {
      const ceo = await k.asCeo();
      const { id } = await k.createUser({ telegram_id: '@before', role: 'Sales Manager' });
      const res = await ceo.ceo.updateUser({
        params: { id },
        body: { name: 'Sevara', surname: 'Seller', job_title: 'Lead', telegram_id: null, company_code: 'acme' },
      });
      expect(res).toMatchObject({ status: 200, body: { message: 'User updated' } });
      expect(await k.shown(id)).toMatchObject({
        name: 'Sevara',
        surname: 'Seller',
        job_title: 'Lead',
        telegram_id: null,
        company_code: 'acme',
        role: 'SalesManager',
        is_active: true,
      });
      expect(await ceo.ceo.updateUser({ params: { id }, body: {} })).toMatchObject(NOTHING_TO_UPDATE);
      // Nothing to update is judged before the user is looked up.
      expect(await ceo.ceo.updateUser({ params: { id: 999_999 }, body: {} })).toMatchObject(NOTHING_TO_UPDATE);
      expect(await ceo.ceo.updateUser({ params: { id: 999_999 }, body: { name: 'X' } })).toEqual({
        status: 404,
        body: { detail: 'No such user', code: 'NOT_FOUND' },
        headers: expect.anything(),
      });
    });

    it('moves the address unless another account has it (409 EMAIL_TAKEN in its own words)', async () => {
      const ceo = await k.asCeo();
      const { id, email } = await k.createUser();
      const taken = await ceo.ceo.updateUser({ params: { id }, body: { email: SEEDED.sales2.email.toUpperCase() } });
      expect(taken).toMatchObject({
        status: 409,
        body: { detail: 'Another account has this e-mail address', code: 'EMAIL_TAKEN' },
      });
      expect((await ceo.ceo.updateUser({ params: { id }, body: { email } })).status).toBe(200);
      const moved = `moved-${unique()}@example.com`;
      expect((await ceo.ceo.updateUser({ params: { id }, body: { email: moved } })).status).toBe(200);
      await pairOfOk(k, moved);
    });

    it('a new password or a deactivation ends every session of the user for good', async () => {
      const ceo = await k.asCeo();
      const { id, email } = await k.createUser();
      const before = await k.pairOf(email);
      expect((await ceo.ceo.updateUser({ params: { id }, body: { password: 'brand-new-password' } })).status).toBe(200);
      expect(await k.meStatus(before.access_token)).toBe(401);
      const refresh = await world()
        .newClient()
        .auth.refresh({ body: { refresh_token: before.refresh_token } });
      expect(refresh).toMatchObject({ status: 401, body: { code: 'REFRESH_TOKEN_INVALID' } });
      const old = await world()
        .newClient()
        .auth.login({ body: { username: email, password: PASSWORD } });
      expect(old.status).toBe(401);
      const pair = await k.pairOf(email, 'brand-new-password');
      expect((await ceo.ceo.updateUser({ params: { id }, body: { is_active: false } })).status).toBe(200);
      expect((await ceo.ceo.updateUser({ params: { id }, body: { is_active: true } })).status).toBe(200);
      expect(await k.meStatus(pair.access_token)).toBe(401);
      await pairOfOk(k, email, 'brand-new-password');
    });

    it('resolves the role of a change like a creation: built-in (role_name cleared), custom, or 422 changing nothing', async () => {
      const ceo = await k.asCeo();
      const role = await k.customRole();
      const { id } = await k.createUser({ name: 'Before' });
      expect((await ceo.ceo.updateUser({ params: { id }, body: { role: role.name.toUpperCase() } })).status).toBe(200);
      expect(await k.shown(id)).toMatchObject({ role: 'Member', role_name: role.name });
      expect((await ceo.ceo.updateUser({ params: { id }, body: { role: 'financial director' } })).status).toBe(200);
      expect(await k.shown(id)).toMatchObject({ role: 'Finance', role_name: null });
      const bad = await ceo.ceo.updateUser({ params: { id }, body: { role: 'wizard', name: 'Changed' } });
      expect(bad).toMatchObject(UNKNOWN_ROLE);
      expect(await k.shown(id)).toMatchObject({ role: 'Finance', name: 'Before' });
    });

    it('toggle-active flips is_active with the counts, ending the sessions; 404 for an unknown user', async () => {
      const ceo = await k.asCeo();
      const { id, email } = await k.createUser();
      const pair = await k.pairOf(email);
      const counts = unwrap(await ceo.ceo.dashboard()).statistics;
      const off = await ceo.ceo.toggleActive({ params: { id } });
      expect(off).toMatchObject({
        status: 200,
        body: {
          is_active: false,
          active_user_count: counts.active_user_count - 1,
          inactive_user_count: counts.inactive_user_count + 1,
        },
      });
      expect(await k.meStatus(pair.access_token)).toBe(401);
      const login = await world()
        .newClient()
        .auth.login({ body: { username: email, password: PASSWORD } });
      expect(login).toMatchObject({ status: 403, body: { code: 'ACCOUNT_INACTIVE' } });
      const on = await ceo.ceo.toggleActive({ params: { id } });
      expect(on).toMatchObject({ status: 200, body: { is_active: true, ...pick(counts) } });
      expect(await ceo.ceo.toggleActive({ params: { id: 999_999 } })).toMatchObject(NOT_FOUND);
    });

    it('deletes a user, whose tokens die with it; a second delete is a 404', async () => {
      const ceo = await k.asCeo();
      const { id, email } = await k.createUser();
      const pair = await k.pairOf(email);
      expect(await ceo.ceo.deleteUser({ params: { id } })).toMatchObject({
        status: 200,
        body: { message: 'User deleted' },
      });
      expect(await k.meStatus(pair.access_token)).toBe(401);
      const refresh = await world()
        .newClient()
        .auth.refresh({ body: { refresh_token: pair.refresh_token } });
      expect(refresh).toMatchObject({ status: 401, body: { code: 'REFRESH_TOKEN_INVALID' } });
      const login = await world()
        .newClient()
        .auth.login({ body: { username: email, password: PASSWORD } });
      expect(login).toMatchObject({ status: 401, body: { code: 'INVALID_CREDENTIALS' } });
      expect(await k.shown(id)).toBeUndefined();
      expect(await ceo.ceo.deleteUser({ params: { id } })).toMatchObject(NOT_FOUND);
      // Ids are not reused.
      expect((await k.createUser()).id).toBeGreaterThan(id);
    });

    it('refuses every role but the CEO on the CEO-only routes, a custom-role user too', async () => {
      const ceo = await k.asCeo();
      const role = await k.customRole({ display_name: 'CEO' });
      for (const as of ['Member', 'Customer', 'Finance', 'Admin', role.name]) {
        const { email } = await k.createUser({ role: as });
        const client = await signedIn(world(), { email, password: PASSWORD });
        expect(await client.ceo.dashboard(), as).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
        expect((await client.management.listRoles()).status, as).toBe(403);
      }
      expect((await ceo.ceo.dashboard()).status).toBe(200);
    });

    it('a malformed JSON body is a 400 whoever sends it; then the token (401), the role (403), the body (422)', async () => {
      const url = `${world().baseUrl}/ceo/users`;
      const post = async (body: string, token?: string) => {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body,
        });
        await res.arrayBuffer();
        return res.status;
      };
      expect(await post('{', 'nope')).toBe(400);
      expect(await post('{}', 'nope')).toBe(401);
      expect(await post('{}', await accessToken(await signedIn(world(), SEEDED.sales)))).toBe(403);
      expect(await post('{}', await accessToken(await k.asCeo()))).toBe(422);
    });
  });
}
