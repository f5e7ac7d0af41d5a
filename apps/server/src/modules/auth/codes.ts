import {
  CODE_FAILURES_PER_DAY,
  CODE_FAILURES_PER_DAY_CEILING,
  CODE_MAX_ATTEMPTS,
  CODE_TTL_MINUTES,
  type CodeMailKind,
  codeMail,
} from '@cims/contracts';
import type { EntityManager } from '@mikro-orm/postgresql';
import { asInt, query } from '../../db/sql.js';
import type { RequestInfo } from '../audit/audit.js';
import { type AuthCore, INVALID_CODE } from './auth-core.js';
import { codeHash, newCode, sameDigest } from './crypto.js';
import { clientKey, DAY_SECONDS } from './rate-limit.js';

/** What a code proves: the address of a new account, or the right to choose a new password. */
export type CodePurpose = 'verify_email' | 'reset_password';

const CODE_TTL_MS = CODE_TTL_MINUTES * 60 * 1000;

/** A code to issue: for whom (none for an unknown address), where to mail it, and which mail. */
export interface CodeToSend {
  userId: number | undefined;
  email: string;
  purpose: CodePurpose;
  /** @default the mail of the purpose */
  kind?: CodeMailKind;
}

/** A code to check: whose, for what, and the digits presented. */
export interface CodeToCheck {
  userId: number;
  purpose: CodePurpose;
  code: string;
}

/** The 6-digit codes mailed for e-mail verification and password reset: issued, checked, consumed. */
export class VerificationCodes {
  constructor(private readonly core: AuthCore) {}

  /**
   * Issues a fresh code (replacing any earlier one of the same purpose) and mails it. With no user (an unknown
   * address) it runs the same statement, which then stores nothing, and mails nothing: known and unknown addresses
   * cost the same work.
   */
  async send(
    em: EntityManager,
    { userId, email, purpose, kind = purpose === 'verify_email' ? 'verify-email' : 'reset-password' }: CodeToSend,
  ): Promise<void> {
    const { deps } = this.core;
    const code = newCode();
    const id = userId ?? 0;
    const stored = await query(
      em,
      `insert into verification_code (user_id, purpose, code_hash, attempts, expires_at, consumed_at, created_at)
       select u.id, ?, ?, 0, ?, null, now() from app_user u where u.id = ?
       on conflict (user_id, purpose) do update set code_hash = excluded.code_hash, attempts = 0,
         expires_at = excluded.expires_at, consumed_at = null, created_at = now()
       returning user_id`,
      [purpose, codeHash(deps.codeKey, { userId: id, purpose, code }), new Date(Date.now() + CODE_TTL_MS), id],
    );
    if (userId === undefined || stored.length === 0) return;
    const { subject, text } = codeMail(kind, code);
    // Sent in the background: waiting for SMTP would make "known address" answers measurably slower than
    // unknown ones, which would reveal who has an account.
    deps.mailer.send({ to: email, subject, text }).catch((error: unknown) => {
      deps.logger.error({ err: error, purpose }, 'Could not send an e-mail');
    });
  }

  /**
   * Checks a code. The attempt is counted by one conditional UPDATE in its own statement (committed even when the
   * code is wrong, and parallel guesses cannot exceed the limit). Returns the code's id, to be consumed with
   * {@link consume} in the caller's transaction.
   */
  async check(em: EntityManager, info: RequestInfo, { userId, purpose, code }: CodeToCheck): Promise<number> {
    // Besides the attempts of one code, wrong guesses are limited per day per (account, client address) and, much
    // higher, per account, so asking for new codes again and again does not buy unlimited guesses. Only guesses of a
    // live code count: with no code sent there is nothing to guess, and counting those would let anyone block the
    // genuine code. Slots are taken first (parallel guesses cannot overtake them) and given back unless the guess
    // was a wrong one of a live code.
    const giveBack = await this.core.reserveAll(
      em,
      [
        [`code-failed:${userId}:${clientKey(info.ip)}`, CODE_FAILURES_PER_DAY],
        [`code-failed:${userId}`, CODE_FAILURES_PER_DAY_CEILING],
      ],
      DAY_SECONDS,
    );
    const [row] = await query(
      em,
      `update verification_code set attempts = attempts + 1
        where user_id = ? and purpose = ? and consumed_at is null and expires_at > now() and attempts < ?
        returning id, code_hash`,
      [userId, purpose, CODE_MAX_ATTEMPTS],
    );
    if (!row) {
      await giveBack();
      throw INVALID_CODE();
    }
    if (!sameDigest(String(row.code_hash), codeHash(this.core.deps.codeKey, { userId, purpose, code }))) {
      throw INVALID_CODE();
    }
    await giveBack();
    return asInt(row.id);
  }

  /** Marks a checked code used; a code works once, even when two requests carry it at the same moment. */
  async consume(em: EntityManager, codeId: number): Promise<void> {
    const [consumed] = await query(
      em,
      'update verification_code set consumed_at = now() where id = ? and consumed_at is null returning id',
      [codeId],
    );
    if (!consumed) throw INVALID_CODE();
  }
}
