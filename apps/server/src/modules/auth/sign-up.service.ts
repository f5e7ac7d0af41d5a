import {
  REGISTERED_ROLE,
  type RegisterInput,
  registrationOutcome,
  type TokenPair,
  type VerifyEmailSchema,
} from '@cims/contracts';
import { AUTH_MESSAGES } from '@cims/contracts/rules';
import type { z } from 'zod';
import { asInt, query, transaction } from '../../db/sql.js';
import { ApiError } from '../../errors.js';
import type { RequestInfo } from '../audit/audit.js';
import type { AccountService } from './accounts.service.js';
import { type AuthCore, INVALID_CODE } from './auth-core.js';
import type { VerificationCodes } from './codes.js';

type VerifyEmailInput = z.output<typeof VerifyEmailSchema>;

/** Self-registration and the proof of the address that finishes it: register, resend the code, verify. */
export class SignUpService {
  constructor(
    private readonly core: AuthCore,
    private readonly codes: VerificationCodes,
    private readonly accounts: AccountService,
  ) {}

  async register(info: RequestInfo, input: RegisterInput): Promise<void> {
    if (!this.core.deps.config.registrationOpen) {
      throw new ApiError('REGISTRATION_CLOSED', AUTH_MESSAGES.registrationClosed);
    }
    const em = this.core.em();
    await this.core.limitIp(em, 'register', info);
    // Every registration may mail the address, so it shares the address's send limit with forgot-password.
    await this.core.limitSends(em, input.email, info);
    const id = await this.accounts.createUser(
      {
        email: input.email,
        password: input.password,
        name: input.name,
        surname: input.surname,
        role: REGISTERED_ROLE,
        telegramId: input.telegram_id ?? null,
        jobTitle: input.job_title ?? null,
        verified: false,
      },
      em,
    );
    if (id !== undefined) {
      await this.codes.send(em, { userId: id, email: input.email, purpose: 'verify_email' });
      await this.core.audit(em, { actorUserId: id, entityType: 'user', entityId: id, action: 'register' }, info);
      return;
    }
    const [existing] = await query(em, 'select id, role, email_verified_at from app_user where email = ?', [
      input.email,
    ]);
    const outcome = registrationOutcome(
      existing && { verified: existing.email_verified_at !== null, selfRegistered: existing.role === REGISTERED_ROLE },
    );
    if (!existing || outcome !== 'pending') {
      throw new ApiError('EMAIL_TAKEN', AUTH_MESSAGES.emailTaken);
    }
    // Registering again never changes the waiting account: whoever registered first keeps it until the address is
    // proven. The account is marked contested: from now on it is finished only by choosing a password with a reset
    // code from the mailbox (resend-verification mails one too, verify-email refuses it), and the earlier
    // verification code stops working.
    const userId = asInt(existing.id);
    await transaction(em, async (tem) => {
      await query(
        tem,
        `update app_user set registration_contested_at = coalesce(registration_contested_at, now())
          where id = ? and email_verified_at is null`,
        [userId],
      );
      await query(tem, `delete from verification_code where user_id = ? and purpose = 'verify_email'`, [userId]);
    });
    await this.codes.send(em, {
      userId,
      email: input.email,
      purpose: 'reset_password',
      kind: 'pending-registration',
    });
    await this.core.audit(
      em,
      { actorUserId: null, entityType: 'user', entityId: userId, action: 'register_pending_again' },
      info,
    );
  }

  async resendVerification(info: RequestInfo, email: string): Promise<void> {
    const em = this.core.em();
    await this.core.limitIp(em, 'resend', info);
    await this.core.limitSends(em, email, info);
    const [user] = await query(
      em,
      'select id, registration_contested_at from app_user where email = ? and email_verified_at is null',
      [email],
    );
    // A contested sign-up (registered again by someone) can only be finished with a password chosen through a reset
    // code: a verification code would verify it with the first registrant's password.
    const contested = user !== undefined && user.registration_contested_at !== null;
    this.core.afterAnswer(() =>
      contested
        ? this.codes.send(em, {
            userId: asInt(user.id),
            email,
            purpose: 'reset_password',
            kind: 'pending-registration',
          })
        : this.codes.send(em, { userId: user ? asInt(user.id) : undefined, email, purpose: 'verify_email' }),
    );
  }

  async verifyEmail(info: RequestInfo, { email, code }: VerifyEmailInput): Promise<TokenPair> {
    const em = this.core.em();
    await this.core.limitIp(em, 'verify', info);
    const [user] = await query(
      em,
      'select id, is_active, email_verified_at, registration_contested_at from app_user where email = ?',
      [email],
    );
    // A contested sign-up is finished only through reset-password (see register).
    if (!user || user.email_verified_at !== null || user.registration_contested_at !== null) throw INVALID_CODE();
    const userId = asInt(user.id);
    const codeId = await this.codes.check(em, info, { userId, purpose: 'verify_email', code });
    if (user.is_active === false) throw new ApiError('ACCOUNT_INACTIVE', AUTH_MESSAGES.accountInactive);
    return transaction(em, async (tem) => {
      await this.codes.consume(tem, codeId);
      // Conditional, so a second registration arriving meanwhile still wins: the code is then not consumed either.
      const [verified] = await query(
        tem,
        `update app_user set email_verified_at = now(), updated_at = now()
          where id = ? and email_verified_at is null and registration_contested_at is null returning id`,
        [userId],
      );
      if (!verified) throw INVALID_CODE();
      await this.core.audit(
        tem,
        { actorUserId: userId, entityType: 'user', entityId: userId, action: 'verify_email' },
        info,
      );
      return this.core.startSession(tem, userId, info);
    });
  }
}
