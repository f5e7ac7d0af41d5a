import { unwrap } from '@cims/sdk';
import { expect, it } from 'vitest';
import { signedIn, type Target, type withWorld as WithWorld } from '../suite-kit.js';
import { adminKit, LAST_CEO, PASSWORD } from './kit.js';

/** The last active CEO stays one. */
export function ceoLastCeoSuite(target: Target, withWorld: typeof WithWorld): void {
  // Its own world: these tests demote and delete CEOs.
  withWorld(target, 'administration: the last active CEO', (world) => {
    const k = adminKit(world);

    it('cannot be deactivated, demoted, toggled off or deleted (409 CONFLICT), and nothing changes', async () => {
      const ceo = await k.asCeo();
      const self = unwrap(await ceo.auth.me()).id;
      const role = await k.customRole();
      const params = { id: self };
      expect(await ceo.ceo.updateUser({ params, body: { is_active: false } })).toMatchObject(LAST_CEO);
      expect(await ceo.ceo.updateUser({ params, body: { role: 'Admin' } })).toMatchObject(LAST_CEO);
      expect(await ceo.ceo.updateUser({ params, body: { role: role.name, name: 'X' } })).toMatchObject(LAST_CEO);
      expect(await ceo.ceo.toggleActive({ params })).toMatchObject(LAST_CEO);
      expect(await ceo.ceo.deleteUser({ params })).toMatchObject(LAST_CEO);
      expect(await k.shown(self)).toMatchObject({ role: 'CEO', is_active: true });
      expect(unwrap(await ceo.auth.me()).name).not.toBe('X');
      // Staying an active CEO is fine.
      expect((await ceo.ceo.updateUser({ params, body: { role: 'ceo', is_active: true } })).status).toBe(200);
    });

    it('an inactive second CEO does not count; an active one does, and a demoted CEO is refused with the same token', async () => {
      const ceo = await k.asCeo();
      const self = unwrap(await ceo.auth.me()).id;
      const other = await k.createUser({ role: 'CEO', is_active: false });
      expect(await ceo.ceo.toggleActive({ params: { id: self } })).toMatchObject(LAST_CEO);
      unwrap(await ceo.ceo.toggleActive({ params: { id: other.id } }));
      expect((await ceo.ceo.updateUser({ params: { id: self }, body: { role: 'Member' } })).status).toBe(200);
      // The demoted caller is refused at once; the other CEO is now the last one.
      expect((await ceo.ceo.dashboard()).status).toBe(403);
      expect((await ceo.management.listPages()).status).toBe(403);
      const boss = await signedIn(world(), { email: other.email, password: PASSWORD });
      expect(await boss.ceo.deleteUser({ params: { id: other.id } })).toMatchObject(LAST_CEO);
      expect((await boss.ceo.deleteUser({ params: { id: self } })).status).toBe(200);
    });
  });
}
