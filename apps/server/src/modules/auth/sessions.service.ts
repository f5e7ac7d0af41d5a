import type { Session } from '@cims/contracts';
import { AUTH_MESSAGES } from '@cims/contracts/rules';
import { asDate, asInt, query, transaction } from '../../db/sql.js';
import { ApiError } from '../../errors.js';
import type { AuthCore } from './auth-core.js';
import type { Caller, RequestScope } from './caller.js';
import { sha256 } from './crypto.js';

/** The signed-in user's sessions (devices): list them, end one, this one, or all. */
export class SessionService {
  constructor(private readonly core: AuthCore) {}

  /** Ends the session of `refreshToken` when it is the caller's (else ignores it), or the caller's own session. */
  async logout({ caller, info }: RequestScope, refreshToken: string | undefined): Promise<void> {
    const em = this.core.em();
    await transaction(em, async (tem) => {
      let sessionId = caller.sessionId;
      if (refreshToken) {
        const [row] = await query(
          tem,
          `select rt.session_id from refresh_token rt join auth_session s on s.id = rt.session_id
            where rt.token_hash = ? and s.user_id = ?`,
          [sha256(refreshToken), caller.userId],
        );
        if (!row) return;
        sessionId = asInt(row.session_id);
      }
      await query(
        tem,
        `update auth_session set revoked_at = now(), revoke_reason = 'logout' where id = ? and revoked_at is null`,
        [sessionId],
      );
      await this.core.audit(
        tem,
        { actorUserId: caller.userId, entityType: 'session', entityId: sessionId, action: 'logout' },
        info,
      );
    });
  }

  async logoutAll({ caller, info }: RequestScope): Promise<number> {
    return transaction(this.core.em(), async (tem) => {
      const revoked = await this.core.revokeSessions(tem, { userId: caller.userId, reason: 'logout_all' });
      await this.core.audit(
        tem,
        {
          actorUserId: caller.userId,
          entityType: 'user',
          entityId: caller.userId,
          action: 'logout_all',
          data: { revoked },
        },
        info,
      );
      return revoked;
    });
  }

  async listSessions(caller: Caller): Promise<Session[]> {
    const rows = await query(
      this.core.em(),
      `select id, user_agent, ip_address, created_at, last_used_at, expires_at from auth_session
        where user_id = ? and revoked_at is null and expires_at > now() order by last_used_at desc, id desc`,
      [caller.userId],
    );
    return rows.map((row) => ({
      id: asInt(row.id),
      user_agent: (row.user_agent as string | null) ?? null,
      ip_address: (row.ip_address as string | null) ?? null,
      created_at: asDate(row.created_at).toISOString(),
      last_used_at: asDate(row.last_used_at).toISOString(),
      expires_at: asDate(row.expires_at).toISOString(),
      current: asInt(row.id) === caller.sessionId,
    }));
  }

  async revokeSession({ caller, info }: RequestScope, sessionId: number): Promise<void> {
    await transaction(this.core.em(), async (tem) => {
      const [row] = await query(
        tem,
        `update auth_session set revoked_at = now(), revoke_reason = 'revoked_by_user'
          where id = ? and user_id = ? and revoked_at is null and expires_at > now() returning id`,
        [sessionId, caller.userId],
      );
      if (!row) throw new ApiError('NOT_FOUND', AUTH_MESSAGES.sessionNotFound);
      await this.core.audit(
        tem,
        { actorUserId: caller.userId, entityType: 'session', entityId: sessionId, action: 'session_revoke' },
        info,
      );
    });
  }
}
