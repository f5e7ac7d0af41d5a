import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EmailSchema, NewPasswordSchema, RoleInputSchema } from '@cims/contracts';
import { z } from 'zod';
import { ConfigError, loadConfig } from './config.js';
import { createContext } from './context.js';
import { lockDataDir } from './db/data-dir-lock.js';
import { migrate, openDatabase } from './db/orm.js';
import { query } from './db/sql.js';
import { createLogger } from './logger.js';
import { databaseTarget } from './runtime.js';

const USAGE = `Usage: pnpm cims <command> [options]

Commands:
  migrate                      Apply every pending database migration.
  migration:create [--blank]   Write a migration from the entity changes (developers; needs the sources).
  create-user --email E --password P [--role CEO] [--name N] [--surname S]
                               Create a verified account (the first CEO, for example).
  help                         Show this text.

The database is the one the server would use: DATABASE_URL, or the embedded one in CIMS_DATA_DIR.`;

type Command = (args: string[]) => Promise<void>;

async function withDatabase<T>(fn: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const logger = createLogger({ logLevel: 'warn' });
  const target = databaseTarget(config);
  const release = target.kind === 'pglite' ? lockDataDir(config.dataDir) : () => {};
  try {
    const db = await openDatabase(target, logger);
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
      return db.orm.getMigrator().createMigration(undefined, values.blank);
    });
    if (!created.fileName) {
      console.log('No entity changes: no migration written.');
      return;
    }
    // Register the new class in the static list the server runs (see db/migrations/index.ts).
    const dir = path.join(import.meta.dirname, 'db', 'migrations');
    const indexFile = path.join(dir, 'index.ts');
    const className = created.fileName.replace(/\.ts$/, '');
    const source = readFileSync(indexFile, 'utf8')
      .replace(
        /(import type \{ MigrationObject \} from '@mikro-orm\/core';\n)/,
        `$1import { ${className} } from './${className}.js';\n`,
      )
      .replace(/\];\s*$/, `  { name: '${className}', class: ${className} },\n];\n`)
      .replace('= [  {', '= [\n  {');
    writeFileSync(indexFile, source);
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
      const context = createContext(config, db, createLogger({ logLevel: 'warn' }));
      try {
        const pages =
          user.role === 'CEO'
            ? (await query(db.orm.em.fork(), 'select name from app_page')).map((r) => String(r.name))
            : [];
        return await context.auth.createUser({
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
  console.error(error instanceof ConfigError ? error.message : error instanceof Error ? error.message : error);
  process.exit(1);
});
