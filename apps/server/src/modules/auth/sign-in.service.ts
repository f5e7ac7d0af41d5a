import type { TokenPair } from '@cims/contracts';
import { AUTH_MESSAGES } from '@cims/contracts/rules';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sealedFromText, sealedToText } from '../../crypto/token-cipher.js';
import { asInt, query, transaction } from '../../db/sql.js';
import { ApiError } from '../../errors.js';
import type { RequestInfo } from '../audit/audit.js';
import type { AuthCore } from './auth-core.js';
import { sha256 } from './crypto.js';
import { clientKey } from './rate-limit.js';

/** What a refresh token's sealed successor is bound to: the spent token's row, so it opens nowhere else. */
function successorContext(spentId: number): string {
  return `refresh-successor:${spentId}`;
}

const INVALID_CREDENTIALS = () =>
  new ApiError('INVALID_CREDENTIALS', AUTH_MESSAGES.invalidCredentials, {
    headers: { 'WWW-Authenticate': 'Bearer' },
  });
const INVALID_REFRESH = () => new ApiError('REFRESH_TOKEN_INVALID', AUTH_MESSAGES.refreshTokenInvalid);

/** The credentials of a sign-in. */
export interface Credentials {
  email: string;
  password: string;
}

/** Signing in with a password, and keeping the session going by rotating its refresh token. */
export class SignInService {
  constructor(private readonly core: AuthCore) {}

  async login(info: RequestInfo, { email, password }: Credentials): Promise<TokenPair> {
    const em = this.core.em();
    const { accountMax, accountCeiling } = this.core.deps.config.rateLimit;
    await this.core.limitIp(em, 'login', info);
    // Failures count per (account, client address), so guesses from elsewhere do not lock the owner out, and per
    // account across addresses up to a much higher ceiling. Slots are taken before the password is checked and given
    // back only on success, so parallel guesses cannot overtake the counters.
    const giveBack = await this.core.reserveAll(em, [
      [`login-failed:${email}:${clientKey(info.ip)}`, accountMax],
      [`login-failed:${email}`, accountCeiling],
    ]);
    const [user] = await query(
      em,
      'select id, password_hash, is_active, email_verified_at from app_user where email = ?',
      [email],
    );
    const { passwords, metrics } = this.core.deps;
    const ok = user
      ? await passwords.verify(password, String(user.password_hash))
      : await passwords.verifyNothing(password);
    if (!user || !ok) {
      metrics.loginFailures.inc();
      throw INVALID_CREDENTIALS();
    }
    await giveBack();
    const userId = asInt(user.id);
    if (user.is_active === false) throw new ApiError('ACCOUNT_INACTIVE', AUTH_MESSAGES.accountInactive);
    if (user.email_verified_at === null) {
      throw new ApiError('EMAIL_NOT_VERIFIED', AUTH_MESSAGES.emailNotVerified);
    }
    return transaction(em, async (tem) => {
      await this.core.audit(tem, { actorUserId: userId, entityType: 'user', entityId: userId, action: 'login' }, info);
      return this.core.startSession(tem, userId, info);
    });
  }

  /**
   * Rotation. The presented token is spent by one conditional UPDATE, which in the same statement renews the session
   * (`sessionExpiry` of @cims/contracts: `REFRESH_TOKEN_EXPIRE_DAYS` from now, never past `SESSION_MAX_DAYS` after
   * sign-in); a session past either limit is not rotated. The winner gets a new pair in the same session,
   * and the new refresh token is sealed onto the spent one. The same token presented again within the grace window
   * (two tabs refreshing at once, a lost response) gets a fresh access token and that same successor — a session
   * never has two live refresh tokens. After the window it is reuse: the session is revoked.
   */
  async refresh(info: RequestInfo, token: string): Promise<TokenPair> {
    const em = this.core.em();
    await this.core.limitIp(em, 'refresh', info);
    const hash = sha256(token);
    const lifetime = this.core.sessionLifetime();
    const outcome = await transaction(em, async (tem) => {
      // One statement spends the token and renews the session, so no other request can come between the check and
      // the renewal. The created_at condition refuses a session already past its maximum whose expiry says otherwise
      // (imported from the legacy system, or started before SESSION_MAX_DAYS was lowered): renewing it would end it.
      const [spent] = await query(
        tem,
        `with spent as (
           update refresh_token rt set spent_at = now()
             from auth_session s join app_user u on u.id = s.user_id
            where rt.token_hash = ? and rt.spent_at is null and s.id = rt.session_id
              and s.revoked_at is null and s.expires_at > now() and u.is_active
              and s.created_at + make_interval(secs => ?) > now()
            returning rt.id, rt.session_id, s.user_id
         ), renewed as (
           update auth_session s set last_used_at = now(),
                  expires_at = least(now() + make_interval(secs => ?), s.created_at + make_interval(secs => ?))
             from spent where s.id = spent.session_id
         )
         select id, session_id, user_id from spent`,
        [hash, lifetime.maxSeconds, lifetime.idleSeconds, lifetime.maxSeconds],
      );
      if (spent) {
        const sessionId = asInt(spent.session_id);
        const userId = asInt(spent.user_id);
        const pair = await this.core.issue(tem, sessionId, userId);
        const spentId = asInt(spent.id);
        await query(tem, 'update refresh_token set sealed_successor = ? where id = ?', [
          sealedToText(this.core.deps.successors.seal(pair.refresh_token, successorContext(spentId))),
          spentId,
        ]);
        return { pair, outcome: 'rotated' as const };
      }
      const [known] = await query(
        tem,
        `select rt.spent_at, rt.session_id, s.user_id, u.is_active,
                (s.revoked_at is null and s.expires_at > now()
                  and s.created_at + make_interval(secs => ?) > now()) as live,
                (rt.spent_at > now() - make_interval(secs => ?)) as in_grace
           from refresh_token rt join auth_session s on s.id = rt.session_id join app_user u on u.id = s.user_id
          where rt.token_hash = ?`,
        [lifetime.maxSeconds, this.core.deps.config.refreshReuseGraceSeconds, hash],
      );
      // Unknown, an ended session, a deactivated user, or an unspent token whose session just expired: not theft.
      if (known?.live !== true || known.is_active === false || known.spent_at === null) {
        return { error: INVALID_REFRESH(), outcome: 'invalid' as const };
      }
      const sessionId = asInt(known.session_id);
      const userId = asInt(known.user_id);
      if (known.in_grace === true) {
        const live = await this.#liveToken(tem, sessionId);
        // A successor that cannot be opened only means no grace answer: within the window this is still the
        // benign race, not theft, so the session stays and the client signs in again or uses its newer token.
        if (live === 'unreadable') return { error: INVALID_REFRESH(), outcome: 'invalid' as const };
        if (live) {
          await query(tem, 'update auth_session set last_used_at = now() where id = ?', [sessionId]);
          return { pair: await this.core.pair(sessionId, userId, live), outcome: 'grace' as const };
        }
      }
      const [revoked] = await query(
        tem,
        `update auth_session set revoked_at = now(), revoke_reason = 'refresh_token_reused'
          where id = ? and revoked_at is null returning id`,
        [sessionId],
      );
      if (revoked) {
        await this.core.audit(
          tem,
          {
            actorUserId: userId,
            entityType: 'session',
            entityId: sessionId,
            action: 'refresh_token_reused',
            summary: 'A rotated refresh token was presented again; the session was revoked',
          },
          info,
        );
      }
      return {
        error: new ApiError('REFRESH_TOKEN_REUSED', AUTH_MESSAGES.refreshTokenReused),
        outcome: 'reuse_detected' as const,
      };
    });
    // Counted once the transaction has committed: one that failed decided nothing.
    this.core.deps.metrics.refreshes.inc({ outcome: outcome.outcome });
    if ('error' in outcome) throw outcome.error;
    return outcome.pair;
  }

  /**
   * The live refresh token of a session, in plain text: the successor sealed onto the most recently spent token,
   * checked against the live row's hash. `unreadable` when the session has a live token but its successor does not
   * open (sealed in an older format, or with a key since replaced).
   */
  async #liveToken(em: EntityManager, sessionId: number): Promise<string | 'unreadable' | undefined> {
    const [row] = await query(
      em,
      `select spent.id as spent_id, spent.sealed_successor as sealed,
              (select token_hash from refresh_token where session_id = ? and spent_at is null) as live_hash
         from (select id, sealed_successor from refresh_token where session_id = ? and spent_at is not null
                order by spent_at desc, id desc limit 1) spent`,
      [sessionId, sessionId],
    );
    if (!row?.live_hash) return undefined;
    const sealed = row.sealed ? sealedFromText(String(row.sealed)) : undefined;
    if (!sealed) return 'unreadable';
    let token: string;
    try {
      token = this.core.deps.successors.open(sealed, successorContext(asInt(row.spent_id))).plaintext;
    } catch {
      return 'unreadable';
    }
    return sha256(token) === row.live_hash ? token : 'unreadable';
  }
}
