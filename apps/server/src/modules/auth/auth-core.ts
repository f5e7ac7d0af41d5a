import { SESSION_DAY_MS, type TokenPair } from '@cims/contracts';
import { AUTH_MESSAGES, COMMON_MESSAGES } from '@cims/contracts/rules';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { TokenCipher } from '../../crypto/token-cipher.js';
import type { Orm } from '../../db/orm.js';
import { asInt, authReads, query } from '../../db/sql.js';
import { ApiError } from '../../errors.js';
import type { Metrics } from '../../metrics.js';
import { type AuditEntry, type RequestInfo, writeAudit } from '../audit/audit.js';
import type { BlobStore } from '../files/blob-store.js';
import type { Mailer } from '../mail/mailer.js';
import type { AccessTokens } from './access-tokens.js';
import { logBackgroundFailure } from './background.js';
import { newRefreshToken, sha256 } from './crypto.js';
import type { Passwords } from './passwords.js';
import { clientKey, type RateLimiter } from './rate-limit.js';

export const UNAUTHENTICATED = (detail: string = COMMON_MESSAGES.notAuthenticated) =>
  new ApiError('UNAUTHENTICATED', detail, { headers: { 'WWW-Authenticate': 'Bearer' } });
export const INVALID_CODE = () => new ApiError('INVALID_CODE', AUTH_MESSAGES.invalidCode);

/** What the auth services need, built once per app by `createAuthServices`. */
export interface AuthServiceDeps {
  orm: Orm;
  config: Config;
  logger: Logger;
  mailer: Mailer;
  passwords: Passwords;
  accessTokens: AccessTokens;
  codeKey: Uint8Array;
  /** Seals the successor of a spent refresh token (bound to the spent token's row). */
  successors: TokenCipher;
  limiter: RateLimiter;
  blobs: BlobStore;
  /** Counts refresh outcomes and failed sign-ins. */
  metrics: Pick<Metrics, 'refreshes' | 'loginFailures'>;
}

/** What ends sessions: whose, why, and which one stays (the caller's own, when a password changes). */
export interface SessionRevocation {
  userId: number;
  reason: string;
  keep?: number;
}

/**
 * The steps the auth services share: the database handles, the work queued after an answer, rate limits, sessions and
 * their tokens, and the audit. Every multi-step write of the services runs in one transaction, and every step that
 * could race (a refresh token spent twice, a code tried twice, two registrations of one address) is a single
 * conditional SQL statement, so the database decides the winner.
 */
export class AuthCore {
  /**
   * For the single statements of the hot paths (`authenticate`, `holdsPage`, `me`), which run outside any
   * transaction: one fork for the services' life instead of one per call. Only raw SQL goes through it, so nothing
   * ever enters its identity map, and it never starts a transaction, so `query` runs each statement on its own pooled
   * connection — of the authentication pool on PostgreSQL, so that every request can be authenticated while other
   * requests hold the read pool (db/sql.ts `authReads`).
   */
  readonly reads: EntityManager;
  /** Work that runs after the answer (storing and mailing a code); see {@link idle}. */
  readonly #background = new Set<Promise<void>>();

  constructor(readonly deps: AuthServiceDeps) {
    this.reads = authReads(deps.orm);
  }

  /** Resolves once the work queued after earlier answers (codes stored, mails handed to the mailer) is done. */
  async idle(): Promise<void> {
    while (this.#background.size > 0) await Promise.allSettled([...this.#background]);
  }

  /**
   * Runs `task` after the current answer has gone out: what only a known address costs (writing its code, building
   * its mail) then cannot make the answer slower than for an unknown one.
   */
  afterAnswer(task: () => Promise<void>): void {
    const run: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(task)
      .catch((error: unknown) => logBackgroundFailure(this.deps.logger, error, 'Could not issue a code'))
      .finally(() => this.#background.delete(run));
    this.#background.add(run);
  }

  /** A fresh entity manager for one call. */
  em(): EntityManager {
    return this.deps.orm.em.fork() as EntityManager;
  }

  // ---------------------------------------------------------------------------------------------- sessions

  /**
   * The session lifetimes in seconds: SQL adds them with `make_interval(secs => …)`, so a day is always 24 hours, as in
   * the mocks, whatever the database session's time zone does at a clock change.
   */
  sessionLifetime(): { idleSeconds: number; maxSeconds: number } {
    const day = SESSION_DAY_MS / 1000;
    return { idleSeconds: this.deps.config.refreshTokenDays * day, maxSeconds: this.deps.config.sessionMaxDays * day };
  }

  /** Starts a session for the user and issues its first token pair. */
  async startSession(em: EntityManager, userId: number, info: RequestInfo): Promise<TokenPair> {
    const { idleSeconds, maxSeconds } = this.sessionLifetime();
    // The rotation's rule (see refresh) with created_at = now: the configuration keeps the maximum ≥ the idle time.
    const [session] = await query(
      em,
      `insert into auth_session (user_id, user_agent, ip_address, created_at, last_used_at, expires_at)
       values (?, ?, ?, now(), now(), least(now() + make_interval(secs => ?), now() + make_interval(secs => ?)))
       returning id`,
      [userId, info.userAgent?.slice(0, 500) ?? null, info.ip, idleSeconds, maxSeconds],
    );
    return this.issue(em, asInt(session?.id), userId);
  }

  /** A new refresh token for the session (the only live one) and an access token. */
  async issue(em: EntityManager, sessionId: number, userId: number): Promise<TokenPair> {
    const refreshToken = newRefreshToken();
    await query(em, 'insert into refresh_token (session_id, token_hash, created_at) values (?, ?, now())', [
      sessionId,
      sha256(refreshToken),
    ]);
    return this.pair(sessionId, userId, refreshToken);
  }

  /** A fresh access token paired with `refreshToken`, a refresh token the session already has. */
  async pair(sessionId: number, userId: number, refreshToken: string): Promise<TokenPair> {
    return {
      access_token: await this.deps.accessTokens.sign({ userId, sessionId }),
      refresh_token: refreshToken,
      token_type: 'bearer',
      expires_in: this.deps.accessTokens.lifetimeSeconds,
    };
  }

  /** Ends the user's live sessions (but `keep`); returns how many. */
  async revokeSessions(em: EntityManager, { userId, reason, keep }: SessionRevocation): Promise<number> {
    const rows = await query(
      em,
      `update auth_session set revoked_at = now(), revoke_reason = ?
        where user_id = ? and revoked_at is null and expires_at > now() and id <> ? returning id`,
      [reason, userId, keep ?? 0],
    );
    return rows.length;
  }

  // ---------------------------------------------------------------------------------------------- limits

  /** Takes a slot of each limit, atomically each; if one is full, gives back those taken and throws its `429`. */
  async reserveAll(
    em: EntityManager,
    limits: readonly (readonly [key: string, max: number])[],
    windowSeconds?: number,
  ): Promise<() => Promise<void>> {
    const taken: (() => Promise<void>)[] = [];
    const giveBackAll = async () => {
      for (const giveBack of taken.splice(0)) await giveBack();
    };
    try {
      for (const [key, max] of limits) taken.push(await this.deps.limiter.reserve(em, { key, max, windowSeconds }));
    } catch (error) {
      await giveBackAll();
      throw error;
    }
    return giveBackAll;
  }

  /**
   * The codes mailed to one address per window, known or not (register, resend, forgot-password): per (address,
   * client address), and much higher per address across clients, so someone asking again and again from elsewhere
   * does not keep the owner from getting a code. The per-client count comes first: a request refused by it does not
   * use the address's budget.
   */
  async limitSends(em: EntityManager, email: string, info: RequestInfo): Promise<void> {
    const { accountMax, accountCeiling } = this.deps.config.rateLimit;
    await this.deps.limiter.hit(em, { key: `send:${email}:${clientKey(info.ip)}`, max: accountMax });
    await this.deps.limiter.hit(em, { key: `send:${email}`, max: accountCeiling });
  }

  /** Counts the request against the per-client-address limit of `action`. */
  async limitIp(em: EntityManager, action: string, info: RequestInfo): Promise<void> {
    await this.deps.limiter.hit(em, {
      key: `ip:${action}:${clientKey(info.ip)}`,
      max: this.deps.config.rateLimit.ipMax,
    });
  }

  /** Writes an auth audit entry in `em`'s transaction. */
  audit(em: EntityManager, entry: AuditEntry, info: RequestInfo): Promise<void> {
    return writeAudit(em, { module: 'auth', ...entry }, info);
  }
}
