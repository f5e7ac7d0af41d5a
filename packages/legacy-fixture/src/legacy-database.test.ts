import { createDecipheriv, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcrypt';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLegacyDatabase, type LegacyDatabase } from './index.js';

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

  beforeAll(async () => {
    legacy = await createLegacyDatabase(ADMIN_URL, { fernetPassword: PASSWORD, customers: 50, seed: 7 });
    client = new pg.Client({ connectionString: legacy.url });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await legacy?.drop();
  });

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
});
