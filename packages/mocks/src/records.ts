import type { ManagedRole, Page, Role, StatusCategory } from '@cims/contracts';
import type { NewCustomerValues } from '@cims/contracts/rules';
import type { Scenario } from './scenarios.js';

// The records of the mock API's in-memory storage: what `MockState` holds. Types only, so every model can import
// them without importing the code that builds the state.

/** A user of the mock API. E-mail addresses are stored trimmed and lower-cased. */
export interface MockUser {
  id: number;
  email: string;
  /** Kept in clear: this is a mock. */
  password: string;
  name: string;
  surname: string;
  role: Role;
  /** The key of a custom role from `/management/roles` (a label; a user holding one has the role `Member`), or null. */
  role_name: string | null;
  company_code: string;
  telegram_id: string | null;
  job_title: string | null;
  /** A URL path under the mock's base URL (`/media/profile-images/1.png`), or null. */
  profile_image: string | null;
  is_active: boolean;
  email_verified: boolean;
  /**
   * Registered again while unverified: then finished only through reset-password (resend-verification mails a reset
   * code, verify-email refuses), never with the first registrant's password.
   */
  registration_contested: boolean;
  /** ISO-8601 with offset. */
  created_at: string;
  /** The keys of the pages granted to the user. A CEO may open every page whatever this holds. */
  pages: Set<string>;
}

/** A page of the app, the unit of page permissions, as `/management/pages` serves it. `name` is its key. */
export type MockPage = Page;

/** A role as `/management/roles` serves it: the six built-in roles (system roles) and custom labels. */
export type MockRole = ManagedRole;

/** One login on one device: the family of its rotating refresh tokens. Times are milliseconds since the epoch. */
export interface MockSession {
  id: number;
  userId: number;
  userAgent: string | null;
  ipAddress: string | null;
  createdAt: number;
  lastUsedAt: number;
  /** When the session ends unless refreshed first; each rotation renews it (`sessionExpiry` of @cims/contracts). */
  expiresAt: number;
  revokedAt: number | null;
  revokeReason: string | null;
}

/** A refresh token of a session; `spentAt` marks it rotated. */
export interface MockRefreshToken {
  sessionId: number;
  createdAt: number;
  spentAt: number | null;
}

/** An access token the mocks issued, by `jti`. A token is valid only if it is exactly the one stored here. */
export interface MockAccessToken {
  token: string;
  sessionId: number;
  userId: number;
  /** Seconds since the epoch. */
  exp: number;
}

/** What a one-time code is for. */
export type CodePurpose = 'verify-email' | 'reset-password';

/** The one live code of a user for a purpose; a new one replaces it. */
export interface MockCode {
  userId: number;
  purpose: CodePurpose;
  code: string;
  attempts: number;
  expiresAt: number;
  consumedAt: number | null;
}

/** One fixed-window counter of the per-account limits (failed sign-ins, wrong codes, codes asked for). */
export interface MockRateLimitCounter {
  /** When the counted window began, in milliseconds since the epoch (windows are aligned to the epoch). */
  windowStart: number;
  count: number;
}

/**
 * A customer status as `/management/statuses` serves it; times are milliseconds since the epoch (served with the
 * business time zone's offset).
 */
export interface MockStatus {
  id: number;
  /** The value customers carry (`need_to_call`). Immutable. */
  name: string;
  display_name: string;
  description: string | null;
  color: string | null;
  order: number;
  category: StatusCategory;
  is_active: boolean;
  /** The six legacy statuses: never deleted. */
  is_system: boolean;
  created_at: number;
  updated_at: number;
}

/**
 * A customer (lead) as stored: the contract's `NewCustomerValues` (its form fields, every plain one present, the
 * recall time in milliseconds since the epoch), and what the mocks keep beside them. Derived fields (`aisummary`,
 * `priority_*`, …) are computed when served.
 */
export interface MockCustomer extends NewCustomerValues<number> {
  id: number;
  /** The id of the recording in `crm.recordings`, or null. */
  audio_file_id: string | null;
  created_at: number;
  updated_at: number;
  archived_at: number | null;
}

/** A note on a customer. `created_by` is the author's user id (served as `null` once that user is deleted). */
export interface MockNote {
  id: number;
  customer_id: number;
  note: string;
  created_by: number | null;
  created_at: number;
  updated_at: number;
}

/** One entry of a customer's status history. */
export interface MockStatusChange {
  id: number;
  customer_id: number;
  /** `null` for the status the customer was created with. */
  from_status: string | null;
  to_status: string;
  /** `null` for the intake API. */
  changed_by: number | null;
  changed_at: number;
  /** The sales manager the customer was assigned to at that moment, for per-manager statistics. */
  sales_manager_id: number | null;
}

/** An assignment of a customer to a sales manager; a customer has at most one active one. */
export interface MockAssignment {
  id: number;
  customer_id: number;
  sales_manager_id: number;
  assigned_at: number;
  /** `null` for automatic assignment. */
  assigned_by: number | null;
  is_active: boolean;
}

/** A customer's call recording, kept in memory. */
export interface MockRecording {
  file_id: string;
  customer_id: number;
  blob: Blob;
  /** The real media type, from the file's first bytes. */
  media_type: string;
  uploaded_at: number;
}

/** The CRM part of the state. */
export interface MockCrmState {
  /** By id: the six `DEFAULT_STATUSES` as system statuses (ids 1 to 6), then the ones added. */
  statuses: Map<number, MockStatus>;
  customers: Map<number, MockCustomer>;
  notes: Map<number, MockNote>;
  /** By id; ids grow with time, so id order is history order. */
  statusHistory: Map<number, MockStatusChange>;
  /** By id; inactive ones are replaced assignments. */
  assignments: Map<number, MockAssignment>;
  /** By file id. */
  recordings: Map<string, MockRecording>;
  /** The round robin's position: the sales manager who got the previous auto-assigned customer. */
  lastAutoAssigned: number | null;
}

/** The last failure of the Instagram account's sync; `at` in milliseconds since the epoch. */
export interface MockInstagramError {
  code: string;
  message: string;
  graph_code: number | null;
  at: number;
}

/** The connected Instagram account. Times are milliseconds since the epoch. */
export interface MockInstagramAccount {
  id: number;
  account_username: string;
  instagram_business_account_id: string;
  facebook_page_id: string;
  /** Kept in memory, in clear (this is a mock), and never served. */
  access_token: string;
  connected_at: number;
  token_expires_at: number | null;
  token_renewed_at: number | null;
  last_synced_at: number | null;
  last_error: MockInstagramError | null;
  reconnect_required: boolean;
}

/** One daily follower snapshot of an Instagram account. */
export interface MockInstagramSnapshot {
  /** The business day (`YYYY-MM-DD`). */
  date: string;
  followers_count: number;
  following_count: number;
  media_count: number;
  /** When it was taken, in milliseconds since the epoch. */
  captured_at: number;
}

/** The Instagram part of the state. */
export interface MockInstagramState {
  /** The connected account; one at a time, `null` when none is. */
  account: MockInstagramAccount | null;
  /** Snapshots by IG User id, then by business day: an account's history outlives its connection. */
  snapshots: Map<string, Map<string, MockInstagramSnapshot>>;
  /** The id each IG User got when it was first connected, so connecting it again keeps the id. */
  accountIds: Map<string, number>;
}

/** A message the mocks "sent". */
export interface MockMail {
  to: string;
  subject: string;
  /** The 6-digit code the message carries. */
  code: string;
  text: string;
  purpose: CodePurpose;
  /** ISO-8601. */
  sentAt: string;
}

/** The in-memory world behind the mock handlers. One per {@link createMockApi} call; handlers share it. */
export interface MockState {
  scenario: Scenario;
  /** When the mock API was created, for the liveness probe's uptime. */
  startedAt: number;
  users: Map<number, MockUser>;
  /** The pages, by id (`DEFAULT_PAGES` as ids 1 to 10, then the ones added). */
  pages: Map<number, MockPage>;
  /** The managed roles, by id (the built-in roles as ids 1 to 6, then the custom ones). */
  roles: Map<number, MockRole>;
  sessions: Map<number, MockSession>;
  /** By token string. */
  refreshTokens: Map<string, MockRefreshToken>;
  /** By `jti`. */
  accessTokens: Map<string, MockAccessToken>;
  /** By `<purpose>:<user id>`. */
  codes: Map<string, MockCode>;
  /** Every message sent, oldest first. */
  mailbox: MockMail[];
  /** Uploaded files, by the URL path they are served at. */
  files: Map<string, Blob>;
  /**
   * The limit counters, by key: `login-failed:<e-mail>:<client>`, `login-failed:<e-mail>`,
   * `password-change-failed:<session id>`, `code-failed:<user id>:<client>`, `code-failed:<user id>`,
   * `send:<e-mail>` (the server's names).
   */
  rateLimits: Map<string, MockRateLimitCounter>;
  /** Statuses, customers, notes, status history, assignments and recordings. */
  crm: MockCrmState;
  /** The connected Instagram account and the follower snapshots. */
  instagram: MockInstagramState;
  /** The last id handed out, per kind: ids count up from 1, so runs are reproducible. */
  sequences: MockSequences;
  /** One-shot switches, each spent by the next request it applies to. */
  once: { failNextRefresh: boolean };
}

/** The last id handed out per kind. */
export interface MockSequences {
  user: number;
  session: number;
  file: number;
  page: number;
  role: number;
  status: number;
  customer: number;
  note: number;
  statusChange: number;
  assignment: number;
  instagramAccount: number;
}

/** A seeded user's credentials. */
export interface MockCredentials {
  email: string;
  password: string;
  role: Role;
}
