import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { migrate, openDatabase } from '../src/db/orm.js';

/**
 * Migrated templates the test worlds are cloned from. Migrating a database costs more than everything else a test app
 * does at start (about 0.3 s on PostgreSQL, 0.5–1.5 s on PGlite, where a fresh database also runs initdb), so each run
 * migrates once and every test starts on a copy: `CREATE DATABASE … TEMPLATE` on PostgreSQL, a dumped data directory
 * on PGlite. The server's start still runs its migration check on the copy, and finds nothing to do.
 *
 * A template is named by {@link templateKey}: a changed or added migration (or another PGlite) makes a new one.
 */

const serverDir = fileURLToPath(new URL('..', import.meta.url));
const migrationsDir = path.join(serverDir, 'src/db/migrations');
/** Where the PGlite dumps are kept between the test files (each runs in a process of its own) and between runs. */
const cacheDir = path.join(serverDir, 'node_modules/.cache/cims-test-templates');

/** Bump when the way a template is built changes, so that older ones are not used. */
const TEMPLATE_FORMAT = 1;

let key: string | undefined;

/**
 * What a template depends on: the migration files (their names and contents), the PGlite version (its data directory
 * format) and {@link TEMPLATE_FORMAT}. 12 hex digits of their SHA-256.
 */
export function templateKey(): string {
  if (key) return key;
  const hash = createHash('sha256').update(`format ${TEMPLATE_FORMAT}\n`);
  for (const file of readdirSync(migrationsDir).sort()) {
    if (!file.endsWith('.ts')) continue;
    hash
      .update(`${file}\n`)
      .update(readFileSync(path.join(migrationsDir, file)))
      .update('\n');
  }
  // Not resolvable by name: the package does not export its package.json.
  const pglite = path.join(serverDir, 'node_modules/@electric-sql/pglite/package.json');
  hash.update(`pglite ${(JSON.parse(readFileSync(pglite, 'utf8')) as { version: string }).version}\n`);
  key = hash.digest('hex').slice(0, 12);
  return key;
}

let pgliteDump: Promise<Blob> | undefined;

/**
 * The data directory of a migrated embedded database, to start a PGlite from (`loadDataDir`). Read from the cache
 * folder, or built and written there by the first process that needs it. Processes that start at once may each build
 * one: each writes its own file and renames it into place, so a reader only ever sees a whole dump.
 */
export function pgliteTemplate(): Promise<Blob> {
  pgliteDump ??= loadOrBuildPgliteDump().catch((error: unknown) => {
    pgliteDump = undefined;
    throw error;
  });
  return pgliteDump;
}

async function loadOrBuildPgliteDump(): Promise<Blob> {
  const file = path.join(cacheDir, `pglite-${templateKey()}.tar`);
  try {
    return new Blob([readFileSync(file)]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const db = await openDatabase({ kind: 'pglite' });
  let dump: Blob;
  try {
    await migrate(db.orm);
    if (!db.dumpDataDir) throw new Error('The embedded database cannot be dumped');
    dump = await db.dumpDataDir();
  } finally {
    await db.close();
  }
  mkdirSync(cacheDir, { recursive: true });
  const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(aside, Buffer.from(await dump.arrayBuffer()));
  renameSync(aside, file);
  // Dumps of older migrations are never read again.
  for (const other of readdirSync(cacheDir)) {
    if (/^pglite-[0-9a-f]+\.tar$/.test(other) && other !== path.basename(file)) {
      rmSync(path.join(cacheDir, other), { force: true });
    }
  }
  return dump;
}

const postgresTemplates = new Map<string, Promise<string>>();

/**
 * The name of a migrated database on the PostgreSQL server of `adminUrl`, to clone test databases from. It is built
 * once and kept (it is small), for later runs with the same migrations:
 *
 * - under an advisory lock, so the workers of one run that start at once build it once;
 * - under a name of its own, renamed into place when migrated, so that a run on another database of the same server
 *   (whose lock is not ours) or a build that died half-way never leaves a half-built template under the real name;
 * - closed to connections (`ALLOW_CONNECTIONS false`): PostgreSQL refuses to clone a database anyone is connected to.
 */
export function postgresTemplate(adminUrl: string): Promise<string> {
  let name = postgresTemplates.get(adminUrl);
  if (!name) {
    name = ensurePostgresTemplate(adminUrl).catch((error: unknown) => {
      postgresTemplates.delete(adminUrl);
      throw error;
    });
    postgresTemplates.set(adminUrl, name);
  }
  return name;
}

async function ensurePostgresTemplate(adminUrl: string): Promise<string> {
  const name = `cims_test_template_${templateKey()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query('select pg_advisory_lock(hashtext($1))', [name]);
    const exists = async () => (await admin.query('select 1 from pg_database where datname = $1', [name])).rowCount;
    if (await exists()) return name;
    const building = `${name}_${randomBytes(4).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${building}`);
    try {
      const url = new URL(adminUrl);
      url.pathname = `/${building}`;
      const db = await openDatabase({ kind: 'postgres', url: url.toString() });
      try {
        await migrate(db.orm);
      } finally {
        await db.close();
      }
      await admin.query(`ALTER DATABASE ${building} WITH ALLOW_CONNECTIONS false IS_TEMPLATE true`);
      await admin.query(`ALTER DATABASE ${building} RENAME TO ${name}`);
    } catch (error) {
      // Another run on this server renamed its template into place first: use that one.
      const lost = (error as { code?: string }).code === '42P04';
      await admin.query(`ALTER DATABASE ${building} WITH IS_TEMPLATE false`).catch(() => {});
      await admin.query(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`);
      if (!lost) throw error;
    }
    return name;
  } finally {
    await admin.end();
  }
}
