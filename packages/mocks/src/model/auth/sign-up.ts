import { REGISTERED_ROLE, registrationOutcome, type TokenPair } from '@cims/contracts';
import { AUTH_MESSAGES } from '@cims/contracts/rules';
import { MockApiError } from '../../route-handler.js';
import type { AuthCore } from './core.js';
import { REGISTERED } from './types.js';

/** Registration, e-mail verification and password reset by code. */
export function authSignUp(core: AuthCore) {
  const { state, limitSends, findUser, revokeAll, startSession, sendCode, consumeCode, addUser } = core;
  return {
    register(input: {
      email: string;
      password: string;
      name: string;
      surname: string;
      telegram_id?: string;
      job_title?: string;
    }): string {
      if (state.scenario === 'registration-closed') {
        throw new MockApiError('REGISTRATION_CLOSED', AUTH_MESSAGES.registrationClosed);
      }
      // Every registration may mail the address: it shares the send limit with forgot-password.
      limitSends(input.email);
      const existing = findUser(input.email);
      const outcome = registrationOutcome(
        existing && { verified: existing.email_verified, selfRegistered: existing.role === REGISTERED_ROLE },
      );
      if (existing && outcome === 'taken') {
        throw new MockApiError('EMAIL_TAKEN', AUTH_MESSAGES.emailTaken);
      }
      if (existing) {
        // Registering again never changes the waiting account; it is contested from now on (finished only through
        // reset-password), the address gets a reset code, and the earlier verification code stops working (see
        // codeMail in @cims/contracts).
        existing.registration_contested = true;
        state.codes.delete(`verify-email:${existing.id}`);
        sendCode(existing, 'reset-password', 'pending-registration');
        return REGISTERED;
      }
      const user = addUser({
        email: input.email,
        password: input.password,
        name: input.name,
        surname: input.surname,
        telegram_id: input.telegram_id ?? null,
        job_title: input.job_title ?? null,
        email_verified: false,
      });
      sendCode(user, 'verify-email');
      return REGISTERED;
    },
    /** A deactivated account with the right code gets `403 ACCOUNT_INACTIVE`, and its code stays unspent. */
    verifyEmail(request: Request, { email, code }: { email: string; code: string }): TokenPair {
      const found = findUser(email);
      const pending = found && !found.email_verified && !found.registration_contested ? found : undefined;
      const user = consumeCode({
        user: pending,
        purpose: 'verify-email',
        code,
        accept: (account) => {
          if (!account.is_active) throw new MockApiError('ACCOUNT_INACTIVE', AUTH_MESSAGES.accountInactive);
        },
      });
      user.email_verified = true;
      return startSession(user, request);
    },
    /** At most `accountMaxFailures` codes asked for per address, client and window (with forgot-password), known or not. */
    resendVerification(email: string): string {
      limitSends(email);
      const user = findUser(email);
      // A contested sign-up gets the mail that finishes it through reset-password, never a verification code.
      if (user && !user.email_verified) {
        if (user.registration_contested) sendCode(user, 'reset-password', 'pending-registration');
        else sendCode(user, 'verify-email');
      }
      return AUTH_MESSAGES.verificationResent;
    },
    forgotPassword(email: string): string {
      limitSends(email);
      const user = findUser(email);
      if (user) sendCode(user, 'reset-password');
      return AUTH_MESSAGES.resetCodeSent;
    },
    resetPassword({
      email,
      code,
      new_password: newPassword,
    }: {
      email: string;
      code: string;
      new_password: string;
    }): string {
      const user = consumeCode({ user: findUser(email), purpose: 'reset-password', code });
      user.password = newPassword;
      // The code proves the mailbox: an account still waiting for verification is verified now.
      user.email_verified = true;
      user.registration_contested = false;
      revokeAll(user.id, 'password-reset');
      return AUTH_MESSAGES.passwordReset;
    },
  };
}
