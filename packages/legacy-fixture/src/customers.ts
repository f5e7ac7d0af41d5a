import type { Client } from 'pg';
import type {
  LegacyAudioFile,
  LegacyBrokenCustomerFact,
  LegacyCustomerFact,
  LegacyCustomerStatus,
  LegacyLanguage,
  LegacyNoteFact,
  LegacyUserFact,
} from './facts.js';
import type { LegacyFernet } from './legacy-crypto.js';
import { LegacyFernet as Fernet } from './legacy-crypto.js';
import { mp3Bytes, oggOpusBytes } from './media.js';
import { CUSTOM_STATUS } from './reference-data.js';
import { addDays, tashkentNaiveToIso, toNaiveUtc, utcNaiveToIso } from './time.js';

const LEGACY_STATUSES: readonly LegacyCustomerStatus[] = [
  'contacted',
  'project_started',
  'continuing',
  'finished',
  'rejected',
  'need_to_call',
];

/** Telegram file ids of call recordings (voice notes are OGG/Opus, uploaded audio is MP3). */
const VOICE_FILE_ID = 'AwACAgIAAxkBAAIBZ2cK9fVh3m1Ql0xW8dJr2aLq4nBvAAJrSAAC1Yh5S7xkD9m3c2FgNgQ';
const VOICE_FILE_ID_2 = 'AwACAgIAAxkBAAICA2cL1kR0f8m2Qw4pXy7ZbN3uVt5KAAKcTQAC9fJxSzqP0e1aR6bYNgQ';
const MP3_FILE_ID = 'CQACAgIAAxkBAAICB2cMa81oP3s9Tq2wLr6Xy0vHf4GjAAJ9UQACk2tJS4nZs7Bq1kXeNgQ';

/** The bytes behind each file id, as the Bot API would serve them. */
export const AWKWARD_AUDIO: Record<string, LegacyAudioFile> = {
  [VOICE_FILE_ID]: { bytes: oggOpusBytes(0x1001), filePath: 'voice/file_12.oga', mimeType: 'audio/ogg' },
  [VOICE_FILE_ID_2]: { bytes: oggOpusBytes(0x1002), filePath: 'voice/file_13.oga', mimeType: 'audio/ogg' },
  [MP3_FILE_ID]: { bytes: mp3Bytes(0x33), filePath: 'music/file_4.mp3', mimeType: 'audio/mpeg' },
};

/** The password the undecryptable customer was encrypted with (a deployment whose FERNET_PASSWORD once changed). */
const OTHER_PASSWORD = 'previous-fernet-password-2025';

interface CustomerSpec {
  key: string;
  fullName: string;
  phoneNumber: string;
  platform: string;
  username?: string;
  status: LegacyCustomerStatus;
  statusName: string | null;
  type: 'local' | 'international' | null;
  language: LegacyLanguage;
  /** Naive Tashkent wall clock. */
  createdAt: string;
  /** Naive UTC. */
  recallTime?: string;
  isArchived: boolean | null;
  audioFileId?: string;
  notes?: string;
}

/** Exactly 300 characters: over the 255 a sane schema allows, under what fits varchar(500) once encrypted. */
const LONG_NAME = 'Abdulazizxon Abdurahmonov '.repeat(12).slice(0, 300);
/** Exactly 100 characters. */
const LONG_PLATFORM =
  'Referral from the Tashkent IT Park partner event (spring 2026), booth 14, second day, via a flyer QR';
/** Exactly 40 characters. */
const LONG_PHONE = '+998 90 123 45 67, +998 91 765 43 21 ish';

const SPECS: CustomerSpec[] = [
  {
    key: 'tashkentDayStart',
    fullName: 'Aziz Karimov',
    phoneNumber: '+998901234567',
    platform: 'Telegram',
    username: '@aziz_karimov',
    status: 'contacted',
    statusName: 'contacted',
    type: 'local',
    language: 'UZ',
    createdAt: '2026-03-01 00:30:00',
    recallTime: '2026-03-02 05:00:00',
    isArchived: null,
    audioFileId: VOICE_FILE_ID,
    notes: 'Veb-sayt kerak, byudjet 2000$ atrofida.',
  },
  {
    key: 'tashkentDayEnd',
    fullName: 'Нилуфар Рашидова',
    phoneNumber: '+998935557799',
    platform: 'Instagram',
    username: 'nilufar.r',
    status: 'need_to_call',
    statusName: null,
    type: null,
    language: 'RU',
    createdAt: '2026-02-28 23:59:00',
    isArchived: false,
    notes: 'Перезвонить после обеда',
  },
  {
    key: 'newYearMidnight',
    fullName: 'Ўткир Ҳамдамов',
    phoneNumber: '+998 (97) 111-22-33',
    platform: 'Website',
    status: 'project_started',
    statusName: 'project_started',
    type: 'international',
    language: 'EN',
    createdAt: '2026-01-01 00:00:00',
    isArchived: true,
  },
  {
    key: 'uzbekLatinName',
    fullName: 'Gʻayrat Oʻktamov Shoʻxrux oʻgʻli',
    phoneNumber: '+998991234567',
    platform: 'Instagram DM',
    status: 'continuing',
    statusName: 'continuing',
    type: 'local',
    language: 'UZ',
    createdAt: '2026-02-14 14:05:09',
    isArchived: false,
  },
  {
    key: 'emojiName',
    fullName: 'Лола 🌸 Ахмедова 👩‍💻',
    phoneNumber: '+7 916 123-45-67',
    platform: 'WhatsApp',
    status: 'finished',
    statusName: 'finished',
    type: 'international',
    language: 'EN',
    createdAt: '2025-11-20 09:15:00',
    isArchived: null,
    audioFileId: VOICE_FILE_ID_2,
  },
  {
    key: 'longName',
    fullName: LONG_NAME,
    phoneNumber: '+998977777777',
    platform: LONG_PLATFORM,
    status: 'rejected',
    statusName: 'rejected',
    type: null,
    language: 'UZ',
    createdAt: '2026-03-10 18:45:00',
    isArchived: null,
  },
  {
    key: 'phoneText',
    fullName: 'Sherzod',
    phoneNumber: 'call me',
    platform: 'Phone call',
    status: 'need_to_call',
    statusName: 'need_to_call',
    type: 'local',
    language: 'UZ',
    createdAt: '2026-03-11 10:00:00',
    recallTime: '2026-03-11 06:00:00',
    isArchived: false,
  },
  {
    key: 'phoneTooLong',
    fullName: 'Kamola Ismoilova',
    phoneNumber: LONG_PHONE,
    platform: 'Telegram',
    status: 'contacted',
    statusName: null,
    type: null,
    language: 'RU',
    createdAt: '2026-03-12 12:00:00',
    isArchived: null,
  },
  {
    key: 'customStatus',
    fullName: 'Timur Sultanov',
    phoneNumber: '+998946661122',
    platform: 'Telegram',
    status: 'continuing',
    statusName: CUSTOM_STATUS.name,
    type: 'international',
    language: 'EN',
    createdAt: '2026-04-01 16:30:00',
    isArchived: false,
    audioFileId: MP3_FILE_ID,
    notes: 'Invoice #2026-041 sent',
  },
  {
    key: 'customStatusArchived',
    fullName: 'Madina Qosimova',
    phoneNumber: '+998951112233',
    platform: 'Instagram',
    status: 'contacted',
    statusName: CUSTOM_STATUS.name,
    type: 'local',
    language: 'UZ',
    createdAt: '2026-04-02 08:00:00',
    isArchived: true,
  },
  {
    // A row an old code path wrote with Python's str(CustomerStatus.contacted); the legacy API shows "contacted".
    key: 'statusNameEnumRepr',
    fullName: 'Bobur Alimov',
    phoneNumber: '+998909998877',
    platform: 'telegram',
    status: 'need_to_call',
    statusName: 'CustomerStatus.contacted',
    type: null,
    language: 'UZ',
    createdAt: '2025-12-20 20:20:20',
    isArchived: null,
  },
  {
    // Dynamic status changes do not touch the enum, so the two disagree; the dynamic one wins.
    key: 'statusDisagrees',
    fullName: 'Zarina Tursunova',
    phoneNumber: '+998931234000',
    platform: 'Website',
    status: 'rejected',
    statusName: 'contacted',
    type: 'local',
    language: 'RU',
    createdAt: '2026-01-15 11:11:11',
    isArchived: false,
  },
  {
    // recall_time is UTC: 19:30 UTC is already the next day (00:30) in Tashkent.
    key: 'recallNextDayTashkent',
    fullName: 'Davron Yoqubov',
    phoneNumber: '+998901110000',
    platform: 'Telegram',
    status: 'need_to_call',
    statusName: 'need_to_call',
    type: 'local',
    language: 'UZ',
    createdAt: '2026-02-27 12:00:00',
    recallTime: '2026-03-01 19:30:00',
    isArchived: null,
  },
  {
    // PUT writes empty strings: an encrypted empty name and phone (legacy-api.md §10, item 24).
    key: 'emptyNameAndPhone',
    fullName: '',
    phoneNumber: '',
    platform: 'Telegram',
    username: '',
    status: 'contacted',
    statusName: 'contacted',
    type: null,
    language: 'UZ',
    createdAt: '2026-03-15 15:00:00',
    isArchived: null,
    notes: '',
  },
];

/** The status the legacy API shows for a row (legacy-api.md §6.0, "Status output resolution"). */
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
  crypto: LegacyFernet,
  users: Record<string, LegacyUserFact>,
  options: { undecryptable: boolean; corrupt: boolean },
): Promise<AwkwardCustomersResult> {
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

  for (const spec of SPECS) {
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
    const other = new Fernet(OTHER_PASSWORD);
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
      await insertNote(
        client,
        result,
        customer.id,
        texts[(i + n) % texts.length] as string,
        authors[(i + n) % 3] ?? null,
        at,
        updated,
      );
    }
  }
  const first = result.customers[0];
  if (first) {
    // The author was deleted: `created_by` is SET NULL.
    const id = await insertNote(
      client,
      result,
      first.id,
      'Mijoz ofisga keldi (author deleted).',
      null,
      addDays(new Date(first.createdAt), 2),
      addDays(new Date(first.createdAt), 2),
    );
    result.noteWithoutAuthorId = id;
  }
}

async function insertNote(
  client: Client,
  result: AwkwardCustomersResult,
  customerId: number,
  note: string,
  authorId: number | null,
  createdAt: Date,
  updatedAt: Date,
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
