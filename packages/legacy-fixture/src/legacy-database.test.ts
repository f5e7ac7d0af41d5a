import { createDecipheriv, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcrypt';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLegacyDatabase, deriveLegacyFernetKey, type LegacyDatabase, startFakeTelegramBotApi } from './index.js';

const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PASSWORD = 'fixture-fernet-password';

const keys = new Map<string, Buffer>();

/** Fernet decryption written from the spec with node:crypto only, independent of the `fernet` package. */
function fernetDecrypt(password: string, token: string): string {
  const key = keys.get(password) ?? pbkdf2Sync(password, 'cims_customer_salt', 390_000, 32, 'sha256');
  keys.set(password, key);
  const raw = Buffer.from(token, 'base64url');
  if (raw[0] !== 0x80 || raw.length < 1 + 8 + 16 + 16 + 32) throw new Error('not a Fernet token');
  const signed = raw.subarray(0, raw.length - 32);
  const mac = createHmac('sha256', key.subarray(0, 16)).update(signed).digest();
  if (!timingSafeEqual(mac, raw.subarray(raw.length - 32))) throw new Error('bad HMAC');
  const decipher = createDecipheriv('aes-128-cbc', key.subarray(16), raw.subarray(9, 25));
  return Buffer.concat([decipher.update(raw.subarray(25, raw.length - 32)), decipher.final()]).toString('utf8');
}

describe('createLegacyDatabase', () => {
  let legacy: LegacyDatabase;
  let client: pg.Client;
  let imagesDir: string;

  beforeAll(async () => {
    imagesDir = await mkdtemp(join(tmpdir(), 'legacy-images-'));
    legacy = await createLegacyDatabase(ADMIN_URL, { fernetPassword: PASSWORD, customers: 50, seed: 7, imagesDir });
    client = new pg.Client({ connectionString: legacy.url });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await legacy?.drop();
    if (imagesDir) await rm(imagesDir, { recursive: true, force: true });
  });

  const query = async <T>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as T[];

  it('stores customer names and phones as Fernet tokens that node:crypto decrypts', async () => {
    const emoji = legacy.facts.customersByKey.emojiName;
    expect(emoji).toBeDefined();
    const { rows } = await client.query('SELECT full_name, phone_number FROM customer WHERE id = $1', [emoji?.id]);
    const row = rows[0] as { full_name: string; phone_number: string };
    expect(row.full_name.startsWith('gAAAAA')).toBe(true);
    expect(fernetDecrypt(PASSWORD, row.full_name)).toBe('Лола 🌸 Ахмедова 👩‍💻');
    expect(fernetDecrypt(PASSWORD, row.phone_number)).toBe(emoji?.phoneNumber);
  });

  it('decrypts every awkward customer to its facts, and not the undecryptable or corrupt ones', async () => {
    const { rows } = await client.query<{ id: number; full_name: string; phone_number: string }>(
      'SELECT id, full_name, phone_number FROM customer WHERE id = ANY($1::int[])',
      [legacy.facts.customers.map((c) => c.id)],
    );
    expect(rows).toHaveLength(legacy.facts.customers.length);
    for (const row of rows) {
      const fact = legacy.facts.customers.find((c) => c.id === row.id);
      expect(fernetDecrypt(PASSWORD, row.full_name)).toBe(fact?.fullName);
      expect(fernetDecrypt(PASSWORD, row.phone_number)).toBe(fact?.phoneNumber);
    }
    const [undecryptable] = legacy.facts.brokenCustomers.filter((b) => b.kind === 'undecryptable');
    const [corrupt] = legacy.facts.brokenCustomers.filter((b) => b.kind === 'corrupt');
    expect(() => fernetDecrypt(PASSWORD, undecryptable?.storedFullName ?? '')).toThrow('bad HMAC');
    expect(fernetDecrypt(undecryptable?.otherPassword ?? '', undecryptable?.storedFullName ?? '')).toBe('Eski Mijoz');
    expect(() => fernetDecrypt(PASSWORD, corrupt?.storedFullName ?? '')).toThrow();
  });

  it('stores real $2b$ bcrypt hashes that accept the full password, also past 72 bytes', async () => {
    const ceo = legacy.facts.usersByKey.ceoBoth;
    expect(ceo).toBeDefined();
    const { rows } = await client.query('SELECT password FROM "user" WHERE id = $1', [ceo?.id]);
    const hash = (rows[0] as { password: string }).password;
    expect(hash).toMatch(/^\$2b\$04\$[./A-Za-z0-9]{53}$/);
    const password = ceo?.password ?? '';
    expect(Buffer.byteLength(password)).toBeGreaterThan(72);
    expect(await bcrypt.compare(password, hash)).toBe(true);
    expect(await bcrypt.compare(`${password.slice(0, -1)}?`, hash)).toBe(true); // bytes past 72 are ignored
    expect(await bcrypt.compare('wrong password', hash)).toBe(false);
  });

  it('derives the key as legacy does, so the facts name the key the importer must find', () => {
    expect(legacy.facts.fernetKey).toBe(deriveLegacyFernetKey(PASSWORD));
    expect(legacy.facts.fernetKey).toMatch(/^[\w-]{43}=$/);
  });

  it('creates the enum types with the enum names as labels', async () => {
    const rows = await query<{ typname: string; labels: string[] }>(
      `SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS labels
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname ORDER BY t.typname`,
    );
    expect(rows).toEqual([
      { typname: 'conversationlanguage', labels: ['UZ', 'RU', 'EN'] },
      {
        typname: 'customerstatus',
        labels: ['contacted', 'project_started', 'continuing', 'finished', 'rejected', 'need_to_call'],
      },
      { typname: 'customertype', labels: ['local', 'international'] },
      {
        typname: 'userrole',
        labels: ['CEO', 'financial_director', 'general_manager', 'member', 'customer', 'sales_manager'],
      },
    ]);
  });

  it('stores created_at as the naive Tashkent wall clock and recall_time as naive UTC', async () => {
    const start = legacy.facts.customersByKey.tashkentDayStart;
    const [row] = await query<{ created_at: string; recall_time: string }>(
      'SELECT created_at::text, recall_time::text FROM customer WHERE id = $1',
      [start?.id],
    );
    expect(row).toEqual({ created_at: '2026-03-01 00:30:00', recall_time: '2026-03-02 05:00:00' });
    expect(start?.createdAt).toBe('2026-02-28T19:30:00.000Z');
    expect(legacy.facts.customersByKey.tashkentDayEnd?.createdAt).toBe('2026-02-28T18:59:00.000Z');
    expect(legacy.facts.customersByKey.recallNextDayTashkent?.recallTime).toBe('2026-03-01T19:30:00.000Z');
  });

  it('matches the effective status of every awkward customer with COALESCE(status_name, status) or its repair', async () => {
    const rows = await query<{ id: number; effective: string }>(
      'SELECT id, COALESCE(status_name, status::text) AS effective FROM customer WHERE id = ANY($1::int[])',
      [legacy.facts.customers.map((c) => c.id)],
    );
    for (const row of rows) {
      const fact = legacy.facts.customers.find((c) => c.id === row.id);
      const expected = row.effective.replace(/^CustomerStatus\./, '');
      expect(fact?.effectiveStatus).toBe(expected);
    }
    expect(legacy.facts.customersByKey.customStatus?.effectiveStatus).toBe('waiting_payment');
    const [custom] = await query<{ is_active: boolean }>('SELECT is_active FROM customer_status WHERE name = $1', [
      'waiting_payment',
    ]);
    expect(custom?.is_active).toBe(false);
    const archived = await query<{ is_archived: boolean | null }>(
      'SELECT DISTINCT is_archived FROM customer WHERE id = ANY($1::int[]) ORDER BY is_archived NULLS FIRST',
      [legacy.facts.customers.map((c) => c.id)],
    );
    expect(archived.map((r) => r.is_archived)).toEqual([null, false, true]);
  });

  it('keeps both users whose e-mails differ only in case, each with its own password', async () => {
    const rows = await query<{ email: string; password: string }>(
      `SELECT email, password FROM "user" WHERE lower(email) = 'ali@x.uz' ORDER BY email`,
    );
    expect(rows.map((r) => r.email)).toEqual(['Ali@x.uz', 'ali@x.uz']);
    const upper = legacy.facts.usersByKey.caseDuplicateUpper;
    expect(await bcrypt.compare(upper?.password ?? '', rows[0]?.password ?? '')).toBe(true);
    expect(await bcrypt.compare(upper?.password ?? '', rows[1]?.password ?? '')).toBe(false);
  });

  it('describes each user with its role, company code and pages as stored', async () => {
    for (const user of legacy.facts.users) {
      const [row] = await query<{ role: string; company_code: string; is_active: boolean; pages: string[] }>(
        `SELECT u.role::text, u.company_code, u.is_active,
           coalesce(array_agg(p.page_name ORDER BY p.page_name) FILTER (WHERE p.id IS NOT NULL), '{}')::text[] AS pages
         FROM "user" u LEFT JOIN user_page_permission p ON p.user_id = u.id WHERE u.id = $1 GROUP BY u.id`,
        [user.id],
      );
      expect(row).toEqual({
        role: user.role,
        company_code: user.companyCode,
        is_active: user.isActive,
        pages: user.pages,
      });
    }
    expect(legacy.facts.usersByKey.ceoByRole).toMatchObject({ role: 'CEO', companyCode: 'oddiy', isCeo: true });
    expect(legacy.facts.usersByKey.ceoByCompanyCode).toMatchObject({ role: 'member', companyCode: 'ceo', isCeo: true });
  });

  it('writes refresh tokens like secrets.token_urlsafe(64): one active, one expired, one revoked', async () => {
    const now = Date.now();
    const kinds = Object.fromEntries(legacy.facts.refreshTokens.map((t) => [t.kind, t]));
    expect(Date.parse(kinds.active?.expiresAt ?? '')).toBeGreaterThan(now);
    expect(Date.parse(kinds.expired?.expiresAt ?? '')).toBeLessThan(now);
    expect(kinds.revoked?.isActive).toBe(false);
    for (const fact of legacy.facts.refreshTokens) {
      expect(fact.token).toMatch(/^[\w-]{86}$/);
      const [row] = await query<{ expires_at: string; is_active: boolean }>(
        'SELECT expires_at::text, is_active FROM refresh_token WHERE token = $1',
        [fact.token],
      );
      expect(`${row?.expires_at.replace(' ', 'T')}.000Z`).toBe(fact.expiresAt);
      expect(row?.is_active).toBe(fact.isActive);
    }
  });

  it('fills the audit log, the Instagram history with gaps and the verification codes', async () => {
    const actions = legacy.facts.auditLog.map((a) => `${a.module}/${a.entityType}/${a.action}`);
    expect(actions).toEqual(
      expect.arrayContaining(['auth/user/login', 'crm/customer/hard_delete', 'users/user/toggle_active']),
    );
    const [hardDelete] = legacy.facts.auditLog.filter((a) => a.action === 'hard_delete');
    expect(await query('SELECT 1 FROM customer WHERE id = $1', [Number(hardDelete?.entityId)])).toEqual([]);
    const [row] = await query<{ changed_fields: string }>('SELECT changed_fields FROM audit_log WHERE action = $1', [
      'update',
    ]);
    expect(JSON.parse(row?.changed_fields ?? 'null')).toEqual(['notes']);

    const instagram = legacy.facts.instagram;
    expect(instagram?.missingDates.length).toBeGreaterThanOrEqual(9);
    expect((instagram?.snapshots.length ?? 0) + (instagram?.missingDates.length ?? 0)).toBe(400);
    const [stats] = await query<{ n: string; first: string; last: string }>(
      'SELECT count(*) AS n, min(date)::text AS first, max(date)::text AS last FROM instagram_stats',
    );
    expect(Number(stats?.n)).toBe(instagram?.snapshots.length);
    expect(stats?.first).toBe(instagram?.snapshots[0]?.date);
    expect(stats?.last).toBe(instagram?.snapshots.at(-1)?.date);
    expect(legacy.facts.verificationCodes.some((c) => c.code === '0')).toBe(true);
  });

  it('writes the profile images but one, and the audio files a fake Bot API serves', async () => {
    const [present] = legacy.facts.images.files.filter((f) => f.onDisk);
    const [missing] = legacy.facts.images.files.filter((f) => !f.onDisk);
    const bytes = await readFile(join(imagesDir, present?.relativePath ?? ''));
    expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    await expect(stat(join(imagesDir, missing?.relativePath ?? ''))).rejects.toThrow('ENOENT');

    const audioId = legacy.facts.customersByKey.tashkentDayStart?.audioFileId ?? '';
    await using telegram = await startFakeTelegramBotApi({ token: '1:t', files: legacy.facts.audioFiles });
    const info = (await (await fetch(`${telegram.url}/bot1:t/getFile?file_id=${audioId}`)).json()) as {
      result: { file_path: string };
    };
    const audio = await fetch(`${telegram.url}/file/bot1:t/${info.result.file_path}`);
    expect(new Uint8Array(await audio.arrayBuffer())).toEqual(legacy.facts.audioFiles[audioId]?.bytes);
  });

  it('counts every table, bulk customers included', async () => {
    const expected = legacy.facts.customers.length + legacy.facts.brokenCustomers.length + 50;
    expect(legacy.facts.counts.customer).toBe(expected);
    expect(legacy.facts.bulk).toMatchObject({ count: 50, notes: 150, history: 50 });
    expect(legacy.facts.counts.customer_note).toBe(150 + legacy.facts.notes.length);
    const [row] = await query<{ n: string }>('SELECT count(*) AS n FROM customer');
    expect(Number(row?.n)).toBe(expected);
  });
});

describe('createLegacyDatabase options', () => {
  it('leaves out the case duplicates and the broken customers when asked, and drops the database', async () => {
    const legacy = await createLegacyDatabase(ADMIN_URL, {
      fernetPassword: PASSWORD,
      caseDuplicates: false,
      undecryptable: false,
      corrupt: false,
    });
    try {
      expect(legacy.facts.usersByKey.caseDuplicateUpper).toBeUndefined();
      expect(legacy.facts.brokenCustomers).toEqual([]);
      expect(legacy.facts.counts.customer).toBe(legacy.facts.customers.length);
    } finally {
      await legacy.drop();
      await legacy.drop();
    }
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    try {
      const { rows } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [legacy.name]);
      expect(rows).toEqual([]);
    } finally {
      await admin.end();
    }
  });

  it('builds a plain database without the awkward cases, and the same data for the same seed', async () => {
    await using a = await createLegacyDatabase(ADMIN_URL, {
      fernetPassword: PASSWORD,
      awkward: false,
      customers: 5,
      seed: 3,
    });
    await using b = await createLegacyDatabase(ADMIN_URL, {
      fernetPassword: PASSWORD,
      awkward: false,
      customers: 5,
      seed: 3,
    });
    expect(a.facts.customers).toEqual([]);
    expect(a.facts.instagram).toBeNull();
    expect(a.facts.counts.audit_log).toBe(0);
    const read = async (url: string) => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        const { rows } = await c.query<{ full_name: string; created_at: string; platform: string }>(
          'SELECT full_name, created_at::text, platform FROM customer ORDER BY id',
        );
        return rows.map((r) => ({
          name: fernetDecrypt(PASSWORD, r.full_name),
          at: r.created_at,
          platform: r.platform,
        }));
      } finally {
        await c.end();
      }
    };
    expect(await read(a.url)).toEqual(await read(b.url));
  });
});
