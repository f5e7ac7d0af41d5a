import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLegacyDatabase, type LegacyDatabase, type LegacyDatabaseOptions } from '@cims/legacy-fixture';
import pg from 'pg';
import { cims } from '../cli.js';
import { createFreshDatabase, type FreshDatabase } from '../fresh-database.js';
import { defaultTestDatabase } from '../harness.js';

/**
 * The PostgreSQL server the legacy databases are built on: `TEST_DATABASE_URL` in the PostgreSQL pass, else
 * `LEGACY_TEST_DATABASE_URL`, else the local server CI starts. The legacy CIMS only ran on PostgreSQL, so these tests
 * need one in the PGlite pass too (as the import target, PGlite is what they test there).
 */
export const LEGACY_ADMIN_URL =
  process.env.TEST_DATABASE_URL ??
  process.env.LEGACY_TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Whether the legacy tests can run. In CI a missing PostgreSQL is a failure (the suite then reports the connection
 * error); on a developer machine without one the tests are skipped, saying why.
 */
export async function legacyServerReachable(): Promise<boolean> {
  if (process.env.CI) return true;
  const client = new pg.Client({ connectionString: LEGACY_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return true;
  } catch {
    console.warn(`Legacy import tests skipped: no PostgreSQL at ${LEGACY_ADMIN_URL} (set LEGACY_TEST_DATABASE_URL)`);
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export const FERNET_PASSWORD = 'legacy-fernet-password-of-the-test';

/** An empty import target of this pass's kind (a data folder for PGlite, a fresh database on PostgreSQL). */
export interface ImportTarget extends AsyncDisposable {
  /** The environment `pnpm cims` and the test app need to open it. */
  env: Record<string, string>;
  /** What {@link createTestApp}'s `existing` takes. */
  existing: { dataDir: string } | { url: string };
  /** Files in the target's blob store (every folder), by relative path. */
  blobFiles(): string[];
}

export async function createImportTarget(): Promise<ImportTarget> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cims-import-target-'));
  let fresh: FreshDatabase | undefined;
  if (defaultTestDatabase() === 'postgres') fresh = await createFreshDatabase(LEGACY_ADMIN_URL, 'cims_import');
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    CIMS_DATA_DIR: dataDir,
    CIMS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ...(fresh ? { DATABASE_URL: fresh.url } : {}),
  };
  return {
    env,
    existing: fresh ? { url: fresh.url } : { dataDir },
    blobFiles() {
      const root = path.join(dataDir, 'blobs');
      try {
        return readdirSync(root, { recursive: true, withFileTypes: true })
          .filter((entry) => entry.isFile())
          .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)));
      } catch {
        return [];
      }
    },
    async [Symbol.asyncDispose]() {
      await fresh?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A legacy database on {@link LEGACY_ADMIN_URL}. */
export function legacyDatabase(options: Partial<LegacyDatabaseOptions> = {}): Promise<LegacyDatabase> {
  return createLegacyDatabase(LEGACY_ADMIN_URL, { fernetPassword: FERNET_PASSWORD, ...options });
}

/** `pnpm cims import-legacy --from <legacy> …` into `target`. */
export function importLegacy(
  legacy: LegacyDatabase,
  target: ImportTarget,
  args: string[],
  env: Record<string, string> = {},
) {
  return cims(['import-legacy', '--from', legacy.url, '--quiet', ...args], {
    ...target.env,
    FERNET_PASSWORD: FERNET_PASSWORD,
    ...env,
  });
}
