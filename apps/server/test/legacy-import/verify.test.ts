import { describe, expect, it } from 'vitest';
import { legacyLoginBody } from '../auth/helpers.js';
import { createTestApp } from '../harness.js';
import { createImportTarget, importLegacy, legacyDatabase, legacyServerReachable } from './helpers.js';

const CLI_TIMEOUT = 240_000;

describe.skipIf(!(await legacyServerReachable()))('pnpm cims import-legacy --verify', () => {
  it(
    'finds the two databases equal after a clean import, and names what differs otherwise',
    async () => {
      await using legacy = await legacyDatabase({ caseDuplicates: false, undecryptable: false, corrupt: false });
      await using target = await createImportTarget();
      // With nothing invalid, the import commits without --skip-invalid.
      const imported = await importLegacy(legacy, target, []);
      expect(imported.code, imported.output).toBe(0);
      expect(imported.output).toContain('Imported: the database holds everything counted as imported.');

      const same = await importLegacy(legacy, target, ['--verify']);
      expect(same.code, same.output).toBe(0);
      expect(same.output).toMatch(/✓ customers\s+legacy\s+\d+\s+here \d+/);
      expect(same.output).toMatch(/✓ sample of customers .* all equal/);
      expect(same.output).not.toContain('✗');

      // A customer deleted here (as if the import had skipped it) shows as a difference.
      const archived = legacy.facts.customers.find((c) => c.archived);
      const ceo = legacy.facts.usersByKey.ceoBoth;
      {
        await using t = await createTestApp({ existing: target.existing, env: target.env });
        const login = await fetch(`${t.url}/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: legacyLoginBody(ceo?.email ?? '', ceo?.password ?? ''),
        });
        const { access_token } = (await login.json()) as { access_token: string };
        const deleted = await fetch(`${t.url}/crm/customers/${archived?.id}/hard`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${access_token}` },
        });
        expect(deleted.status).toBe(200);
      }
      const differs = await importLegacy(legacy, target, ['--verify']);
      expect(differs.code).toBe(1);
      expect(differs.output).toMatch(/✗ customers\s+legacy\s+\d+\s+here \d+/);
      expect(differs.output).toMatch(/✗ archived customers/);
    },
    CLI_TIMEOUT,
  );
});
