import type { Me, ProfileForm, RegisterInput, Role, Session, TokenPair } from '@cims/contracts';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { Orm } from '../../db/orm.js';
import { asDate, asInt, query } from '../../db/sql.js';
import { ApiError } from '../../errors.js';
import { type AuditEntry, type RequestInfo, writeAudit } from '../audit/audit.js';
import type { BlobSource, BlobStore } from '../files/blob-store.js';
import type { Mailer } from '../mail/mailer.js';
import type { AccessTokens } from './access-tokens.js';
import { codeHash, newCode, newRefreshToken, sameDigest, seal, sha256, unseal } from './crypto.js';
import type { Passwords } from './passwords.js';
import { DAY_SECONDS, type RateLimiter } from './rate-limit.js';
import { toUserBase, USER_BASE_COLUMNS } from './user-view.js';

export type { RequestInfo };

/** The caller of an authenticated request. */
export interface Caller {
  userId: number;
  sessionId: number;
  role: Role;
  email: string;
}

type CodePurpose = 'verify_email' | 'reset_password';

const CODE_TTL_MS = 30 * 60 * 1000;
const CODE_MAX_ATTEMPTS = 5;
/** Wrong codes an account may get in a day, whatever codes it asked for. */
const CODE_FAILURES_PER_DAY = 30;
/** The folder of profile pictures in the blob store, and the URL path they are served at. */
export const PROFILE_IMAGE_FOLDER = 'profile-images';
export const PROFILE_IMAGE_URL = '/media/profile-images';

/** The lowest role: what self-registration gives. */
const REGISTERED_ROLE: Role = 'Customer';

const INVALID_CREDENTIALS = () =>
  new ApiError('INVALID_CREDENTIALS', 'Incorrect e-mail or password', {
    headers: { 'WWW-Authenticate': 'Bearer' },
  });
const UNAUTHENTICATED = (detail = 'Not authenticated') =>
  new ApiError('UNAUTHENTICATED', detail, { headers: { 'WWW-Authenticate': 'Bearer' } });
const INVALID_REFRESH = () => new ApiError('REFRESH_TOKEN_INVALID', 'The refresh token is invalid or expired');
const INVALID_CODE = () => new ApiError('INVALID_CODE', 'The code is wrong, expired or already used');

export interface AuthServiceDeps {
  orm: Orm;
  config: Config;
  logger: Logger;
  mailer: Mailer;
  passwords: Passwords;
  accessTokens: AccessTokens;
  codeKey: Uint8Array;
  /** Seals the successor of a spent refresh token. */
  successorKey: Uint8Array;
  limiter: RateLimiter;
  blobs: BlobStore;
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
  /** Take over an unverified, self-registered account with this address (registration). */
  replaceUnverified?: boolean;
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
   * connection.
   */
  readonly #reads: EntityManager;

  constructor(readonly deps: AuthServiceDeps) {
    this.#reads = this.#em();
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
         ${
           input.replaceUnverified
             ? // Registering again replaces an account nobody has verified yet: otherwise whoever registers an
               // address first would keep their password on it after its owner verifies it.
               `on conflict (email) do update set password_hash = excluded.password_hash, name = excluded.name,
                  surname = excluded.surname, telegram_id = excluded.telegram_id, job_title = excluded.job_title,
                  updated_at = now()
                where app_user.email_verified_at is null and app_user.role = '${REGISTERED_ROLE}'`
             : 'on conflict (email) do nothing'
         }
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
      throw new ApiError('REGISTRATION_CLOSED', 'Registration is closed; ask an administrator for an account');
    }
    const em = this.#em();
    await this.#limitIp(em, 'register', info);
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
        replaceUnverified: true,
      },
      em,
    );
    if (id === undefined) throw new ApiError('EMAIL_TAKEN', 'An account with this e-mail address already exists');
    await this.#sendCode(em, id, input.email, 'verify_email');
    await this.#audit(em, { actorUserId: id, entityType: 'user', entityId: id, action: 'register' }, info);
  }

  async resendVerification(email: string, info: RequestInfo): Promise<void> {
    const em = this.#em();
    await this.#limitIp(em, 'resend', info);
    await this.deps.limiter.hit(em, `send:${email}`, this.deps.config.rateLimit.accountMax);
    const [user] = await query(em, 'select id, email_verified_at from app_user where email = ?', [email]);
    if (user && user.email_verified_at === null) await this.#sendCode(em, asInt(user.id), email, 'verify_email');
  }

  async verifyEmail(email: string, code: string, info: RequestInfo): Promise<TokenPair> {
    const em = this.#em();
    await this.#limitIp(em, 'verify', info);
    const [user] = await query(em, 'select id, is_active, email_verified_at from app_user where email = ?', [email]);
    if (!user || user.email_verified_at !== null) throw INVALID_CODE();
    const userId = asInt(user.id);
    const codeId = await this.#checkCode(em, userId, 'verify_email', code);
    if (user.is_active === false) throw new ApiError('ACCOUNT_INACTIVE', 'This account is deactivated');
    return em.transactional(async (tem) => {
      await this.#consumeCode(tem, codeId);
      await query(tem, 'update app_user set email_verified_at = now(), updated_at = now() where id = ?', [userId]);
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
    await this.deps.limiter.hit(em, `send:${email}`, this.deps.config.rateLimit.accountMax);
    const [user] = await query(em, 'select id from app_user where email = ?', [email]);
    if (user) await this.#sendCode(em, asInt(user.id), email, 'reset_password');
  }

  async resetPassword(email: string, code: string, newPassword: string, info: RequestInfo): Promise<void> {
    const em = this.#em();
    await this.#limitIp(em, 'reset', info);
    const [user] = await query(em, 'select id from app_user where email = ?', [email]);
    if (!user) throw INVALID_CODE();
    const userId = asInt(user.id);
    const codeId = await this.#checkCode(em, userId, 'reset_password', code);
    const hash = await this.deps.passwords.hash(newPassword);
    await em.transactional(async (tem) => {
      await this.#consumeCode(tem, codeId);
      await query(tem, 'update app_user set password_hash = ?, updated_at = now() where id = ?', [hash, userId]);
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
    const { accountMax } = this.deps.config.rateLimit;
    await this.#limitIp(em, 'login', info);
    // A failure slot is taken before the password is checked and given back only on success, so parallel guesses
    // cannot overtake the counter.
    const giveBack = await this.deps.limiter.reserve(em, `login-failed:${email}`, accountMax);
    const [user] = await query(
      em,
      'select id, password_hash, is_active, email_verified_at from app_user where email = ?',
      [email],
    );
    const ok = user
      ? await this.deps.passwords.verify(password, String(user.password_hash))
      : await this.deps.passwords.verifyNothing(password);
    if (!user || !ok) throw INVALID_CREDENTIALS();
    await giveBack();
    const userId = asInt(user.id);
    if (user.is_active === false) throw new ApiError('ACCOUNT_INACTIVE', 'This account is deactivated');
    if (user.email_verified_at === null) {
      throw new ApiError('EMAIL_NOT_VERIFIED', 'Verify your e-mail address first; we sent you a code');
    }
    return em.transactional(async (tem) => {
      await this.#audit(tem, { actorUserId: userId, entityType: 'user', entityId: userId, action: 'login' }, info);
      return this.#startSession(tem, userId, info);
    });
  }

  /**
   * Rotation. The presented token is spent by one conditional UPDATE; the winner gets a new pair in the same session,
   * and the new refresh token is sealed onto the spent one. The same token presented again within the grace window
   * (two tabs refreshing at once, a lost response) gets a fresh access token and that same successor — a session
   * never has two live refresh tokens. After the window it is reuse: the session is revoked.
   */
  async refresh(token: string, info: RequestInfo): Promise<TokenPair> {
    const em = this.#em();
    await this.#limitIp(em, 'refresh', info);
    const hash = sha256(token);
    const outcome = await em.transactional(async (tem) => {
      const [spent] = await query(
        tem,
        `update refresh_token rt set spent_at = now()
           from auth_session s join app_user u on u.id = s.user_id
          where rt.token_hash = ? and rt.spent_at is null and s.id = rt.session_id
            and s.revoked_at is null and s.expires_at > now() and u.is_active
          returning rt.id, rt.session_id, s.user_id`,
        [hash],
      );
      if (spent) {
        const sessionId = asInt(spent.session_id);
        const userId = asInt(spent.user_id);
        const pair = await this.#issue(tem, sessionId, userId);
        await query(tem, 'update refresh_token set sealed_successor = ? where id = ?', [
          seal(this.deps.successorKey, pair.refresh_token),
          spent.id,
        ]);
        await query(tem, 'update auth_session set last_used_at = now() where id = ?', [sessionId]);
        return { pair };
      }
      const [known] = await query(
        tem,
        `select rt.spent_at, rt.session_id, s.user_id, u.is_active,
                (s.revoked_at is null and s.expires_at > now()) as live,
                (rt.spent_at > now() - make_interval(secs => ?)) as in_grace
           from refresh_token rt join auth_session s on s.id = rt.session_id join app_user u on u.id = s.user_id
          where rt.token_hash = ?`,
        [this.deps.config.refreshReuseGraceSeconds, hash],
      );
      // Unknown, an ended session, a deactivated user, or an unspent token whose session just expired: not theft.
      if (known?.live !== true || known.is_active === false || known.spent_at === null) {
        return { error: INVALID_REFRESH() };
      }
      const sessionId = asInt(known.session_id);
      const userId = asInt(known.user_id);
      if (known.in_grace === true) {
        const live = await this.#liveToken(tem, sessionId);
        if (live) {
          await query(tem, 'update auth_session set last_used_at = now() where id = ?', [sessionId]);
          return { pair: await this.#pair(sessionId, userId, live) };
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
        error: new ApiError('REFRESH_TOKEN_REUSED', 'This refresh token was already used; the session was ended'),
      };
    });
    if ('error' in outcome) throw outcome.error;
    return outcome.pair;
  }

  /**
   * The live refresh token of a session, in plain text: the successor sealed onto the most recently spent token,
   * checked against the live row's hash.
   */
  async #liveToken(em: EntityManager, sessionId: number): Promise<string | undefined> {
    const [row] = await query(
      em,
      `select (select sealed_successor from refresh_token where session_id = ? and spent_at is not null
                order by spent_at desc, id desc limit 1) as sealed,
              (select token_hash from refresh_token where session_id = ? and spent_at is null) as live_hash`,
      [sessionId, sessionId],
    );
    if (!row?.sealed || !row.live_hash) return undefined;
    const token = unseal(this.deps.successorKey, String(row.sealed));
    return token && sha256(token) === row.live_hash ? token : undefined;
  }

  /** Resolves `Authorization: Bearer …` to the caller; any problem is 401 with `WWW-Authenticate: Bearer`. */
  async authenticate(header: string | undefined): Promise<Caller> {
    const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
    if (!match?.[1]) throw UNAUTHENTICATED();
    const claims = await this.deps.accessTokens.verify(match[1]);
    if (!claims) throw UNAUTHENTICATED('The access token is invalid or expired');
    const [row] = await query(
      this.#reads,
      `select u.role, u.email from auth_session s join app_user u on u.id = s.user_id
        where s.id = ? and s.user_id = ? and s.revoked_at is null and s.expires_at > now() and u.is_active`,
      [claims.sessionId, claims.userId],
    );
    if (!row) throw UNAUTHENTICATED('The session has ended');
    return { userId: claims.userId, sessionId: claims.sessionId, role: row.role as Role, email: String(row.email) };
  }

  /** Whether the caller holds one of `pages` (a route's `pages` rule; roles are checked by the caller). */
  async holdsPage(caller: Caller, pages: readonly string[]): Promise<boolean> {
    const rows = await query(
      this.#reads,
      `select 1 from user_page_permission
        where user_id = ? and page_name in (select jsonb_array_elements_text(cast(? as jsonb))) limit 1`,
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
    if (!user) throw UNAUTHENTICATED('The session has ended');
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
      throw new ApiError('NOTHING_TO_UPDATE', 'Nothing to update');
    }
    const em = this.#em();
    const [user] = await query(em, 'select name, surname, password_hash, profile_image from app_user where id = ?', [
      caller.userId,
    ]);
    if (!user) throw UNAUTHENTICATED('The session has ended');
    let newHash: string | undefined;
    if (changesPassword) {
      // Guessing the current password with a stolen access token counts against the same limit as logins.
      const giveBack = await this.deps.limiter.reserve(
        em,
        `login-failed:${caller.email}`,
        this.deps.config.rateLimit.accountMax,
      );
      const ok = await this.deps.passwords.verify(input.current_password ?? '', String(user.password_hash));
      if (!ok) throw new ApiError('WRONG_CURRENT_PASSWORD', 'The current password is not correct');
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
      if (!row) throw new ApiError('NOT_FOUND', 'No such active session');
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
    if (!page) throw new ApiError('NO_PAGE_ACCESS', 'You have no page access; ask an administrator');
    return String(page.route_path);
  }

  /** Deletes what can never be used again: sessions ended a day ago, spent codes, old rate-limit windows. */
  async purgeExpired(): Promise<void> {
    const em = this.#em();
    await query(
      em,
      `delete from auth_session where expires_at < now() - interval '1 day'
          or revoked_at < now() - interval '1 day'`,
    );
    await query(em, `delete from verification_code where expires_at < now() or consumed_at is not null`);
    await this.deps.limiter.purge(em);
  }

  // ---------------------------------------------------------------------------------------------- internals

  async #startSession(em: EntityManager, userId: number, info: RequestInfo): Promise<TokenPair> {
    const [session] = await query(
      em,
      `insert into auth_session (user_id, user_agent, ip_address, created_at, last_used_at, expires_at)
       values (?, ?, ?, now(), now(), now() + make_interval(days => ?)) returning id`,
      [userId, info.userAgent?.slice(0, 500) ?? null, info.ip, this.deps.config.refreshTokenDays],
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

  /** Issues a fresh code (replacing any earlier one of the same purpose) and mails it. */
  async #sendCode(em: EntityManager, userId: number, email: string, purpose: CodePurpose): Promise<void> {
    const code = newCode();
    await query(
      em,
      `insert into verification_code (user_id, purpose, code_hash, attempts, expires_at, consumed_at, created_at)
       values (?, ?, ?, 0, ?, null, now())
       on conflict (user_id, purpose) do update set code_hash = excluded.code_hash, attempts = 0,
         expires_at = excluded.expires_at, consumed_at = null, created_at = now()`,
      [userId, purpose, codeHash(this.deps.codeKey, userId, purpose, code), new Date(Date.now() + CODE_TTL_MS)],
    );
    const subject = purpose === 'verify_email' ? 'Your CIMS verification code' : 'Your CIMS password reset code';
    const text =
      `Your code is ${code}\n\nIt is valid for 30 minutes and can be used once.\n` +
      'If you did not ask for it, ignore this message.';
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
  async #checkCode(em: EntityManager, userId: number, purpose: CodePurpose, code: string): Promise<number> {
    // Besides the 5 attempts of one code, wrong codes are limited per account per window and per day, so asking for
    // new codes again and again does not buy unlimited guesses.
    const { accountMax } = this.deps.config.rateLimit;
    const giveBackWindow = await this.deps.limiter.reserve(em, `code-failed:${userId}`, accountMax);
    const giveBackDay = await this.deps.limiter
      .reserve(em, `code-failed-day:${userId}`, CODE_FAILURES_PER_DAY, { windowSeconds: DAY_SECONDS })
      .catch(async (error: unknown) => {
        await giveBackWindow();
        throw error;
      });
    const [row] = await query(
      em,
      `update verification_code set attempts = attempts + 1
        where user_id = ? and purpose = ? and consumed_at is null and expires_at > now() and attempts < ?
        returning id, code_hash`,
      [userId, purpose, CODE_MAX_ATTEMPTS],
    );
    if (!row || !sameDigest(String(row.code_hash), codeHash(this.deps.codeKey, userId, purpose, code))) {
      throw INVALID_CODE();
    }
    await giveBackWindow();
    await giveBackDay();
    return asInt(row.id);
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
    await this.deps.limiter.hit(em, `ip:${action}:${info.ip ?? 'unknown'}`, this.deps.config.rateLimit.ipMax);
  }

  #audit(em: EntityManager, entry: AuditEntry, info: RequestInfo): Promise<void> {
    return writeAudit(em, 'auth', entry, info);
  }
}
