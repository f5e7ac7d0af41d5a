import type { Client } from 'pg';
import { AWKWARD_CUSTOMERS, type CustomerSpec } from './awkward-customers.js';
import type {
  LegacyBrokenCustomerFact,
  LegacyCustomerFact,
  LegacyCustomerStatus,
  LegacyNoteFact,
  LegacyUserFact,
} from './facts.js';
import { LegacyFernet } from './legacy-crypto.js';
import { addDays, tashkentNaiveToIso, toNaiveUtc, utcNaiveToIso } from './time.js';

/** The six values of the legacy `customerstatus` enum. */
export const LEGACY_STATUSES: readonly LegacyCustomerStatus[] = [
  'contacted',
  'project_started',
  'continuing',
  'finished',
  'rejected',
  'need_to_call',
];

/** The password the undecryptable customer was encrypted with (a deployment whose FERNET_PASSWORD once changed). */
const OTHER_PASSWORD = 'previous-fernet-password-2025';

/**
 * The status the legacy API shows for a row: `status_name` when set (a legacy enum name, or the text
 * `CustomerStatus.<name>`, becomes that status; any other text is shown as it is), else the legacy enum value.
 */
export function effectiveStatus(status: LegacyCustomerStatus, statusName: string | null): string {
  if (statusName === null || statusName === '') return status;
  const repr = /^CustomerStatus\.(\w+)$/.exec(statusName)?.[1];
  if (repr && (LEGACY_STATUSES as readonly string[]).includes(repr)) return repr;
  return statusName;
}

/** What {@link insertAwkwardCustomers} wrote. */
export interface AwkwardCustomersResult {
  customers: LegacyCustomerFact[];
  broken: LegacyBrokenCustomerFact[];
  notes: LegacyNoteFact[];
  noteWithoutAuthorId: number | null;
  statusChanges: { id: number; customerId: number; from: LegacyCustomerStatus | null; to: LegacyCustomerStatus }[];
  assignments: { customerId: number; salesManagerId: number; assignedBy: number | null; isActive: boolean }[];
}

async function insertCustomerRow(
  client: Client,
  row: Omit<CustomerSpec, 'key' | 'fullName' | 'phoneNumber'> & { fullName: string; phoneNumber: string },
): Promise<number> {
  const { rows } = await client.query<{ id: number }>(
    `INSERT INTO customer (full_name, platform, username, phone_number, status, status_name, type, assistant_name,
       notes, audio_file_id, recall_time, conversation_language, created_at, is_archived)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
    [
      row.fullName,
      row.platform,
      row.username ?? null,
      row.phoneNumber,
      row.status,
      row.statusName,
      row.type,
      'CIMS bot',
      row.notes ?? null,
      row.audioFileId ?? null,
      row.recallTime ?? null,
      row.language,
      row.createdAt,
      row.isArchived,
    ],
  );
  return (rows[0] as { id: number }).id;
}

/** Inserts the awkward customers with their notes, status history and sales-manager assignments. */
export async function insertAwkwardCustomers(
  client: Client,
  options: {
    crypto: LegacyFernet;
    /** The users by key, for the notes' authors, the status changes and the assignments. */
    users: Record<string, LegacyUserFact>;
    undecryptable: boolean;
    corrupt: boolean;
  },
): Promise<AwkwardCustomersResult> {
  const { crypto, users } = options;
  const result: AwkwardCustomersResult = {
    customers: [],
    broken: [],
    notes: [],
    noteWithoutAuthorId: null,
    statusChanges: [],
    assignments: [],
  };
  const userId = (key: string) => {
    const user = users[key];
    if (!user) throw new Error(`legacy fixture: no user ${key}`);
    return user.id;
  };

  for (const spec of AWKWARD_CUSTOMERS) {
    const createdAt = tashkentNaiveToIso(spec.createdAt);
    const encryptedAt = new Date(createdAt);
    const id = await insertCustomerRow(client, {
      ...spec,
      fullName: crypto.encrypt(spec.fullName, encryptedAt),
      phoneNumber: crypto.encrypt(spec.phoneNumber, encryptedAt),
    });
    result.customers.push({
      key: spec.key,
      id,
      fullName: spec.fullName,
      phoneNumber: spec.phoneNumber,
      platform: spec.platform,
      username: spec.username ?? null,
      status: spec.status,
      statusName: spec.statusName,
      effectiveStatus: effectiveStatus(spec.status, spec.statusName),
      type: spec.type,
      language: spec.language,
      createdAtStored: spec.createdAt,
      createdAt,
      recallTimeStored: spec.recallTime ?? null,
      recallTime: spec.recallTime ? utcNaiveToIso(spec.recallTime) : null,
      isArchivedStored: spec.isArchived,
      archived: spec.isArchived === true,
      audioFileId: spec.audioFileId ?? null,
      notes: spec.notes ?? null,
    });
  }

  const base = { platform: 'Telegram', status: 'contacted' as const, statusName: null, type: null, isArchived: null };
  if (options.undecryptable) {
    const other = new LegacyFernet(OTHER_PASSWORD);
    const at = new Date('2025-10-01T07:00:00Z');
    const fullName = other.encrypt('Eski Mijoz', at);
    const phoneNumber = other.encrypt('+998900000001', at);
    const id = await insertCustomerRow(client, {
      ...base,
      language: 'UZ',
      createdAt: '2025-10-01 12:00:00',
      fullName,
      phoneNumber,
    });
    result.broken.push({
      id,
      kind: 'undecryptable',
      storedFullName: fullName,
      storedPhoneNumber: phoneNumber,
      otherPassword: OTHER_PASSWORD,
    });
  }
  if (options.corrupt) {
    // A token cut short by a manual edit, and a phone saved before encryption was introduced.
    const fullName = crypto.encrypt('Kesilgan Ism', new Date('2025-09-01T05:00:00Z')).slice(0, 60);
    const phoneNumber = '+998901112233';
    const id = await insertCustomerRow(client, {
      ...base,
      language: 'RU',
      createdAt: '2025-09-01 10:00:00',
      fullName,
      phoneNumber,
    });
    result.broken.push({
      id,
      kind: 'corrupt',
      storedFullName: fullName,
      storedPhoneNumber: phoneNumber,
      otherPassword: null,
    });
  }

  await insertAwkwardNotes(client, result, userId);
  await insertAwkwardHistory(client, result, userId);
  return result;
}

async function insertAwkwardNotes(
  client: Client,
  result: AwkwardCustomersResult,
  userId: (key: string) => number,
): Promise<void> {
  const texts = [
    'Qoʻngʻiroq qilindi, narxni soʻradi.',
    'Перезвонить завтра после 18:00 🙏',
    'Sent the proposal PDF; waiting for feedback.',
  ];
  const authors = [userId('crmMember'), userId('salesManager'), userId('ceoBoth')];
  for (const [i, customer] of result.customers.entries()) {
    const created = new Date(customer.createdAt);
    const count = i % 3 === 2 ? 1 : 2;
    for (let n = 0; n < count; n++) {
      const at = addDays(created, 0.04 + n);
      const updated = n === 1 ? addDays(at, 0.5) : at;
      await insertNote(client, result, {
        customerId: customer.id,
        note: texts[(i + n) % texts.length] as string,
        authorId: authors[(i + n) % 3] ?? null,
        createdAt: at,
        updatedAt: updated,
      });
    }
  }
  const first = result.customers[0];
  if (first) {
    // The author was deleted: `created_by` is SET NULL.
    const id = await insertNote(client, result, {
      customerId: first.id,
      note: 'Mijoz ofisga keldi (author deleted).',
      authorId: null,
      createdAt: addDays(new Date(first.createdAt), 2),
      updatedAt: addDays(new Date(first.createdAt), 2),
    });
    result.noteWithoutAuthorId = id;
  }
}

/** Inserts one note and adds it to `result.notes`; returns its id. */
async function insertNote(
  client: Client,
  result: AwkwardCustomersResult,
  {
    customerId,
    note,
    authorId,
    createdAt,
    updatedAt,
  }: { customerId: number; note: string; authorId: number | null; createdAt: Date; updatedAt: Date },
): Promise<number> {
  const created = toNaiveUtc(createdAt);
  const updated = toNaiveUtc(updatedAt);
  const { rows } = await client.query<{ id: number }>(
    `INSERT INTO customer_note (customer_id, note, created_by, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [customerId, note, authorId, created, updated],
  );
  const id = (rows[0] as { id: number }).id;
  result.notes.push({
    id,
    customerId,
    note,
    authorId,
    createdAt: utcNaiveToIso(created),
    updatedAt: utcNaiveToIso(updated),
  });
  return id;
}

async function insertAwkwardHistory(
  client: Client,
  result: AwkwardCustomersResult,
  userId: (key: string) => number,
): Promise<void> {
  const byKey = Object.fromEntries(result.customers.map((c) => [c.key, c]));
  const changes: [string, LegacyCustomerStatus | null, LegacyCustomerStatus, number][] = [
    ['tashkentDayStart', null, 'need_to_call', 0],
    ['tashkentDayStart', 'need_to_call', 'contacted', 0.3],
    ['newYearMidnight', null, 'contacted', 0],
    ['newYearMidnight', 'contacted', 'project_started', 3],
    ['statusDisagrees', 'contacted', 'rejected', 1],
  ];
  for (const [key, from, to, days] of changes) {
    const customer = byKey[key];
    if (!customer) continue;
    const { rows } = await client.query<{ id: number }>(
      `INSERT INTO customer_status_change_log (customer_id, from_status, to_status, changed_at)
       VALUES ($1, $2, $3, $4) RETURNING id`,
      [customer.id, from, to, toNaiveUtc(addDays(new Date(customer.createdAt), days))],
    );
    result.statusChanges.push({ id: (rows[0] as { id: number }).id, customerId: customer.id, from, to });
  }

  const assignments: [string, string, string | null, boolean][] = [
    ['tashkentDayStart', 'salesManager', null, true],
    ['tashkentDayEnd', 'salesManager2', 'ceoBoth', true],
    ['customStatus', 'salesManager', 'ceoByCompanyCode', false],
    ['emojiName', 'salesManager2', null, false],
  ];
  for (const [key, managerKey, byKey2, isActive] of assignments) {
    const customer = byKey[key];
    if (!customer) continue;
    const salesManagerId = userId(managerKey);
    const assignedBy = byKey2 === null ? null : userId(byKey2);
    await client.query(
      `INSERT INTO sales_manager_assignment (customer_id, sales_manager_id, assigned_at, assigned_by, is_active)
       VALUES ($1, $2, $3, $4, $5)`,
      [customer.id, salesManagerId, toNaiveUtc(addDays(new Date(customer.createdAt), 0.01)), assignedBy, isActive],
    );
    result.assignments.push({ customerId: customer.id, salesManagerId, assignedBy, isActive });
  }
}
