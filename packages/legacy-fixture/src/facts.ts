/** The legacy role enum NAMES as stored in `user.role` (PG type `userrole`). */
export type LegacyRole = 'CEO' | 'financial_director' | 'general_manager' | 'member' | 'customer' | 'sales_manager';

/** The legacy customer status enum (PG type `customerstatus`). */
export type LegacyCustomerStatus =
  | 'contacted'
  | 'project_started'
  | 'continuing'
  | 'finished'
  | 'rejected'
  | 'need_to_call';

/** Stored labels of `customer.conversation_language` (the API shows them lower-cased). */
export type LegacyLanguage = 'UZ' | 'RU' | 'EN';

/** Every table the generator creates. */
export type LegacyTable =
  | 'user'
  | 'user_page_permission'
  | 'verification_code'
  | 'refresh_token'
  | 'app_page'
  | 'user_role'
  | 'customer_status'
  | 'customer'
  | 'customer_note'
  | 'customer_status_change_log'
  | 'sales_manager_assignment'
  | 'sales_manager_counter'
  | 'audit_log'
  | 'instagram_account'
  | 'instagram_stats'
  | 'recall_notification_log';

/** One legacy user as stored, with what a sign-in needs. */
export interface LegacyUserFact {
  /** Stable name of the case, e.g. `ceoByRole`, `caseDuplicateUpper`; bulk-free: every user has one. */
  key: string;
  /** `user.id`. */
  id: number;
  /** `user.email` exactly as stored (case preserved). */
  email: string;
  /** The plaintext password; `bcrypt.compare(password, passwordHash)` holds. */
  password: string;
  /** `user.password`: a real `$2b$` bcrypt hash (cost 4) of the password's first 72 UTF-8 bytes, as passlib stores it. */
  passwordHash: string;
  /** `user.name`. */
  name: string;
  /** `user.surname`. */
  surname: string;
  /** `user.role`: the legacy enum NAME. */
  role: LegacyRole;
  /** `user.role_name` (dynamic role key) or null. */
  roleName: string | null;
  /** `user.company_code`; `ceo` grants CEO powers in the CRM. */
  companyCode: string;
  /** `user.is_active`. */
  isActive: boolean;
  /** True when the legacy app treats the user as CEO somewhere: `role = 'CEO'` or `company_code = 'ceo'`. */
  isCeo: boolean;
  /** The page keys granted in `user_page_permission`, sorted. */
  pages: string[];
  /** `user.telegram_id` or null. */
  telegramId: string | null;
  /** `user.chat_id` or null. */
  chatId: string | null;
  /** `user.job_title` or null. */
  jobTitle: string | null;
  /** `user.profile_image` (`/images/profil_images/<hex>.png`) or null. */
  profileImage: string | null;
}

/** One awkward customer: what the importer must produce from it. */
export interface LegacyCustomerFact {
  /** Stable name of the case, e.g. `tashkentDayStart`, `emojiName`. */
  key: string;
  /** `customer.id`. */
  id: number;
  /** Decrypted `full_name`. */
  fullName: string;
  /** Decrypted `phone_number`. */
  phoneNumber: string;
  /** `platform` (free text). */
  platform: string;
  /** `username` or null. */
  username: string | null;
  /** `status` (legacy enum). */
  status: LegacyCustomerStatus;
  /** `status_name` or null. */
  statusName: string | null;
  /** `COALESCE(status_name, status::text)`: the status the legacy app shows. */
  effectiveStatus: string;
  /** `type` or null (the legacy sales statistics treat null as local). */
  type: 'local' | 'international' | null;
  /** `conversation_language`. */
  language: LegacyLanguage;
  /** `created_at` exactly as stored: naive Tashkent wall clock `YYYY-MM-DD HH:MM:SS`. */
  createdAtStored: string;
  /** The instant `created_at` means, ISO UTC (`created_at` − 5 h). */
  createdAt: string;
  /** `recall_time` exactly as stored (naive UTC) or null. */
  recallTimeStored: string | null;
  /** The instant `recall_time` means, ISO UTC, or null. */
  recallTime: string | null;
  /** `is_archived` as stored: null, false or true. */
  isArchivedStored: boolean | null;
  /** Whether the customer is archived (`is_archived IS TRUE`). */
  archived: boolean;
  /** `audio_file_id` (a Telegram file id) or null; its bytes are in {@link LegacyFacts.audioFiles} when present. */
  audioFileId: string | null;
  /** `notes` (plaintext main note) or null. */
  notes: string | null;
}

/** A customer row whose ciphertext the importer cannot decrypt with the configured password. */
export interface LegacyBrokenCustomerFact {
  /** `customer.id`. */
  id: number;
  /** `undecryptable`: valid Fernet made with another password; `corrupt`: not Fernet at all. */
  kind: 'undecryptable' | 'corrupt';
  /** The stored `full_name` value. */
  storedFullName: string;
  /** The stored `phone_number` value. */
  storedPhoneNumber: string;
  /** For `undecryptable`: the password that does decrypt it. */
  otherPassword: string | null;
}

/** One `customer_note` row written for an awkward customer. */
export interface LegacyNoteFact {
  /** `customer_note.id`. */
  id: number;
  /** `customer_id`. */
  customerId: number;
  /** `note`. */
  note: string;
  /** `created_by` (user id) or null (author deleted / unknown). */
  authorId: number | null;
  /** `created_at` as ISO UTC (stored naive UTC). */
  createdAt: string;
  /** `updated_at` as ISO UTC (stored naive UTC). */
  updatedAt: string;
}

/** One `refresh_token` row. */
export interface LegacyRefreshTokenFact {
  /** `active` (usable now), `expired` (expires_at in the past) or `revoked` (is_active false, not expired). */
  kind: 'active' | 'expired' | 'revoked';
  /** The token as stored (plaintext, 86 URL-safe characters like `secrets.token_urlsafe(64)`). */
  token: string;
  /** `user_id`. */
  userId: number;
  /** `created_at` as ISO UTC. */
  createdAt: string;
  /** `expires_at` as ISO UTC. */
  expiresAt: string;
  /** `is_active`. */
  isActive: boolean;
}

/** A Telegram file the legacy CRM stored an id of, for the fake Bot API. */
export interface LegacyAudioFile {
  /** The bytes (a real OGG/Opus or MP3 header, so a content sniffer accepts them). */
  bytes: Uint8Array;
  /** Telegram's `file_path`, e.g. `voice/file_3.oga`. */
  filePath: string;
  /** The MIME type a sniffer should report. */
  mimeType: 'audio/ogg' | 'audio/mpeg';
}

/** One profile image a user row points to. */
export interface LegacyImageFact {
  /** `user.id`. */
  userId: number;
  /** `user.profile_image` as stored, e.g. `/images/profil_images/<hex>.png`. */
  storedPath: string;
  /** Path relative to the images folder, e.g. `profil_images/<hex>.png`. */
  relativePath: string;
  /** The PNG bytes written (or that would have been written, for a missing file). */
  bytes: Uint8Array;
  /** False for the one referenced image deliberately left off the disk. */
  onDisk: boolean;
}

/** One `audit_log` row. */
export interface LegacyAuditFact {
  /** `audit_log.id`. */
  id: number;
  /** `module` (`auth`, `crm`, `users`). */
  module: string;
  /** `entity_type`. */
  entityType: string;
  /** `action`. */
  action: string;
  /** `entity_id` (text) or null. */
  entityId: string | null;
  /** `actor_user_id` or null (system action). */
  actorUserId: number | null;
  /** `request_id`. */
  requestId: string;
  /** `ip_address`. */
  ipAddress: string | null;
  /** `created_at` as ISO UTC. */
  createdAt: string;
  /** `before_data` parsed, or null. */
  before: unknown;
  /** `after_data` parsed, or null. */
  after: unknown;
  /** `changed_fields` parsed, or null. */
  changedFields: string[] | null;
  /** `is_system_action`. */
  isSystemAction: boolean;
}

/** One daily `instagram_stats` snapshot. */
export interface LegacyInstagramSnapshot {
  /** `date` (`YYYY-MM-DD`). */
  date: string;
  /** `followers_count`. */
  followers: number;
  /** `following_count`. */
  following: number;
  /** `media_count`. */
  media: number;
}

/** Everything the generator wrote, so a test can assert what the importer did with it. */
export interface LegacyFacts {
  /** The `FERNET_PASSWORD` the data was encrypted with. */
  fernetPassword: string;
  /** The derived Fernet key (URL-safe base64, 44 characters). */
  fernetKey: string;
  /** The seed used. */
  seed: number;
  /** Every user, awkward and plain, in insertion order. */
  users: LegacyUserFact[];
  /** Users by {@link LegacyUserFact.key}. */
  usersByKey: Record<string, LegacyUserFact>;
  /** `app_page` names: the ten defaults plus the custom ones. */
  pages: { defaults: string[]; custom: string[] };
  /** `user_role` names: migration 001's five defaults plus the custom one (null when not awkward). */
  roles: { defaults: string[]; custom: string | null };
  /** `customer_status` names: the six defaults plus the custom one (null when not awkward). */
  statuses: {
    defaults: string[];
    custom: { name: string; displayName: string; color: string; order: number; isActive: boolean } | null;
  };
  /** The awkward customers (decryptable ones), in insertion order. */
  customers: LegacyCustomerFact[];
  /** Awkward customers by {@link LegacyCustomerFact.key}. */
  customersByKey: Record<string, LegacyCustomerFact>;
  /** Customers made with another password or with non-Fernet text. */
  brokenCustomers: LegacyBrokenCustomerFact[];
  /** Ids of the customers encrypted with another password. */
  undecryptableCustomerIds: number[];
  /** Ids of the customers whose ciphertext is not Fernet at all. */
  corruptCustomerIds: number[];
  /** The bulk customers: ids `firstId..lastId` (none when `count` is 0). */
  bulk: { count: number; firstId: number | null; lastId: number | null; notes: number; history: number };
  /** Notes written for awkward customers (bulk notes are only counted). */
  notes: LegacyNoteFact[];
  /** Id of the awkward note whose `created_by` is NULL, or null. */
  noteWithoutAuthorId: number | null;
  /** `customer_status_change_log` rows written for awkward customers. */
  statusChanges: { id: number; customerId: number; from: LegacyCustomerStatus | null; to: LegacyCustomerStatus }[];
  /** `sales_manager_assignment` rows written for awkward customers. */
  assignments: { customerId: number; salesManagerId: number; assignedBy: number | null; isActive: boolean }[];
  /** `sales_manager_counter.last_assigned_index` of the single row. */
  salesManagerCounter: number;
  /** `refresh_token` rows. */
  refreshTokens: LegacyRefreshTokenFact[];
  /** `verification_code` rows (`code` `"0"` means used). */
  verificationCodes: { userId: number; type: 'verify_email' | 'reset_password'; code: string }[];
  /** `audit_log` rows. */
  auditLog: LegacyAuditFact[];
  /** The Instagram account and its snapshots (with gaps), or null when not awkward. */
  instagram: {
    accountId: number;
    username: string;
    businessAccountId: string;
    facebookPageId: string;
    accessToken: string;
    tokenExpiresAt: string;
    lastSyncedAt: string;
    snapshots: LegacyInstagramSnapshot[];
    missingDates: string[];
  } | null;
  /** Telegram files by file id, to feed `startFakeTelegramBotApi`. */
  audioFiles: Record<string, LegacyAudioFile>;
  /** Profile images referenced by users; `dir` is the `imagesDir` option (files written only when given). */
  images: { dir: string | null; files: LegacyImageFact[] };
  /** Row count of every table after generation. */
  counts: Record<LegacyTable, number>;
}
