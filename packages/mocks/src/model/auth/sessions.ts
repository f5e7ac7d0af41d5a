import type { Session, TokenPair } from '@cims/contracts';
import { AUTH_MESSAGES } from '@cims/contracts/rules';
import { MockApiError } from '../../route-handler.js';
import type { AuthCore } from './core.js';
import { iso, normalizeEmail, type Principal, UNAUTHENTICATED_HEADERS } from './types.js';

/** Sign-in, token refresh, sign-out and the list of sessions. */
export function authSessions(core: AuthCore) {
  const {
    state,
    options,
    now,
    findUser,
    isLive,
    renewedExpiry,
    revoke,
    revokeAll,
    issuePair,
    pairWith,
    startSession,
    liveToken,
    checkPassword,
    signInLimits,
  } = core;
  return {
    /** Failed sign-ins use the address's budget (known or not); a correct password does not. */
    login(request: Request, { email, password }: { email: string; password: string }): TokenPair {
      const user = findUser(email);
      if (!checkPassword(signInLimits(normalizeEmail(email)), user, password) || !user) {
        throw new MockApiError('INVALID_CREDENTIALS', AUTH_MESSAGES.invalidCredentials, UNAUTHENTICATED_HEADERS);
      }
      if (!user.is_active) throw new MockApiError('ACCOUNT_INACTIVE', AUTH_MESSAGES.accountInactive);
      if (!user.email_verified) {
        throw new MockApiError('EMAIL_NOT_VERIFIED', AUTH_MESSAGES.emailNotVerified);
      }
      return startSession(user, request);
    },
    /**
     * Rotation: the token is spent and a new pair issued in the same session, whose new refresh token is then its only
     * live one; the session is renewed (`sessionExpiry`), and one past its maximum is not rotated but invalid. A token spent less than `refreshGraceSeconds` ago (two tabs refreshing at once, a lost response) gets
     * a fresh access token with the session's CURRENT live refresh token, the same one every time; later, it counts as
     * theft and the whole session ends. A token of an ended or expired session is just invalid, never reuse.
     */
    refresh(token: string): TokenPair {
      const invalid = new MockApiError('REFRESH_TOKEN_INVALID', AUTH_MESSAGES.refreshTokenInvalid);
      if (state.scenario === 'refresh-fails') throw invalid;
      if (state.once.failNextRefresh) {
        state.once.failNextRefresh = false;
        throw invalid;
      }
      const record = state.refreshTokens.get(token);
      const session = record && state.sessions.get(record.sessionId);
      if (!record || !isLive(session)) throw invalid;
      const user = state.users.get(session.userId);
      if (!user?.is_active) throw invalid;
      const at = now();
      // A session whose renewal would end it is past its maximum (its expiry may say otherwise when the test set
      // the session up so): an ended session, not reuse.
      const expiresAt = renewedExpiry(session, at);
      if (expiresAt <= at) throw invalid;
      if (record.spentAt === null) {
        record.spentAt = at;
        session.lastUsedAt = at;
        session.expiresAt = expiresAt;
        return issuePair(session);
      }
      if (at - record.spentAt < options.refreshGraceSeconds * 1000) {
        const live = liveToken(session);
        if (live) {
          session.lastUsedAt = at;
          return pairWith(session, live);
        }
      }
      revoke(session, 'refresh-token-reuse');
      throw new MockApiError('REFRESH_TOKEN_REUSED', AUTH_MESSAGES.refreshTokenReused);
    },
    /** Ends the session of `refreshToken` when it is the caller's (anything else is ignored), else the current one. */
    logout(principal: Principal, refreshToken: string | undefined): void {
      if (!refreshToken) {
        revoke(principal.session, 'logout');
        return;
      }
      const record = state.refreshTokens.get(refreshToken);
      const session = record && state.sessions.get(record.sessionId);
      if (session && session.userId === principal.user.id) revoke(session, 'logout');
    },
    logoutAll(principal: Principal): number {
      return revokeAll(principal.user.id, 'logout-all');
    },
    listSessions(principal: Principal): Session[] {
      return [...state.sessions.values()]
        .filter((session) => session.userId === principal.user.id && isLive(session))
        .sort((a, b) => b.lastUsedAt - a.lastUsedAt || b.id - a.id)
        .map((session) => ({
          id: session.id,
          user_agent: session.userAgent,
          ip_address: session.ipAddress,
          created_at: iso(session.createdAt),
          last_used_at: iso(session.lastUsedAt),
          expires_at: iso(session.expiresAt),
          current: session.id === principal.session.id,
        }));
    },
    revokeSession(principal: Principal, id: number): void {
      const session = state.sessions.get(id);
      if (!session || session.userId !== principal.user.id || !isLive(session)) {
        throw new MockApiError('NOT_FOUND', AUTH_MESSAGES.sessionNotFound);
      }
      revoke(session, 'revoked');
    },
    /** Makes every access token issued so far expired, so the next bearer request gets `401` and the client refreshes. */
    expireAccessTokens(): void {
      state.accessTokens.clear();
    },
  };
}
