import type { Role } from '@cims/contracts';
import { AUTH_MESSAGES } from '@cims/contracts/rules';
import { query } from '../../db/sql.js';
import { type AuthCore, UNAUTHENTICATED } from './auth-core.js';
import type { Caller } from './caller.js';
import { verifyIntakeKey } from './intake-key.js';

/**
 * What the request pipeline asks of auth (`http/authenticate.ts`): the caller behind a bearer token, the pages it
 * holds, and the intake key. These run on every request, on the long-lived read fork (see {@link AuthCore.reads}).
 */
export class RequestAuthService {
  constructor(private readonly core: AuthCore) {}

  /** The intake API's key (`X-Key`, an `apiKey` route): 503 when none is configured, 401 when it is missing or wrong. */
  verifyIntakeKey(key: string | undefined): void {
    verifyIntakeKey(this.core.deps.config.crm.intakeApiKey, key);
  }

  /** Resolves `Authorization: Bearer …` to the caller; any problem is 401 with `WWW-Authenticate: Bearer`. */
  async authenticate(header: string | undefined): Promise<Caller> {
    const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
    if (!match?.[1]) throw UNAUTHENTICATED();
    const claims = await this.core.deps.accessTokens.verify(match[1]);
    if (!claims) throw UNAUTHENTICATED(AUTH_MESSAGES.accessTokenInvalid);
    const [row] = await query(
      this.core.reads,
      `select u.role, u.email from auth_session s join app_user u on u.id = s.user_id
        where s.id = ? and s.user_id = ? and s.revoked_at is null and s.expires_at > now() and u.is_active`,
      [claims.sessionId, claims.userId],
    );
    if (!row) throw UNAUTHENTICATED(AUTH_MESSAGES.sessionEnded);
    return { userId: claims.userId, sessionId: claims.sessionId, role: row.role as Role, email: String(row.email) };
  }

  /** Whether the caller holds one of `pages` (a route's `pages` rule; roles are checked by the caller). */
  async holdsPage(caller: Caller, pages: readonly string[]): Promise<boolean> {
    // An inactive page grants nothing, as /auth/me no longer lists it.
    const rows = await query(
      this.core.reads,
      `select 1 from user_page_permission pp join app_page p on p.name = pp.page_name
        where pp.user_id = ? and p.is_active
          and pp.page_name in (select jsonb_array_elements_text(cast(? as jsonb))) limit 1`,
      [caller.userId, JSON.stringify(pages)],
    );
    return rows.length > 0;
  }
}
