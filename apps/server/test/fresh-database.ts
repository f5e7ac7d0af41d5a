import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A PostgreSQL database made for one test or one benchmark run, dropped by {@link FreshDatabase.drop}. */
export interface FreshDatabase {
  name: string;
  url: string;
  /** Drops the database (closing its connections); calling it again does nothing. */
  drop(): Promise<void>;
}

/**
 * Creates `<prefix>_<random>` on the server of `adminUrl`: empty, or a copy of the database named `template` (which
 * nobody may be connected to, see test/database-template.ts).
 */
export async function createFreshDatabase(
  adminUrl: string,
  prefix: string,
  options: { template?: string } = {},
): Promise<FreshDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}${options.template ? ` TEMPLATE ${options.template}` : ''}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    name,
    url: url.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
