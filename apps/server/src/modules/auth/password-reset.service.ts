import type { ResetPasswordSchema } from '@cims/contracts';
import type { z } from 'zod';
import { asInt, query, transaction } from '../../db/sql.js';
import type { RequestInfo } from '../audit/audit.js';
import { type AuthCore, INVALID_CODE } from './auth-core.js';
import type { VerificationCodes } from './codes.js';

type ResetPasswordInput = z.output<typeof ResetPasswordSchema>;

/** A forgotten password: a code mailed to the address, then a new password chosen with it. */
export class PasswordResetService {
  constructor(
    private readonly core: AuthCore,
    private readonly codes: VerificationCodes,
  ) {}

  async forgotPassword(info: RequestInfo, email: string): Promise<void> {
    const em = this.core.em();
    await this.core.limitIp(em, 'forgot', info);
    await this.core.limitSends(em, email, info);
    const [user] = await query(em, 'select id from app_user where email = ?', [email]);
    // The same statements for a known and an unknown address (an unknown one stores no row), after the answer, so
    // the answer takes as long either way and does not tell who has an account.
    this.core.afterAnswer(() =>
      this.codes.send(em, { userId: user ? asInt(user.id) : undefined, email, purpose: 'reset_password' }),
    );
  }

  async resetPassword(
    info: RequestInfo,
    { email, code, new_password: newPassword }: ResetPasswordInput,
  ): Promise<void> {
    const em = this.core.em();
    await this.core.limitIp(em, 'reset', info);
    const [user] = await query(em, 'select id from app_user where email = ?', [email]);
    if (!user) throw INVALID_CODE();
    const userId = asInt(user.id);
    const codeId = await this.codes.check(em, info, { userId, purpose: 'reset_password', code });
    const hash = await this.core.deps.passwords.hash(newPassword);
    await transaction(em, async (tem) => {
      await this.codes.consume(tem, codeId);
      // A code from the mailbox proves the address: an account still waiting for verification is verified now,
      // with the password its owner just chose (how the owner reclaims an address someone else registered).
      await query(
        tem,
        `update app_user set password_hash = ?, email_verified_at = coalesce(email_verified_at, now()),
           registration_contested_at = null, updated_at = now() where id = ?`,
        [hash, userId],
      );
      const revoked = await this.core.revokeSessions(tem, { userId, reason: 'password_reset' });
      await this.core.audit(
        tem,
        { actorUserId: userId, entityType: 'user', entityId: userId, action: 'password_reset', data: { revoked } },
        info,
      );
    });
  }
}
