import bcrypt from 'bcrypt';
import type { Client } from 'pg';
import type { LegacyRole, LegacyUserFact } from './facts.js';
import { CUSTOM_ROLE, ORPHAN_PAGE } from './reference-data.js';

/** Cost 4 keeps generation fast; the hash format (`$2b$04$…`) is what passlib writes at any cost. */
const BCRYPT_COST = 4;

/** The eight pages the legacy app grants its first registered user (the bootstrap CEO). */
const BOOTSTRAP_PAGES = [
  'ceo',
  'payment_list',
  'project_toggle',
  'projects',
  'crm',
  'finance_list',
  'update_list',
  'company_payments',
];

/**
 * 57 characters, 104 UTF-8 bytes: bcrypt only sees the first 72 bytes, and byte 72 falls inside a two-byte Cyrillic
 * letter, so an importer that truncates by characters (or re-encodes) would lock this user out.
 */
const LONG_PASSWORD = `${'Ўзбекистон-'.repeat(4)}Тошкент-2026!`;

interface UserSpec {
  key: string;
  email: string;
  password: string;
  name: string;
  surname: string;
  role: LegacyRole;
  roleName?: string;
  companyCode?: string;
  isActive?: boolean;
  admin?: boolean;
  pages: string[];
  telegramId?: string;
  chatId?: string;
  jobTitle?: string;
  /** Hex file name under `/images/profil_images/`. */
  image?: string;
}

/** Users every database has, awkward or not: enough to sign in, own notes and take leads. */
const PLAIN_USERS: UserSpec[] = [
  {
    key: 'ceoBoth',
    email: 'boss@cognilabs.uz',
    password: LONG_PASSWORD,
    name: 'Bekzod',
    surname: 'Mirzayev',
    role: 'CEO',
    roleName: 'ceo',
    companyCode: 'ceo',
    admin: true,
    pages: BOOTSTRAP_PAGES,
  },
  {
    key: 'salesManager',
    email: 'sardor.sales@cognilabs.uz',
    password: 'Sardor-sales-1',
    name: 'Sardor',
    surname: 'Toshmatov',
    role: 'sales_manager',
    roleName: 'sales_manager',
    pages: ['crm'],
    telegramId: '5012345678',
  },
  {
    key: 'crmMember',
    email: 'malika.crm@cognilabs.uz',
    password: 'Malika-crm-2',
    name: 'Malika',
    surname: 'Yusupova',
    role: 'member',
    roleName: 'member',
    pages: ['crm'],
    jobTitle: 'CRM operator',
  },
];

/**
 * The awkward users: the legacy roles (stored as enum names, shown as values), a custom `role_name` beside them, and
 * CEO power decided by role or by company code.
 */
const AWKWARD_USERS: UserSpec[] = [
  {
    key: 'ceoByRole',
    email: 'ceo.cli@cognilabs.uz',
    password: 'Cli-ceo-3',
    name: 'Rustam',
    surname: 'Qodirov',
    role: 'CEO',
    companyCode: 'oddiy',
    admin: true,
    pages: [],
  },
  {
    key: 'ceoByCompanyCode',
    email: 'director@cognilabs.uz',
    password: 'Director-4',
    name: 'Gulnora',
    surname: 'Saidova',
    role: 'member',
    companyCode: 'ceo',
    pages: ['ceo'],
  },
  {
    key: 'salesManager2',
    email: 'nodira.sales@cognilabs.uz',
    password: 'Nodira-sales-5',
    name: 'Nodira',
    surname: 'Ergasheva',
    role: 'sales_manager',
    pages: ['crm'],
  },
  {
    key: 'inactive',
    email: 'former.employee@cognilabs.uz',
    password: 'Former-6',
    name: 'Otabek',
    surname: 'Nazarov',
    role: 'member',
    isActive: false,
    pages: ['crm'],
  },
  {
    key: 'customRole',
    email: 'operator@cognilabs.uz',
    password: 'Operator-7',
    name: 'Shahnoza',
    surname: 'Alimova',
    role: 'member',
    roleName: CUSTOM_ROLE[0],
    pages: ['crm', 'international_sales', ORPHAN_PAGE],
  },
  {
    key: 'telegramUser',
    email: 'jasur@cognilabs.uz',
    password: 'Jasur-dev-8',
    name: 'Jasur',
    surname: 'Raximov',
    role: 'member',
    pages: ['projects', 'update_list'],
    telegramId: '@jasur_dev',
    chatId: '987654321',
    jobTitle: 'Frontend developer',
    image: '3f2a9c1e5b7d4e8fa0b1c2d3e4f50617',
  },
  {
    key: 'imageMissing',
    email: 'dilnoza@cognilabs.uz',
    password: 'Dilnoza-fin-9',
    name: 'Dilnoza',
    surname: 'Karimova',
    role: 'financial_director',
    roleName: 'financial_director',
    pages: ['finance_list', 'payment_list'],
    jobTitle: 'Financial director',
    image: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
  },
  {
    key: 'generalManager',
    email: 'gm@cognilabs.uz',
    password: 'General-10',
    name: 'Anvar',
    surname: 'Xolmatov',
    role: 'general_manager',
    pages: ['projects'],
  },
  {
    key: 'unverifiedCustomer',
    email: 'client@example.com',
    password: 'Client-11',
    name: 'Client',
    surname: 'Example',
    role: 'customer',
    isActive: false,
    pages: [],
  },
];

/** Two users whose e-mails differ only in case: the legacy app compares e-mails case-sensitively. */
const CASE_DUPLICATES: UserSpec[] = [
  {
    key: 'caseDuplicateUpper',
    email: 'Ali@x.uz',
    password: 'Ali-upper-12',
    name: 'Ali',
    surname: 'Valiyev',
    role: 'member',
    pages: ['crm'],
  },
  {
    key: 'caseDuplicateLower',
    email: 'ali@x.uz',
    password: 'Ali-lower-13',
    name: 'Ali',
    surname: 'Valiyev',
    role: 'member',
    pages: [],
  },
];

/** The images the user rows point at, by user key: the one for `imageMissing` is never written. */
export const MISSING_IMAGE_USER_KEY = 'imageMissing';

/** Inserts the users and their page permissions and returns their facts. */
export async function insertUsers(
  client: Client,
  options: { awkward: boolean; caseDuplicates: boolean },
): Promise<LegacyUserFact[]> {
  const specs = [
    ...PLAIN_USERS,
    ...(options.awkward ? AWKWARD_USERS : []),
    ...(options.awkward && options.caseDuplicates ? CASE_DUPLICATES : []),
  ];
  // passlib hashes the first 72 bytes; hashing exactly those bytes makes the stored hash the one legacy would store.
  const hashes = await Promise.all(
    specs.map((s) => bcrypt.hash(Buffer.from(s.password, 'utf8').subarray(0, 72), BCRYPT_COST)),
  );
  const facts: LegacyUserFact[] = [];
  for (const [i, spec] of specs.entries()) {
    const hash = hashes[i] as string;
    const profileImage = spec.image ? `/images/profil_images/${spec.image}.png` : null;
    const admin = spec.admin ?? false;
    const { rows } = await client.query<{ id: number }>(
      `INSERT INTO "user" (email, name, surname, password, company_code, telegram_id, chat_id, default_salary, role,
         role_name, job_title, profile_image, is_active, is_admin, is_staff, is_superuser)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $14) RETURNING id`,
      [
        spec.email,
        spec.name,
        spec.surname,
        hash,
        spec.companyCode ?? 'oddiy',
        spec.telegramId ?? null,
        spec.chatId ?? null,
        admin ? '0.00' : '4500000.00',
        spec.role,
        spec.roleName ?? null,
        spec.jobTitle ?? null,
        profileImage,
        spec.isActive ?? true,
        admin,
      ],
    );
    const id = (rows[0] as { id: number }).id;
    if (spec.pages.length > 0) {
      await client.query('INSERT INTO user_page_permission (user_id, page_name) SELECT $1, unnest($2::text[])', [
        id,
        spec.pages,
      ]);
    }
    const companyCode = spec.companyCode ?? 'oddiy';
    facts.push({
      key: spec.key,
      id,
      email: spec.email,
      password: spec.password,
      passwordHash: hash,
      name: spec.name,
      surname: spec.surname,
      role: spec.role,
      roleName: spec.roleName ?? null,
      companyCode,
      isActive: spec.isActive ?? true,
      isCeo: spec.role === 'CEO' || companyCode === 'ceo',
      pages: [...spec.pages].sort(),
      telegramId: spec.telegramId ?? null,
      chatId: spec.chatId ?? null,
      jobTitle: spec.jobTitle ?? null,
      profileImage,
    });
  }
  return facts;
}
