import type { Role } from '@cims/contracts';
import { AUTH_MESSAGES } from '@cims/contracts/rules';
import type { MockSession, MockUser } from '../../state.js';

// The types and constants of the auth model, shared by its topic files.

/** Lifetimes and the clock of the auth model. Defaults are the reference server's. */
export interface AuthModelOptions {
  /** The current time in milliseconds since the epoch. */
  now: () => number;
  /** Lifetime of an access token (`expires_in`). */
  accessTokenTtlSeconds: number;
  /** Inactivity lifetime of a session: it ends this long after sign-in or its latest refresh-token rotation… */
  sessionTtlSeconds: number;
  /** …and at the latest this long after sign-in, however often it is refreshed (at least `sessionTtlSeconds`). */
  sessionMaxSeconds: number;
  /** How long a rotated refresh token may be presented again and still get a pair (two tabs refreshing at once). */
  refreshGraceSeconds: number;
  /** Lifetime of a verification or reset code. */
  codeTtlSeconds: number;
  /** Wrong guesses a code survives. */
  codeAttempts: number;
  /**
   * The budget of one rate-limit window (the server's `RATE_LIMIT_ACCOUNT_MAX`): failed sign-ins per (address, client),
   * wrong current passwords per session, codes mailed per address.
   */
  accountMaxFailures: number;
  /** Failed sign-ins per address per window from all clients together (the server's `RATE_LIMIT_ACCOUNT_CEILING`). */
  accountCeiling: number;
  /** The length of a rate-limit window (the server's `RATE_LIMIT_WINDOW_SECONDS`). */
  rateLimitWindowSeconds: number;
}

/**
 * The client address of every request: requests the mocks intercept carry none, so they all count as one client,
 * as the requests of one browser reach a server from one address.
 */
/** The client key of every mock request in the rate-limit counters. */
export const CLIENT = 'mock-client';

/** Who is calling: the user and the session of the access token. */
export interface Principal {
  user: MockUser;
  session: MockSession;
}

/** What QA may set on a user they add or change. */
export interface MockUserInput {
  email: string;
  password: string;
  name?: string;
  surname?: string;
  /** @default 'Customer' */
  role?: Role;
  /** The key of a custom role from `/management/roles`, shown instead of `role` on the CEO's screens. @default null */
  role_name?: string | null;
  /** @default 'oddiy' */
  company_code?: string;
  /** Keys of existing pages (`crm`, `finance_list`, …). @default [] */
  pages?: readonly string[];
  telegram_id?: string | null;
  job_title?: string | null;
  /** @default true */
  is_active?: boolean;
  /** @default true */
  email_verified?: boolean;
}

/** A change to a user; `pages` replaces the granted pages. */
export type MockUserPatch = Partial<Omit<MockUserInput, 'email'>>;

/** Clock skew the server tolerates on `exp` (jose's `clockTolerance`). */
export const CLOCK_TOLERANCE_SECONDS = 30;

export const UNAUTHENTICATED_HEADERS = { 'WWW-Authenticate': 'Bearer' };

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export const REGISTERED = AUTH_MESSAGES.registered;

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
