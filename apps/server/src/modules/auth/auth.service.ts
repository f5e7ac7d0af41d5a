import {
  CODE_FAILURES_PER_DAY,
  CODE_FAILURES_PER_DAY_CEILING,
  CODE_MAX_ATTEMPTS,
  CODE_TTL_MINUTES,
  type CodeMailKind,
  codeMail,
  type Me,
  type ProfileForm,
  REGISTERED_ROLE,
  type RegisterInput,
  type Role,
  registrationOutcome,
  SESSION_DAY_MS,
  type Session,
  type TokenPair,
} from '@cims/contracts';
import { AUTH_MESSAGES, COMMON_MESSAGES } from '@cims/contracts/rules';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import { sealedFromText, sealedToText, type TokenCipher } from '../../crypto/token-cipher.js';
import type { Orm } from '../../db/orm.js';
import { asDate, asInt, authReads, query } from '../../db/sql.js';
import { ApiError } from '../../errors.js';
import type { Metrics } from '../../metrics.js';
import { type AuditEntry, type RequestInfo, writeAudit } from '../audit/audit.js';
import type { BlobSource, BlobStore } from '../files/blob-store.js';
import type { Mailer } from '../mail/mailer.js';
import type { AccessTokens } from './access-tokens.js';
import { logBackgroundFailure } from './background.js';
import type { Caller } from './caller.js';
import { codeHash, newCode, newRefreshToken, sameDigest, sha256 } from './crypto.js';
import { verifyIntakeKey } from './intake-key.js';
import type { Passwords } from './passwords.js';
import { clientKey, DAY_SECONDS, type RateLimiter } from './rate-limit.js';
import { toUserBase, USER_BASE_COLUMNS } from './user-view.js';

export type { RequestInfo };

/** What a refresh token's sealed successor is bound to: the spent token's row, so it opens nowhere else. */
function successorContext(spentId: number): string {
  return `refresh-successor:${spentId}`;
}

type CodePurpose = 'verify_email' | 'reset_password';

const CODE_TTL_MS = CODE_TTL_MINUTES * 60 * 1000;
/** The folder of profile pictures in the blob store, and the URL path they are served at. */
export const PROFILE_IMAGE_FOLDER = 'profile-images';
export const PROFILE_IMAGE_URL = '/media/profile-images';

const INVALID_CREDENTIALS = () =>
  new ApiError('INVALID_CREDENTIALS', AUTH_MESSAGES.invalidCredentials, {
    headers: { 'WWW-Authenticate': 'Bearer' },
  });
const UNAUTHENTICATED = (detail: string = COMMON_MESSAGES.notAuthenticated) =>
  new ApiError('UNAUTHENTICATED', detail, { headers: { 'WWW-Authenticate': 'Bearer' } });
const INVALID_REFRESH = () => new ApiError('REFRESH_TOKEN_INVALID', AUTH_MESSAGES.refreshTokenInvalid);
const INVALID_CODE = () => new ApiError('INVALID_CODE', AUTH_MESSAGES.invalidCode);

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

/** New account fields for {@link AuthService.createUser}. */
export interface NewUser {
  email: string;
  password: string;
  name: string;
  surname: string;
  role: Role;
  companyCode?: string;
  telegramId?: string | null;
  jobTitle?: string | null;
  pages?: string[];
  verified: boolean;
}

/**
 * Accounts, sessions and tokens. Every multi-step write runs in one transaction, and every step that could race (a
 * refresh token spent twice, a code tried twice, two registrations of one address) is a single conditional SQL
 * statement, so the database decides the winner.
 */
export class AuthService {
  /**
   * For the single statements of the hot paths (`authenticate`, `holdsPage`, `me`), which run outside any
   * transaction: one fork for the service's life instead of one per call. Only raw SQL goes through it, so nothing
   * ever enters its identity map, and it never starts a transaction, so `query` runs each statement on its own pooled
   * connection — of the authentication pool on PostgreSQL, so that every request can be authenticated while other
   * requests hold the read pool (db/sql.ts `authReads`).
   */
  readonly #reads: EntityManager;
  /** Work that runs after the answer (storing and mailing a code); see {@link idle}. */
  readonly #background = new Set<Promise<void>>();

  constructor(readonly deps: AuthServiceDeps) {
    this.#reads = authReads(deps.orm);
  }

  /** Resolves once the work queued after earlier answers (codes stored, mails handed to the mailer) is done. */
  async idle(): Promise<void> {
    while (this.#background.size > 0) await Promise.allSettled([...this.#background]);
  }

  /**
   * Runs `task` after the current answer has gone out: what only a known address costs (writing its code, building
   * its mail) then cannot make the answer slower than for an unknown one.
   */
  #afterAnswer(task: () => Promise<void>): void {
    const run: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(task)
      .catch((error: unknown) => logBackgroundFailure(this.deps.logger, error, 'Could not issue a code'))
      .finally(() => this.#background.delete(run));
    this.#background.add(run);
  }

  #em(): EntityManager {
    return this.deps.orm.em.fork() as EntityManager;
  }

  // ---------------------------------------------------------------------------------------------- accounts

  /** Creates a user (CLI, bootstrap, demo data, administration). Returns the id, or undefined when the e-mail is taken. */
  async createUser(input: NewUser, em = this.#em()): Promise<number | undefined> {
    const hash = await this.deps.passwords.hash(input.password);
    return em.transactional(async (tem) => {
      const [row] = await query(
        tem,
        `insert into app_user (email, password_hash, name, surname, role, company_code, telegram_id, job_title,
           is_active, email_verified_at, created_at, updated_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, true, ?, now(), now())
         on conflict (email) do nothing
         returning id`,
        [
          input.email.trim().toLowerCase(),
          hash,
          input.name,
          input.surname,
          input.role,
          input.companyCode ?? 'oddiy',
          input.telegramId ?? null,
          input.jobTitle ?? null,
          input.verified ? new Date() : null,
        ],
      );
      if (!row) return undefined;
      const id = asInt(row.id);
      for (const page of input.pages ?? []) {
        await query(
          tem,
          'insert into user_page_permission (user_id, page_name, created_at) values (?, ?, now()) on conflict do nothing',
          [id, page],
        );
      }
      return id;
    });
  }

  async register(input: RegisterInput, info: RequestInfo): Promise<void> {
    if (!this.deps.config.registrationOpen) {
      throw new ApiError('REGISTRATION_CLOSED', AUTH_MESSAGES.registrationClosed);
    }
    const em = this.#em();
    await this.#limitIp(em, 'register', info);
    // Every registration may mail the address, so it shares the address's send limit with forgot-password.
    await this.#limitSends(em, input.email, info);
    const id = await this.createUser(
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
      await this.#sendCode(em, id, input.email, 'verify_email');
      await this.#audit(em, { actorUserId: id, entityType: 'user', entityId: id, action: 'register' }, info);
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
    await em.transactional(async (tem) => {
      await query(
        tem,
        `update app_user set registration_contested_at = coalesce(registration_contested_at, now())
          where id = ? and email_verified_at is null`,
        [userId],
      );
      await query(tem, `delete from verification_code where user_id = ? and purpose = 'verify_email'`, [userId]);
    });
    await this.#sendCode(em, userId, input.email, 'reset_password', 'pending-registration');
    await this.#audit(
      em,
      { actorUserId: null, entityType: 'user', entityId: userId, action: 'register_pending_again' },
      info,
    );
  }

  async resendVerification(email: string, info: RequestInfo): Promise<void> {
    const em = this.#em();
    await this.#limitIp(em, 'resend', info);
    await this.#limitSends(em, email, info);
    const [user] = await query(
      em,
      'select id, registration_contested_at from app_user where email = ? and email_verified_at is null',
      [email],
    );
    // A contested sign-up (registered again by someone) can only be finished with a password chosen through a reset
    // code: a verification code would verify it with the first registrant's password.
    const contested = user !== undefined && user.registration_contested_at !== null;
    this.#afterAnswer(() =>
      contested
        ? this.#sendCode(em, asInt(user.id), email, 'reset_password', 'pending-registration')
        : this.#sendCode(em, user ? asInt(user.id) : undefined, email, 'verify_email'),
    );
  }

  async verifyEmail(email: string, code: string, info: RequestInfo): Promise<TokenPair> {
    const em = this.#em();
    await this.#limitIp(em, 'verify', info);
    const [user] = await query(
      em,
      'select id, is_active, email_verified_at, registration_contested_at from app_user where email = ?',
      [email],
    );
    // A contested sign-up is finished only through reset-password (see register).
    if (!user || user.email_verified_at !== null || user.registration_contested_at !== null) throw INVALID_CODE();
    const userId = asInt(user.id);
    const codeId = await this.#checkCode(em, userId, 'verify_email', code, info);
    if (user.is_active === false) throw new ApiError('ACCOUNT_INACTIVE', AUTH_MESSAGES.accountInactive);
    return em.transactional(async (tem) => {
      await this.#consumeCode(tem, codeId);
      // Conditional, so a second registration arriving meanwhile still wins: the code is then not consumed either.
      const [verified] = await query(
        tem,
        `update app_user set email_verified_at = now(), updated_at = now()
          where id = ? and email_verified_at is null and registration_contested_at is null returning id`,
        [userId],
      );
      if (!verified) throw INVALID_CODE();
      await this.#audit(
        tem,
        { actorUserId: userId, entityType: 'user', entityId: userId, action: 'verify_email' },
        info,
      );
      return this.#startSession(tem, userId, info);
    });
  }

  async forgotPassword(email: string, info: RequestInfo): Promise<void> {
    const em = this.#em();
    await this.#limitIp(em, 'forgot', info);
    await this.#limitSends(em, email, info);
    const [user] = await query(em, 'select id from app_user where email = ?', [email]);
    // The same statements for a known and an unknown address (an unknown one stores no row), after the answer, so
    // the answer takes as long either way and does not tell who has an account.
    this.#afterAnswer(() => this.#sendCode(em, user ? asInt(user.id) : undefined, email, 'reset_password'));
  }

  async resetPassword(email: string, code: string, newPassword: string, info: RequestInfo): Promise<void> {
    const em = this.#em();
    await this.#limitIp(em, 'reset', info);
    const [user] = await query(em, 'select id from app_user where email = ?', [email]);
    if (!user) throw INVALID_CODE();
    const userId = asInt(user.id);
    const codeId = await this.#checkCode(em, userId, 'reset_password', code, info);
    const hash = await this.deps.passwords.hash(newPassword);
    await em.transactional(async (tem) => {
      await this.#consumeCode(tem, codeId);
      // A code from the mailbox proves the address: an account still waiting for verification is verified now,
      // with the password its owner just chose (how the owner reclaims an address someone else registered).
      await query(
        tem,
        `update app_user set password_hash = ?, email_verified_at = coalesce(email_verified_at, now()),
           registration_contested_at = null, updated_at = now() where id = ?`,
        [hash, userId],
      );
      const revoked = await this.#revokeSessions(tem, userId, 'password_reset');
      await this.#audit(
        tem,
        { actorUserId: userId, entityType: 'user', entityId: userId, action: 'password_reset', data: { revoked } },
        info,
      );
    });
  }

  // ---------------------------------------------------------------------------------------------- sign-in

  async login(email: string, password: string, info: RequestInfo): Promise<TokenPair> {
    const em = this.#em();
    const { accountMax, accountCeiling } = this.deps.config.rateLimit;
    await this.#limitIp(em, 'login', info);
    // Failures count per (account, client address), so guesses from elsewhere do not lock the owner out, and per
    // account across addresses up to a much higher ceiling. Slots are taken before the password is checked and given
    // back only on success, so parallel guesses cannot overtake the counters.
    const giveBack = await this.#reserveAll(em, [
      [`login-failed:${email}:${clientKey(info.ip)}`, accountMax],
      [`login-failed:${email}`, accountCeiling],
    ]);
    const [user] = await query(
      em,
      'select id, password_hash, is_active, email_verified_at from app_user where email = ?',
      [email],
    );
    const ok = user
      ? await this.deps.passwords.verify(password, String(user.password_hash))
      : await this.deps.passwords.verifyNothing(password);
    if (!user || !ok) {
      this.deps.metrics.loginFailures.inc();
      throw INVALID_CREDENTIALS();
    }
    await giveBack();
    const userId = asInt(user.id);
    if (user.is_active === false) throw new ApiError('ACCOUNT_INACTIVE', AUTH_MESSAGES.accountInactive);
    if (user.email_verified_at === null) {
      throw new ApiError('EMAIL_NOT_VERIFIED', AUTH_MESSAGES.emailNotVerified);
    }
    return em.transactional(async (tem) => {
      await this.#audit(tem, { actorUserId: userId, entityType: 'user', entityId: userId, action: 'login' }, info);
      return this.#startSession(tem, userId, info);
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
  async refresh(token: string, info: RequestInfo): Promise<TokenPair> {
    const em = this.#em();
    await this.#limitIp(em, 'refresh', info);
    const hash = sha256(token);
    const lifetime = this.#sessionLifetime();
    const outcome = await em.transactional(async (tem) => {
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
        const pair = await this.#issue(tem, sessionId, userId);
        const spentId = asInt(spent.id);
        await query(tem, 'update refresh_token set sealed_successor = ? where id = ?', [
          sealedToText(this.deps.successors.seal(pair.refresh_token, successorContext(spentId))),
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
        [lifetime.maxSeconds, this.deps.config.refreshReuseGraceSeconds, hash],
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
          return { pair: await this.#pair(sessionId, userId, live), outcome: 'grace' as const };
        }
      }
      const [revoked] = await query(
        tem,
        `update auth_session set revoked_at = now(), revoke_reason = 'refresh_token_reused'
          where id = ? and revoked_at is null returning id`,
        [sessionId],
      );
      if (revoked) {
        await this.#audit(
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
    this.deps.metrics.refreshes.inc({ outcome: outcome.outcome });
    if ('error' in outcome) throw outcome.error;
    return outcome.pair;
  }

  /** The intake API's key (`X-Key`, an `apiKey` route): 503 when none is configured, 401 when it is missing or wrong. */
  verifyIntakeKey(key: string | undefined): void {
    verifyIntakeKey(this.deps.config.crm.intakeApiKey, key);
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
      token = this.deps.successors.open(sealed, successorContext(asInt(row.spent_id))).plaintext;
    } catch {
      return 'unreadable';
    }
    return sha256(token) === row.live_hash ? token : 'unreadable';
  }

  /** Resolves `Authorization: Bearer …` to the caller; any problem is 401 with `WWW-Authenticate: Bearer`. */
  async authenticate(header: string | undefined): Promise<Caller> {
    const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
    if (!match?.[1]) throw UNAUTHENTICATED();
    const claims = await this.deps.accessTokens.verify(match[1]);
    if (!claims) throw UNAUTHENTICATED(AUTH_MESSAGES.accessTokenInvalid);
    const [row] = await query(
      this.#reads,
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
      this.#reads,
      `select 1 from user_page_permission pp join app_page p on p.name = pp.page_name
        where pp.user_id = ? and p.is_active
          and pp.page_name in (select jsonb_array_elements_text(cast(? as jsonb))) limit 1`,
      [caller.userId, JSON.stringify(pages)],
    );
    return rows.length > 0;
  }

  // ---------------------------------------------------------------------------------------------- the caller

  async me(caller: Caller): Promise<Me> {
    // One round trip: the user row, and the active pages in menu order as a JSON list of [name, granted].
    const [user] = await query(
      this.#reads,
      `select ${USER_BASE_COLUMNS},
              (select coalesce(json_agg(json_build_array(p.name, pp.id is not null) order by p.sort_order, p.name),
                               '[]')
                 from app_page p left join user_page_permission pp on pp.page_name = p.name and pp.user_id = u.id
                where p.is_active) as pages
         from app_user u where u.id = ?`,
      [caller.userId],
    );
    if (!user) throw UNAUTHENTICATED(AUTH_MESSAGES.sessionEnded);
    const pages = (typeof user.pages === 'string' ? JSON.parse(user.pages) : user.pages) as [unknown, unknown][];
    const isCeo = user.role === 'CEO';
    return {
      ...toUserBase(user),
      permissions: Object.fromEntries(pages.map(([name, granted]) => [String(name), isCeo || granted === true])),
    };
  }

  async updateProfileInfo(
    caller: Caller,
    input: { name?: string; surname?: string },
    info: RequestInfo,
  ): Promise<void> {
    await this.updateProfile(caller, input, undefined, info);
  }

  async changePassword(caller: Caller, current: string, next: string, info: RequestInfo): Promise<void> {
    await this.updateProfile(caller, { current_password: current, new_password: next }, undefined, info);
  }

  /**
   * Name, surname, password and picture in one transaction. A new password ends every other session of the user;
   * the current one stays.
   */
  async updateProfile(
    caller: Caller,
    input: ProfileForm,
    image: { source: BlobSource; extension: string } | undefined,
    info: RequestInfo,
  ): Promise<void> {
    const changesPassword = input.new_password !== undefined;
    if (input.name === undefined && input.surname === undefined && !changesPassword && !image) {
      throw new ApiError('NOTHING_TO_UPDATE', COMMON_MESSAGES.nothingToUpdate);
    }
    const em = this.#em();
    const [user] = await query(em, 'select name, surname, password_hash, profile_image from app_user where id = ?', [
      caller.userId,
    ]);
    if (!user) throw UNAUTHENTICATED(AUTH_MESSAGES.sessionEnded);
    let newHash: string | undefined;
    if (changesPassword) {
      // Guessing the current password with a stolen access token is limited per session. It does not count against
      // the sign-in limits: otherwise failed sign-ins by anyone would keep the owner from changing the password.
      const giveBack = await this.deps.limiter.reserve(
        em,
        `password-change-failed:${caller.sessionId}`,
        this.deps.config.rateLimit.accountMax,
      );
      const ok = await this.deps.passwords.verify(input.current_password ?? '', String(user.password_hash));
      if (!ok) throw new ApiError('WRONG_CURRENT_PASSWORD', AUTH_MESSAGES.wrongCurrentPassword);
      await giveBack();
      newHash = await this.deps.passwords.hash(input.new_password as string);
    }
    const stored = image ? await this.deps.blobs.put(PROFILE_IMAGE_FOLDER, image.source, image.extension) : undefined;
    const profileImage = stored ? `${PROFILE_IMAGE_URL}/${stored}` : undefined;
    try {
      await em.transactional(async (tem) => {
        await query(
          tem,
          `update app_user set name = coalesce(?, name), surname = coalesce(?, surname),
             password_hash = coalesce(?, password_hash), profile_image = coalesce(?, profile_image), updated_at = now()
           where id = ?`,
          [input.name ?? null, input.surname ?? null, newHash ?? null, profileImage ?? null, caller.userId],
        );
        const revoked = newHash
          ? await this.#revokeSessions(tem, caller.userId, 'password_changed', caller.sessionId)
          : 0;
        await this.#audit(
          tem,
          {
            actorUserId: caller.userId,
            entityType: 'user',
            entityId: caller.userId,
            action: 'profile_update',
            data: {
              before: { name: user.name, surname: user.surname, profile_image: user.profile_image },
              after: {
                name: input.name ?? user.name,
                surname: input.surname ?? user.surname,
                profile_image: profileImage ?? user.profile_image,
              },
              password_changed: Boolean(newHash),
              revoked_sessions: revoked,
            },
          },
          info,
        );
      });
    } catch (error) {
      if (stored) await this.deps.blobs.delete(PROFILE_IMAGE_FOLDER, stored);
      throw error;
    }
    const previous = user.profile_image as string | null;
    if (stored && previous?.startsWith(`${PROFILE_IMAGE_URL}/`)) {
      await this.deps.blobs.delete(PROFILE_IMAGE_FOLDER, previous.slice(PROFILE_IMAGE_URL.length + 1));
    }
  }

  // ---------------------------------------------------------------------------------------------- sessions

  /** Ends the session of `refreshToken` when it is the caller's (else ignores it), or the caller's own session. */
  async logout(caller: Caller, refreshToken: string | undefined, info: RequestInfo): Promise<void> {
    const em = this.#em();
    await em.transactional(async (tem) => {
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
      await this.#audit(
        tem,
        { actorUserId: caller.userId, entityType: 'session', entityId: sessionId, action: 'logout' },
        info,
      );
    });
  }

  async logoutAll(caller: Caller, info: RequestInfo): Promise<number> {
    return this.#em().transactional(async (tem) => {
      const revoked = await this.#revokeSessions(tem, caller.userId, 'logout_all');
      await this.#audit(
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
      this.#em(),
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

  async revokeSession(caller: Caller, sessionId: number, info: RequestInfo): Promise<void> {
    await this.#em().transactional(async (tem) => {
      const [row] = await query(
        tem,
        `update auth_session set revoked_at = now(), revoke_reason = 'revoked_by_user'
          where id = ? and user_id = ? and revoked_at is null and expires_at > now() returning id`,
        [sessionId, caller.userId],
      );
      if (!row) throw new ApiError('NOT_FOUND', AUTH_MESSAGES.sessionNotFound);
      await this.#audit(
        tem,
        { actorUserId: caller.userId, entityType: 'session', entityId: sessionId, action: 'session_revoke' },
        info,
      );
    });
  }

  /** Where the user lands: the legacy rules, with "first page" meaning the first in page order (legacy: arbitrary). */
  async dashboardRedirect(caller: Caller): Promise<string> {
    if (caller.role === 'CEO') return '/ceo';
    if (caller.role === 'Member') return '/member_dashboard';
    const [page] = await query(
      this.#em(),
      `select p.route_path from user_page_permission pp join app_page p on p.name = pp.page_name
        where pp.user_id = ? and p.is_active and p.route_path is not null order by p.sort_order, p.name limit 1`,
      [caller.userId],
    );
    if (!page) throw new ApiError('NO_PAGE_ACCESS', AUTH_MESSAGES.noPageAccess);
    return String(page.route_path);
  }

  /**
   * Deletes what can never be used again: sessions ended a day ago, spent codes, old rate-limit windows, and
   * self-registered accounts nobody verified within `unverifiedAccountDays` (their addresses become free again).
   */
  async purgeExpired(): Promise<void> {
    const em = this.#em();
    await query(
      em,
      `delete from app_user where email_verified_at is null and role = ?
          and created_at < now() - make_interval(days => ?)`,
      [REGISTERED_ROLE, this.deps.config.unverifiedAccountDays],
    );
    await query(
      em,
      `delete from auth_session where expires_at < now() - interval '1 day'
          or revoked_at < now() - interval '1 day'`,
    );
    await query(em, `delete from verification_code where expires_at < now() or consumed_at is not null`);
    await this.deps.limiter.purge(em);
  }

  // ---------------------------------------------------------------------------------------------- internals

  /**
   * The session lifetimes in seconds: SQL adds them with `make_interval(secs => …)`, so a day is always 24 hours, as in
   * the mocks, whatever the database session's time zone does at a clock change.
   */
  #sessionLifetime(): { idleSeconds: number; maxSeconds: number } {
    const day = SESSION_DAY_MS / 1000;
    return { idleSeconds: this.deps.config.refreshTokenDays * day, maxSeconds: this.deps.config.sessionMaxDays * day };
  }

  async #startSession(em: EntityManager, userId: number, info: RequestInfo): Promise<TokenPair> {
    const { idleSeconds, maxSeconds } = this.#sessionLifetime();
    // The rotation's rule (see refresh) with created_at = now: the configuration keeps the maximum ≥ the idle time.
    const [session] = await query(
      em,
      `insert into auth_session (user_id, user_agent, ip_address, created_at, last_used_at, expires_at)
       values (?, ?, ?, now(), now(), least(now() + make_interval(secs => ?), now() + make_interval(secs => ?)))
       returning id`,
      [userId, info.userAgent?.slice(0, 500) ?? null, info.ip, idleSeconds, maxSeconds],
    );
    return this.#issue(em, asInt(session?.id), userId);
  }

  /** A new refresh token for the session (the only live one) and an access token. */
  async #issue(em: EntityManager, sessionId: number, userId: number): Promise<TokenPair> {
    const refreshToken = newRefreshToken();
    await query(em, 'insert into refresh_token (session_id, token_hash, created_at) values (?, ?, now())', [
      sessionId,
      sha256(refreshToken),
    ]);
    return this.#pair(sessionId, userId, refreshToken);
  }

  async #pair(sessionId: number, userId: number, refreshToken: string): Promise<TokenPair> {
    return {
      access_token: await this.deps.accessTokens.sign({ userId, sessionId }),
      refresh_token: refreshToken,
      token_type: 'bearer',
      expires_in: this.deps.accessTokens.lifetimeSeconds,
    };
  }

  async #revokeSessions(em: EntityManager, userId: number, reason: string, keep?: number): Promise<number> {
    const rows = await query(
      em,
      `update auth_session set revoked_at = now(), revoke_reason = ?
        where user_id = ? and revoked_at is null and expires_at > now() and id <> ? returning id`,
      [reason, userId, keep ?? 0],
    );
    return rows.length;
  }

  /**
   * Issues a fresh code (replacing any earlier one of the same purpose) and mails it. With no user (an unknown
   * address) it runs the same statement, which then stores nothing, and mails nothing: known and unknown addresses
   * cost the same work.
   */
  async #sendCode(
    em: EntityManager,
    userId: number | undefined,
    email: string,
    purpose: CodePurpose,
    kind: CodeMailKind = purpose === 'verify_email' ? 'verify-email' : 'reset-password',
  ): Promise<void> {
    const code = newCode();
    const id = userId ?? 0;
    const stored = await query(
      em,
      `insert into verification_code (user_id, purpose, code_hash, attempts, expires_at, consumed_at, created_at)
       select u.id, ?, ?, 0, ?, null, now() from app_user u where u.id = ?
       on conflict (user_id, purpose) do update set code_hash = excluded.code_hash, attempts = 0,
         expires_at = excluded.expires_at, consumed_at = null, created_at = now()
       returning user_id`,
      [purpose, codeHash(this.deps.codeKey, id, purpose, code), new Date(Date.now() + CODE_TTL_MS), id],
    );
    if (userId === undefined || stored.length === 0) return;
    const { subject, text } = codeMail(kind, code);
    // Sent in the background: waiting for SMTP would make "known address" answers measurably slower than
    // unknown ones, which would reveal who has an account.
    this.deps.mailer.send({ to: email, subject, text }).catch((error: unknown) => {
      this.deps.logger.error({ err: error, purpose }, 'Could not send an e-mail');
    });
  }

  /**
   * Checks a code. The attempt is counted by one conditional UPDATE in its own statement (committed even when the
   * code is wrong, and parallel guesses cannot exceed the limit). Returns the code's id, to be consumed with
   * {@link #consumeCode} in the caller's transaction.
   */
  async #checkCode(
    em: EntityManager,
    userId: number,
    purpose: CodePurpose,
    code: string,
    info: RequestInfo,
  ): Promise<number> {
    // Besides the attempts of one code, wrong guesses are limited per day per (account, client address) and, much
    // higher, per account, so asking for new codes again and again does not buy unlimited guesses. Only guesses of a
    // live code count: with no code sent there is nothing to guess, and counting those would let anyone block the
    // genuine code. Slots are taken first (parallel guesses cannot overtake them) and given back unless the guess
    // was a wrong one of a live code.
    const giveBack = await this.#reserveAll(
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
    if (!sameDigest(String(row.code_hash), codeHash(this.deps.codeKey, userId, purpose, code))) throw INVALID_CODE();
    await giveBack();
    return asInt(row.id);
  }

  /** Takes a slot of each limit, atomically each; if one is full, gives back those taken and throws its `429`. */
  async #reserveAll(
    em: EntityManager,
    limits: readonly (readonly [key: string, max: number])[],
    windowSeconds?: number,
  ): Promise<() => Promise<void>> {
    const taken: (() => Promise<void>)[] = [];
    const giveBackAll = async () => {
      for (const giveBack of taken.splice(0)) await giveBack();
    };
    try {
      for (const [key, max] of limits) taken.push(await this.deps.limiter.reserve(em, key, max, { windowSeconds }));
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
  async #limitSends(em: EntityManager, email: string, info: RequestInfo): Promise<void> {
    const { accountMax, accountCeiling } = this.deps.config.rateLimit;
    await this.deps.limiter.hit(em, `send:${email}:${clientKey(info.ip)}`, accountMax);
    await this.deps.limiter.hit(em, `send:${email}`, accountCeiling);
  }

  /** Marks a checked code used; a code works once, even when two requests carry it at the same moment. */
  async #consumeCode(em: EntityManager, codeId: number): Promise<void> {
    const [consumed] = await query(
      em,
      'update verification_code set consumed_at = now() where id = ? and consumed_at is null returning id',
      [codeId],
    );
    if (!consumed) throw INVALID_CODE();
  }

  async #limitIp(em: EntityManager, action: string, info: RequestInfo): Promise<void> {
    await this.deps.limiter.hit(em, `ip:${action}:${clientKey(info.ip)}`, this.deps.config.rateLimit.ipMax);
  }

  #audit(em: EntityManager, entry: AuditEntry, info: RequestInfo): Promise<void> {
    return writeAudit(em, 'auth', entry, info);
  }
}
