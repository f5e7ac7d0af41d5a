import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EmailSchema, NewPasswordSchema, RoleInputSchema } from '@cims/contracts';
import { z } from 'zod';
import { ConfigError, loadConfig } from './config.js';
import { createContext } from './context.js';
import { lockDataDir } from './db/data-dir-lock.js';
import { loadMigrator, migrate, openDatabase } from './db/orm.js';
import { query } from './db/sql.js';
import { ApiError } from './errors.js';
import { IMPORT_USAGE, importLegacyCommand } from './legacy-import/command.js';
import { createLogger } from './logger.js';
import { databaseTarget } from './runtime.js';

const USAGE = `Usage: pnpm cims <command> [options]

Commands:
  migrate                      Apply every pending database migration.
  migration:create [--blank]   Write a migration from the entity changes (developers; needs the sources).
  create-user --email E --password P [--role CEO] [--name N] [--surname S]
                               Create a verified account (the first CEO, for example).
  housekeeping                 Delete ended sessions, used codes, old rate-limit windows and self-registered
                               accounts unverified for UNVERIFIED_ACCOUNT_DAYS now (the server also does it hourly).
  instagram:sync               Store today's follower snapshot of the connected Instagram account now (for a
                               system cron when INSTAGRAM_SCHEDULER=false); exits 1 when it fails.
${IMPORT_USAGE}
  help                         Show this text.

The database is the one the server would use: DATABASE_URL, or the embedded one in CIMS_DATA_DIR.`;

type Command = (args: string[]) => Promise<void>;

/** Every migration file of the folder, by name (= time) order. */
function migrationFileNames(dir: string): string[] {
  return readdirSync(dir)
    .filter((file) => /^Migration\d+\.ts$/.test(file))
    .map((file) => file.replace(/\.ts$/, ''))
    .sort();
}

/** The source of db/migrations/names.ts: the names alone, for the start's check for pending migrations. */
function migrationNamesSource(names: string[]): string {
  return [
    '/**',
    ' * The name of every migration of index.ts, in the same order, without loading them: how a start finds out with one',
    ' * statement that nothing is pending (db/orm.ts `migrate`). `pnpm cims migration:create` regenerates both files.',
    ' */',
    'export const migrationNames: readonly string[] = [',
    ...names.map((name) => `  '${name}',`),
    '];',
    '',
  ].join('\n');
}

/** The source of db/migrations/index.ts: every migration file of the folder, in name (= time) order. */
function migrationIndex(names: string[]): string {
  return [
    "import type { MigrationObject } from '@mikro-orm/core';",
    ...names.map((name) => `import { ${name} } from './${name}.js';`),
    '',
    '/**',
    ' * Every migration, in order. They are imported statically (not discovered on disk) so the bundled server, tsx and',
    ' * vitest all run the same list; `pnpm cims migration:create` writes a new file and regenerates this one.',
    ' * The same SQL serves PostgreSQL 15 and the embedded PGlite.',
    ' */',
    'export const migrations: MigrationObject[] = [',
    ...names.map((name) => `  { name: '${name}', class: ${name} },`),
    '];',
    '',
  ].join('\n');
}

async function withDatabase<T>(fn: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const logger = createLogger({ logLevel: 'warn' });
  const target = databaseTarget(config);
  const release =
    target.kind === 'pglite'
      ? await lockDataDir(config.dataDir, { heartbeatMs: config.lockHeartbeatMs, logger })
      : () => {};
  try {
    const db = await openDatabase(target, logger, config.database);
    try {
      return await fn(db);
    } finally {
      await db.close();
    }
  } finally {
    release();
  }
}

const commands: Record<string, Command> = {
  async migrate() {
    const applied = await withDatabase((db) => migrate(db.orm));
    console.log(applied.length === 0 ? 'Database is up to date.' : `Applied: ${applied.join(', ')}`);
  },

  async 'migration:create'(args) {
    const { values } = parseArgs({ args, options: { blank: { type: 'boolean', default: false } } });
    const created = await withDatabase(async (db) => {
      await migrate(db.orm);
      return (await loadMigrator(db.orm)).createMigration(undefined, values.blank);
    });
    if (!created.fileName) {
      console.log('No entity changes: no migration written.');
      return;
    }
    // Rewrite the static lists the server runs (see db/migrations/index.ts and names.ts) from the files in the folder.
    const dir = path.join(import.meta.dirname, 'db', 'migrations');
    const names = migrationFileNames(dir);
    writeFileSync(path.join(dir, 'index.ts'), migrationIndex(names));
    writeFileSync(path.join(dir, 'names.ts'), migrationNamesSource(names));
    console.log(`Wrote ${path.join(dir, created.fileName)} and registered it.`);
  },

  async 'create-user'(args) {
    const { values } = parseArgs({
      args,
      options: {
        email: { type: 'string' },
        password: { type: 'string' },
        role: { type: 'string', default: 'Member' },
        name: { type: 'string', default: '' },
        surname: { type: 'string', default: '' },
      },
    });
    const input = z
      .object({
        email: EmailSchema,
        password: NewPasswordSchema,
        role: RoleInputSchema,
        name: z.string(),
        surname: z.string(),
      })
      .safeParse(values);
    if (!input.success) {
      throw new Error(
        `Invalid options:\n${input.error.issues.map((i) => `  --${i.path.join('.')}: ${i.message}`).join('\n')}`,
      );
    }
    const user = input.data;
    const id = await withDatabase(async (db) => {
      await migrate(db.orm);
      const config = loadConfig();
      const context = createContext({ config, db, logger: createLogger({ logLevel: 'warn' }) });
      try {
        const pages =
          user.role === 'CEO'
            ? (await query(db.orm.em.fork(), 'select name from app_page')).map((r) => String(r.name))
            : [];
        return await context.auth.accounts.createUser({
          email: user.email,
          password: user.password,
          name: user.name || user.role,
          surname: user.surname,
          role: user.role,
          companyCode: user.role === 'CEO' ? 'ceo' : 'oddiy',
          pages,
          verified: true,
        });
      } finally {
        context.mailer.close();
      }
    });
    if (id === undefined) throw new Error(`An account with the e-mail ${user.email} already exists.`);
    console.log(`Created ${user.role} ${user.email} (id ${id}).`);
  },

  async housekeeping() {
    await withDatabase(async (db) => {
      await migrate(db.orm);
      const context = createContext({ config: loadConfig(), db, logger: createLogger({ logLevel: 'warn' }) });
      try {
        await context.auth.accounts.purgeExpired();
      } finally {
        context.mailer.close();
      }
    });
    console.log('Deleted ended sessions, used or expired codes, old rate-limit windows and long-unverified accounts.');
  },

  async 'instagram:sync'() {
    const result = await withDatabase(async (db) => {
      await migrate(db.orm);
      const context = createContext({ config: loadConfig(), db, logger: createLogger({ logLevel: 'warn' }) });
      try {
        return await context.instagram.sync.sync();
      } finally {
        context.mailer.close();
      }
    });
    console.log(
      `Stored the snapshot of ${result.snapshot_date} for @${result.account_username}: ${result.followers_count} followers, ${result.following_count} following, ${result.media_count} posts.`,
    );
  },

  async 'import-legacy'(args) {
    process.exitCode = await withDatabase((db) => importLegacyCommand(args, db));
  },

  async help() {
    console.log(USAGE);
  },
};

async function main(): Promise<void> {
  const [name = 'help', ...args] = process.argv.slice(2);
  const command = commands[name];
  if (!command) {
    console.error(`Unknown command "${name}".\n\n${USAGE}`);
    process.exit(2);
  }
  await command(args);
}

main().catch((error: unknown) => {
  // An API error names its code, so a script can tell "reconnect" from "try later" (`Retry-After` included).
  const message =
    error instanceof ApiError
      ? `${error.detail} [${error.code}]`
      : error instanceof ConfigError || error instanceof Error
        ? error.message
        : error;
  console.error(message);
  process.exit(1);
});
