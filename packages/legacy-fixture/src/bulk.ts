import type { Client } from 'pg';
import { LEGACY_STATUSES } from './customers.js';
import type { LegacyFernet } from './legacy-crypto.js';
import type { SeededRandom } from './random.js';
import { CUSTOM_STATUS } from './reference-data.js';
import { toNaiveTashkent, toNaiveUtc } from './time.js';

/** Rows per INSERT: large enough to amortise the round trip, small enough to keep two batches in memory at most. */
const BATCH = 2_000;

const FIRST_NAMES = ['Aziz', 'Dilshod', 'Malika', 'Nodira', 'Jasur', 'Sevara', 'Bekzod', 'Kamola', 'Rustam', 'Zarina'];
const LAST_NAMES = ['Karimov', 'Yusupova', 'Toshmatov', 'Rashidova', 'Alimov', 'Saidova', 'Nazarov', 'Ergasheva'];
const CYRILLIC_NAMES = ['Алишер Навоий', 'Гулнора Каримова', 'Ўткир Ҳошимов', 'Сергей Иванов', 'Наталья Ким'];
const PLATFORMS = ['Telegram', 'Telegram', 'Instagram', 'Instagram', 'Website', 'Phone call', 'telegram', 'Facebook'];
const MAIN_NOTES = [
  'Narxlarni soʻradi',
  'Хочет сайт и CRM',
  'Needs a landing page by Friday',
  'Qayta qoʻngʻiroq qilish kerak',
];
/** Texts the SQL picks note bodies from. */
const NOTE_TEXTS = [
  'Called back, no answer.',
  'Qoʻngʻiroq qilindi, taklif yuborildi.',
  'Отправили коммерческое предложение.',
  'Asked for a discount.',
  'Meeting booked at the office.',
  'Mijoz oʻylab koʻradi.',
];
/** Bulk customers are created over two years before this Tashkent instant. */
const BULK_END = Date.parse('2026-06-30T19:00:00Z');
const TWO_YEARS_S = 730 * 24 * 60 * 60;

interface Batch {
  fullName: string[];
  platform: string[];
  username: (string | null)[];
  phone: string[];
  status: string[];
  statusName: (string | null)[];
  type: (string | null)[];
  assistant: (string | null)[];
  notes: (string | null)[];
  recall: (string | null)[];
  language: string[];
  created: string[];
  archived: (boolean | null)[];
}

/** `size` customers, their names and phone numbers encrypted; some with the custom status when `customStatus`. */
function buildBatch(
  size: number,
  { random, crypto, customStatus }: { random: SeededRandom; crypto: LegacyFernet; customStatus: boolean },
): Batch {
  const b: Batch = {
    fullName: [],
    platform: [],
    username: [],
    phone: [],
    status: [],
    statusName: [],
    type: [],
    assistant: [],
    notes: [],
    recall: [],
    language: [],
    created: [],
    archived: [],
  };
  for (let i = 0; i < size; i++) {
    const createdInstant = new Date(BULK_END - random.int(0, TWO_YEARS_S) * 1000);
    const createdLocal = toNaiveTashkent(createdInstant);
    const name = random.chance(0.15)
      ? random.pick(CYRILLIC_NAMES)
      : `${random.pick(FIRST_NAMES)} ${random.pick(LAST_NAMES)}`;
    const phone = `+99890${String(random.int(0, 9_999_999)).padStart(7, '0')}`;
    const status = random.pick(LEGACY_STATUSES);
    const statusRoll = random.next();
    b.fullName.push(crypto.encrypt(name, createdInstant));
    b.phone.push(crypto.encrypt(phone, createdInstant));
    b.platform.push(random.pick(PLATFORMS));
    b.username.push(random.chance(0.5) ? `@lead_${random.hex(8)}` : null);
    b.status.push(status);
    b.statusName.push(statusRoll < 0.2 ? null : customStatus && statusRoll > 0.95 ? CUSTOM_STATUS.name : status);
    const typeRoll = random.next();
    b.type.push(typeRoll < 0.4 ? null : typeRoll < 0.8 ? 'local' : 'international');
    b.assistant.push(random.chance(0.6) ? 'CIMS bot' : null);
    b.notes.push(random.chance(0.5) ? random.pick(MAIN_NOTES) : null);
    b.recall.push(
      random.chance(0.3) ? toNaiveUtc(new Date(createdInstant.getTime() + random.int(600, 864_000) * 1000)) : null,
    );
    const langRoll = random.next();
    b.language.push(langRoll < 0.6 ? 'UZ' : langRoll < 0.9 ? 'RU' : 'EN');
    b.created.push(createdLocal);
    const archivedRoll = random.next();
    b.archived.push(archivedRoll < 0.7 ? null : archivedRoll >= 0.9);
  }
  return b;
}

const INSERT_CUSTOMERS = `
  INSERT INTO customer (full_name, platform, username, phone_number, status, status_name, type, assistant_name, notes,
    recall_time, conversation_language, created_at, is_archived)
  SELECT full_name, platform, username, phone, status::customerstatus, status_name, type::customertype, assistant, notes,
    recall::timestamp, lang::conversationlanguage, created::timestamp, archived
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
    $9::text[], $10::text[], $11::text[], $12::text[], $13::bool[])
    WITH ORDINALITY AS t(full_name, platform, username, phone, status, status_name, type, assistant, notes, recall,
      lang, created, archived, ord)
  ORDER BY ord`;

/** What {@link insertBulk} wrote. */
export interface BulkResult {
  count: number;
  firstId: number | null;
  lastId: number | null;
  notes: number;
  history: number;
}

/**
 * Inserts `count` ordinary customers in multi-row batches (encryption of the next batch overlaps the insert of the
 * previous one), then their notes, status history and assignments with set-based SQL on the server.
 */
export async function insertBulk(
  client: Client,
  options: {
    count: number;
    notesPerCustomer: number;
    historyPerCustomer: number;
    random: SeededRandom;
    crypto: LegacyFernet;
    customStatus: boolean;
    authorIds: number[];
    salesManagerIds: number[];
    seed: number;
  },
): Promise<BulkResult> {
  if (options.count <= 0) return { count: 0, firstId: null, lastId: null, notes: 0, history: 0 };
  const { rows: before } = await client.query<{ max: number | null }>('SELECT max(id) AS max FROM customer');
  const floor = before[0]?.max ?? 0;

  let pending: Promise<unknown> | null = null;
  for (let done = 0; done < options.count; done += BATCH) {
    const b = buildBatch(Math.min(BATCH, options.count - done), options);
    if (pending) await pending;
    pending = client.query(INSERT_CUSTOMERS, [
      b.fullName,
      b.platform,
      b.username,
      b.phone,
      b.status,
      b.statusName,
      b.type,
      b.assistant,
      b.notes,
      b.recall,
      b.language,
      b.created,
      b.archived,
    ]);
  }
  if (pending) await pending;

  const { rows: range } = await client.query<{ first: number; last: number }>(
    'SELECT min(id) AS first, max(id) AS last FROM customer WHERE id > $1',
    [floor],
  );
  const firstId = range[0]?.first ?? null;
  const lastId = range[0]?.last ?? null;
  if (firstId === null || lastId === null) throw new Error('legacy fixture: bulk customers were not inserted');

  // Note and history timestamps are UTC: created_at (Tashkent) minus 5 hours, then later.
  const notes =
    options.notesPerCustomer > 0 && options.authorIds.length > 0
      ? await client.query(
          `INSERT INTO customer_note (customer_id, note, created_by, created_at, updated_at)
           SELECT c.id,
             ($1::text[])[1 + ((c.id * 7 + g + $5) % cardinality($1::text[]))] || ' #' || g,
             CASE WHEN (c.id + g) % 97 = 0 THEN NULL
               ELSE ($2::int[])[1 + ((c.id + g) % cardinality($2::int[]))] END,
             c.created_at - interval '5 hours' + g * interval '3 hours',
             c.created_at - interval '5 hours' + g * interval '3 hours'
               + CASE WHEN g % 4 = 0 THEN interval '1 day' ELSE interval '0' END
           FROM customer c CROSS JOIN generate_series(1, $3::int) AS g
           WHERE c.id BETWEEN $4 AND $6
           ORDER BY c.id, g`,
          [NOTE_TEXTS, options.authorIds, options.notesPerCustomer, firstId, options.seed, lastId],
        )
      : null;

  const history =
    options.historyPerCustomer > 0
      ? await client.query(
          `INSERT INTO customer_status_change_log (customer_id, from_status, to_status, changed_at)
           SELECT c.id,
             CASE WHEN g = 1 THEN NULL
               ELSE (enum_range(NULL::customerstatus))[1 + ((c.id + g - 2) % 6)] END,
             CASE WHEN g = $1 THEN c.status
               ELSE (enum_range(NULL::customerstatus))[1 + ((c.id + g - 1) % 6)] END,
             c.created_at - interval '5 hours' + (g - 1) * interval '1 day' + interval '10 minutes'
           FROM customer c CROSS JOIN generate_series(1, $1::int) AS g
           WHERE c.id BETWEEN $2 AND $3
           ORDER BY c.id, g`,
          [options.historyPerCustomer, firstId, lastId],
        )
      : null;

  if (options.salesManagerIds.length > 0) {
    // Every third lead went through the round robin (auto-assigned, assigned_by NULL); a few were deactivated.
    await client.query(
      `INSERT INTO sales_manager_assignment (customer_id, sales_manager_id, assigned_at, assigned_by, is_active)
       SELECT c.id, ($1::int[])[1 + ((c.id / 3) % cardinality($1::int[]))],
         c.created_at - interval '5 hours' + interval '2 minutes', NULL, c.id % 30 <> 0
       FROM customer c
       WHERE c.id BETWEEN $2 AND $3 AND c.id % 3 = 0
       ORDER BY c.id`,
      [options.salesManagerIds, firstId, lastId],
    );
  }

  return {
    count: options.count,
    firstId,
    lastId,
    notes: notes?.rowCount ?? 0,
    history: history?.rowCount ?? 0,
  };
}
