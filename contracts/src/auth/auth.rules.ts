/**
 * The account rules the reference server and the mocks both apply, and the mails they send: one home, so the two
 * cannot drift apart.
 */

import type { Role } from './auth.schemas.js';

/** The role self-registration gives: the lowest. Only such accounts count as pending sign-ups or are purged. */
export const REGISTERED_ROLE: Role = 'Customer';

/**
 * Default per-window limits of failed sign-ins and code mails: per (account, client address), and per account from
 * all client addresses (the reference server's `RATE_LIMIT_ACCOUNT_MAX` and `RATE_LIMIT_ACCOUNT_CEILING`).
 */
export const ACCOUNT_LIMIT_DEFAULTS = { max: 10, ceiling: 100 } as const;

/**
 * Default session lifetimes, in days (the reference server's `REFRESH_TOKEN_EXPIRE_DAYS` and `SESSION_MAX_DAYS`):
 * `idle` is how long a session lives without a refresh, `max` how long it lives at most after sign-in however often
 * it is used. See {@link sessionExpiry}.
 */
export const SESSION_LIFETIME_DEFAULTS = { idleDays: 15, maxDays: 90 } as const;

/** One day of a session lifetime: 24 hours, whatever a time zone's clock changes do. */
export const SESSION_DAY_MS = 86_400_000;

/**
 * When a session ends, computed at sign-in and again at each refresh-token rotation: `idleMs` after that moment, but
 * never later than `maxMs` after the sign-in (`createdAt`), so a session used every day still ends `maxMs` after it
 * began. An expiry that is not after `now` means the session is past its maximum: the rotation is refused.
 *
 * Times are in milliseconds since the epoch. The reference server applies the same rule in SQL, in the statement that
 * spends the refresh token.
 *
 * @example
 * const day = SESSION_DAY_MS;
 * sessionExpiry({ createdAt: 0, now: 0, idleMs: 15 * day, maxMs: 90 * day }); // 15 days
 * sessionExpiry({ createdAt: 0, now: 80 * day, idleMs: 15 * day, maxMs: 90 * day }); // 90 days, not 95
 */
export function sessionExpiry(input: { createdAt: number; now: number; idleMs: number; maxMs: number }): number {
  return Math.min(input.now + input.idleMs, input.createdAt + input.maxMs);
}

/** What a one-time-code mail is for. `pending-registration` answers a second registration of an unverified address. */
export type CodeMailKind = 'verify-email' | 'reset-password' | 'pending-registration';

/** A mail that carries a one-time code. */
export interface CodeMail {
  subject: string;
  text: string;
}

/** Guesses one code survives; a freshly mailed code starts again at none. */
export const CODE_MAX_ATTEMPTS = 5;

/** Lifetime of a verification or reset code, in minutes. */
export const CODE_TTL_MINUTES = 30;

/**
 * Wrong guesses of a live code an account may get in a UTC day from one client address; across all addresses the
 * ceiling is {@link CODE_FAILURES_PER_DAY_CEILING}. Guesses when no code was sent count nowhere: there is nothing to
 * guess, and counting them would let anyone block the genuine code.
 */
export const CODE_FAILURES_PER_DAY = 30;

/** Wrong guesses of live codes an account may get in a UTC day from all client addresses together. */
export const CODE_FAILURES_PER_DAY_CEILING = 300;

/**
 * The mail with a one-time code. A second registration of an address whose account is still unverified leaves that
 * account as it is (whoever registered first keeps it until the address is proven) and mails a password-reset code
 * instead: resetting the password proves the mailbox, verifies the address and ends every session, so the owner of
 * a squatted address reclaims it, and a person who simply registered twice sets the password they meant.
 *
 * @example codeMail('verify-email', '123456').subject // 'Your CIMS verification code'
 */
export function codeMail(kind: CodeMailKind, code: string, validMinutes = CODE_TTL_MINUTES): CodeMail {
  const validity = `It is valid for ${validMinutes} minutes and can be used once.\n`;
  switch (kind) {
    case 'verify-email':
      return {
        subject: 'Your CIMS verification code',
        text: `Your code is ${code}\n\n${validity}If you did not ask for it, ignore this message.`,
      };
    case 'reset-password':
      return {
        subject: 'Your CIMS password reset code',
        text: `Your code is ${code}\n\n${validity}If you did not ask for it, ignore this message.`,
      };
    case 'pending-registration':
      return {
        subject: 'Finish your CIMS registration',
        text:
          'Someone asked to register this e-mail address, which already has an account waiting for verification.\n' +
          `If that was you, choose your password with this password reset code: ${code}\n\n${validity}` +
          'Resetting the password also verifies your address. If you did not ask for it, ignore this message.',
      };
    default: {
      const unknown: never = kind;
      throw new Error(`Unknown code mail ${String(unknown)}`);
    }
  }
}

/** What a registration of an address does, given the account that already has it (if any). */
export type RegistrationOutcome = 'create' | 'pending' | 'taken';

/**
 * A registration of a new address creates the account; one of an address whose self-registered account nobody has
 * verified yet is `pending` (the account is left unchanged, and the caller gets the same answer as for a new
 * account); any other existing account makes it `taken` (`409 EMAIL_TAKEN`).
 */
export function registrationOutcome(
  existing: { verified: boolean; selfRegistered: boolean } | undefined,
): RegistrationOutcome {
  if (!existing) return 'create';
  return !existing.verified && existing.selfRegistered ? 'pending' : 'taken';
}
