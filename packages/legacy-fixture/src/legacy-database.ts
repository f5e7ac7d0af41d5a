import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { insertAuditLog } from './audit-log.js';
import { insertRefreshTokens, insertVerificationCodes } from './auth-rows.js';
import { AWKWARD_AUDIO } from './awkward-customers.js';
import { insertBulk } from './bulk.js';
import { insertAwkwardCustomers } from './customers.js';
import { insertInstagram, insertRecallNotifications, writeProfileImages } from './extras.js';
import type { LegacyFacts, LegacyTable, LegacyUserFact } from './facts.js';
import { LegacyFernet } from './legacy-crypto.js';
import { SeededRandom } from './random.js';
import {
  CUSTOM_PAGE,
  CUSTOM_ROLE,
  CUSTOM_STATUS,
  DEFAULT_PAGES,
  DEFAULT_ROLES,
  DEFAULT_STATUSES,
  insertReferenceData,
} from './reference-data.js';
import { insertUsers } from './users.js';

/** Options of {@link createLegacyDatabase}. */
export interface LegacyDatabaseOptions {
  /** The legacy `FERNET_PASSWORD` the customer names and phones are encrypted with. */
  fernetPassword: string;
  /** Ordinary (bulk) customers added after the awkward ones. @default 0 */
  customers?: number;
  /** Notes per bulk customer. @default 3 */
  notesPerCustomer?: number;
  /** `customer_status_change_log` rows per bulk customer. @default 1 */
  historyPerCustomer?: number;
  /** Include every awkward case (users, customers, audit log, Instagram, tokens, codes, media). @default true */
  awkward?: boolean;
  /** Include the two users whose e-mails differ only in case (`Ali@x.uz`, `ali@x.uz`); needs `awkward`. @default true */
  caseDuplicates?: boolean;
  /** Include a customer encrypted with another FERNET_PASSWORD; needs `awkward`. @default true */
  undecryptable?: boolean;
  /** Include a customer whose ciphertext is not Fernet at all; needs `awkward`. @default true */
  corrupt?: boolean;
  /** Seed of every generated value except Fernet IVs (random, as in the legacy app). @default 1 */
  seed?: number;
  /** When given, the users' profile images are written under `<imagesDir>/profil_images/` (one deliberately not). */
  imagesDir?: string;
  /** "Now" for the refresh tokens' expiry. @default new Date() */
  now?: Date;
}

/** A legacy database on a PostgreSQL server, with what was written into it. */
export interface LegacyDatabase extends AsyncDisposable {
  /** The database name, `legacy_<random hex>`. */
  name: string;
  /** Connection URL of the new database (the admin URL with its path replaced). */
  url: string;
  /** Everything written, for assertions. */
  facts: LegacyFacts;
  /** Drops the database `WITH (FORCE)`; calling it again does nothing. */
  drop(): Promise<void>;
}

const TABLES: readonly LegacyTable[] = [
  'user',
  'user_page_permission',
  'verification_code',
  'refresh_token',
  'app_page',
  'user_role',
  'customer_status',
  'customer',
  'customer_note',
  'customer_status_change_log',
  'sales_manager_assignment',
  'sales_manager_counter',
  'audit_log',
  'instagram_account',
  'instagram_stats',
  'recall_notification_log',
];

/** The legacy schema as plain SQL (PostgreSQL 15+), as `createLegacyDatabase` loads it. */
export function legacySchemaSql(): string {
  return readFileSync(new URL('./legacy-schema.sql', import.meta.url), 'utf8');
}

/**
 * Creates `legacy_<random>` on the server of `adminUrl`, loads the legacy schema and fills it.
 *
 * @example
 * await using legacy = await createLegacyDatabase(process.env.TEST_DATABASE_URL, { fernetPassword: 'secret' });
 * legacy.facts.usersByKey.ceoBoth.password;
 */
export async function createLegacyDatabase(adminUrl: string, options: LegacyDatabaseOptions): Promise<LegacyDatabase> {
  if (!options.fernetPassword) throw new Error('createLegacyDatabase: fernetPassword is required');
  const name = `legacy_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await client.end();
    }
  };
  try {
    const facts = await fill(url.toString(), options);
    return { name, url: url.toString(), facts, drop, [Symbol.asyncDispose]: drop };
  } catch (error) {
    await drop();
    throw error;
  }
}

async function fill(url: string, options: LegacyDatabaseOptions): Promise<LegacyFacts> {
  const awkward = options.awkward ?? true;
  const seed = options.seed ?? 1;
  const random = new SeededRandom(seed);
  const crypto = new LegacyFernet(options.fernetPassword);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // A throwaway database: losing the last commits on a crash costs nothing, waiting for each flush costs time.
    await client.query('SET synchronous_commit = off');
    await client.query(legacySchemaSql());
    await insertReferenceData(client, awkward);
    const users = await insertUsers(client, { awkward, caseDuplicates: options.caseDuplicates ?? true });
    const usersByKey: Record<string, LegacyUserFact> = Object.fromEntries(users.map((u) => [u.key, u]));
    const byKey = (key: string) => {
      const user = usersByKey[key];
      if (!user) throw new Error(`legacy fixture: no user ${key}`);
      return user;
    };

    const awkwardRows = awkward
      ? await insertAwkwardCustomers(client, {
          crypto,
          users: usersByKey,
          undecryptable: options.undecryptable ?? true,
          corrupt: options.corrupt ?? true,
        })
      : null;

    const activeAuthors = users.filter((u) => u.isActive && u.pages.includes('crm')).map((u) => u.id);
    const salesManagers = users.filter((u) => u.isActive && u.role === 'sales_manager').map((u) => u.id);
    const bulk = await insertBulk(client, {
      count: options.customers ?? 0,
      notesPerCustomer: options.notesPerCustomer ?? 3,
      historyPerCustomer: options.historyPerCustomer ?? 1,
      random,
      crypto,
      customStatus: awkward,
      authorIds: activeAuthors,
      salesManagerIds: salesManagers,
      seed,
    });

    const refreshTokens = awkward
      ? await insertRefreshTokens(client, { random, user: byKey('ceoBoth'), now: options.now ?? new Date() })
      : [];
    const verificationCodes = awkward ? await insertVerificationCodes(client, usersByKey) : [];
    const customersByKey = Object.fromEntries((awkwardRows?.customers ?? []).map((c) => [c.key, c]));
    const auditLog = awkwardRows
      ? await insertAuditLog(client, random, { users: usersByKey, customers: customersByKey, notes: awkwardRows.notes })
      : [];
    if (awkwardRows) await insertRecallNotifications(client, awkwardRows.customers);
    const instagram = awkward ? await insertInstagram(client, random) : null;
    const images = await writeProfileImages(users, options.imagesDir);

    const counts = {} as Record<LegacyTable, number>;
    for (const table of TABLES) {
      const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "${table}"`);
      counts[table] = Number(rows[0]?.n ?? 0);
    }
    const { rows: counter } = await client.query<{ last_assigned_index: number }>(
      'SELECT last_assigned_index FROM sales_manager_counter ORDER BY id LIMIT 1',
    );

    return {
      fernetPassword: options.fernetPassword,
      fernetKey: crypto.key,
      seed,
      users,
      usersByKey,
      pages: { defaults: DEFAULT_PAGES.map((p) => p[0]), custom: awkward ? [CUSTOM_PAGE[0]] : [] },
      roles: { defaults: DEFAULT_ROLES.map((r) => r[0]), custom: awkward ? CUSTOM_ROLE[0] : null },
      statuses: { defaults: DEFAULT_STATUSES.map((s) => s[0]), custom: awkward ? { ...CUSTOM_STATUS } : null },
      customers: awkwardRows?.customers ?? [],
      customersByKey,
      brokenCustomers: awkwardRows?.broken ?? [],
      undecryptableCustomerIds: (awkwardRows?.broken ?? []).filter((b) => b.kind === 'undecryptable').map((b) => b.id),
      corruptCustomerIds: (awkwardRows?.broken ?? []).filter((b) => b.kind === 'corrupt').map((b) => b.id),
      bulk,
      notes: awkwardRows?.notes ?? [],
      noteWithoutAuthorId: awkwardRows?.noteWithoutAuthorId ?? null,
      statusChanges: awkwardRows?.statusChanges ?? [],
      assignments: awkwardRows?.assignments ?? [],
      salesManagerCounter: counter[0]?.last_assigned_index ?? 0,
      refreshTokens,
      verificationCodes,
      auditLog,
      instagram,
      audioFiles: awkward ? { ...AWKWARD_AUDIO } : {},
      images: { dir: options.imagesDir ?? null, files: images },
      counts,
    };
  } finally {
    await client.end();
  }
}
