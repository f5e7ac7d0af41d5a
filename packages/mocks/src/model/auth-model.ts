import {
  CODE_FAILURES_PER_DAY,
  CODE_FAILURES_PER_DAY_CEILING,
  type CodeMailKind,
  codeMail,
  type Me,
  REGISTERED_ROLE,
  type Role,
  registrationOutcome,
  type Session,
  sessionExpiry,
  type TokenPair,
} from '@cims/contracts';
import { MockApiError } from '../route-handler.js';
import type { CodePurpose, MockMail, MockSession, MockState, MockUser } from '../state.js';
import { activePages, pageNamed } from './pages.js';
import { createRateLimiter, DAY_SECONDS } from './rate-limit.js';
import { decodeAccessToken, encodeAccessToken, randomCode, randomId, randomToken } from './tokens.js';

/** Lifetimes and the clock of the auth model. Defaults are the reference server's. */
export interface AuthModelOptions {
  /** The current time in milliseconds since the epoch. */
  now: () => number;
  /** Lifetime of an access token (`expires_in`). */
  accessTokenTtlSeconds: number;
  /** Inactivity lifetime of a session: it ends this long after sign-in or its latest refresh-token rotation… */
  sessionTtlSeconds: number;
  /** …and at the latest this long after sign-in, however often it is refreshed (at least `sessionTtlSeconds`). */
  sessionMaxSeconds: number;
  /** How long a rotated refresh token may be presented again and still get a pair (two tabs refreshing at once). */
  refreshGraceSeconds: number;
  /** Lifetime of a verification or reset code. */
  codeTtlSeconds: number;
  /** Wrong guesses a code survives. */
  codeAttempts: number;
  /**
   * The budget of one rate-limit window (the server's `RATE_LIMIT_ACCOUNT_MAX`): failed sign-ins per (address, client),
   * wrong current passwords per session, codes mailed per address.
   */
  accountMaxFailures: number;
  /** Failed sign-ins per address per window from all clients together (the server's `RATE_LIMIT_ACCOUNT_CEILING`). */
  accountCeiling: number;
  /** The length of a rate-limit window (the server's `RATE_LIMIT_WINDOW_SECONDS`). */
  rateLimitWindowSeconds: number;
}

/**
 * The client address of every request: requests the mocks intercept carry none, so they all count as one client,
 * as the requests of one browser reach a server from one address.
 */
const CLIENT = 'mock-client';

/** Who is calling: the user and the session of the access token. */
export interface Principal {
  user: MockUser;
  session: MockSession;
}

/** What QA may set on a user they add or change. */
export interface MockUserInput {
  email: string;
  password: string;
  name?: string;
  surname?: string;
  /** @default 'Customer' */
  role?: Role;
  /** The key of a custom role from `/management/roles`, shown instead of `role` on the CEO's screens. @default null */
  role_name?: string | null;
  /** @default 'oddiy' */
  company_code?: string;
  /** Keys of existing pages (`crm`, `finance_list`, …). @default [] */
  pages?: readonly string[];
  telegram_id?: string | null;
  job_title?: string | null;
  /** @default true */
  is_active?: boolean;
  /** @default true */
  email_verified?: boolean;
}

/** A change to a user; `pages` replaces the granted pages. */
export type MockUserPatch = Partial<Omit<MockUserInput, 'email'>>;

/** Clock skew the server tolerates on `exp` (jose's `clockTolerance`). */
const CLOCK_TOLERANCE_SECONDS = 30;

const UNAUTHENTICATED_HEADERS = { 'WWW-Authenticate': 'Bearer' };

function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const REGISTERED = 'Account created: we sent a 6-digit code to your e-mail address to verify it';

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * The auth rules of the reference server over the mocks' in-memory state: accounts, one-time codes, sessions with
 * rotating refresh tokens, and the signed-in user's profile. Handlers stay thin: they parse (the contract did it),
 * call one of these, and map the result. Failures are thrown as {@link MockApiError}.
 */
export function createAuthModel(state: MockState, options: AuthModelOptions) {
  const { now } = options;
  /** The principal of each request that passed authentication, for the route implementation that follows. */
  const principals = new WeakMap<Request, Principal>();
  const limiter = createRateLimiter(state, now, options.rateLimitWindowSeconds);
  const accountMax = options.accountMaxFailures;

  /**
   * Code mails to one address per window, known or not: per (address, client) and, up to `accountCeiling`, per
   * address across clients, as the server counts them. The per-client count comes first.
   */
  function limitSends(email: string): void {
    const address = normalizeEmail(email);
    limiter.hit(`send:${address}:${CLIENT}`, accountMax);
    limiter.hit(`send:${address}`, options.accountCeiling);
  }

  function findUser(email: string): MockUser | undefined {
    const wanted = normalizeEmail(email);
    for (const user of state.users.values()) if (user.email === wanted) return user;
    return undefined;
  }

  function requireUser(email: string): MockUser {
    const user = findUser(email);
    if (!user) throw new Error(`The mocks have no user ${email}`);
    return user;
  }

  function isLive(session: MockSession | undefined, at = now()): session is MockSession {
    return session !== undefined && session.revokedAt === null && session.expiresAt > at;
  }

  /** When `session` ends if it is renewed at `at`: the rule of @cims/contracts, as the server applies it. */
  function renewedExpiry(session: Pick<MockSession, 'createdAt'>, at: number): number {
    return sessionExpiry({
      createdAt: session.createdAt,
      now: at,
      idleMs: options.sessionTtlSeconds * 1000,
      maxMs: options.sessionMaxSeconds * 1000,
    });
  }

  function revoke(session: MockSession, reason: string): boolean {
    if (!isLive(session)) return false;
    session.revokedAt = now();
    session.revokeReason = reason;
    return true;
  }

  function revokeAll(userId: number, reason: string, except?: number): number {
    let count = 0;
    for (const session of state.sessions.values()) {
      if (session.userId === userId && session.id !== except && revoke(session, reason)) count++;
    }
    return count;
  }

  /** A new refresh token for the session (its only live one) with an access token. */
  function issuePair(session: MockSession): TokenPair {
    const refresh = randomToken();
    state.refreshTokens.set(refresh, { sessionId: session.id, createdAt: now(), spentAt: null });
    return pairWith(session, refresh);
  }

  /** A fresh access token paired with `refresh`, a refresh token the session already has. */
  function pairWith(session: MockSession, refresh: string): TokenPair {
    const at = now();
    const iat = Math.floor(at / 1000);
    const claims = {
      sub: String(session.userId),
      sid: session.id,
      jti: randomId(),
      iss: 'cims' as const,
      aud: 'cims-api' as const,
      iat,
      exp: iat + options.accessTokenTtlSeconds,
    };
    const access = encodeAccessToken(claims);
    state.accessTokens.set(claims.jti, {
      token: access,
      sessionId: session.id,
      userId: session.userId,
      exp: claims.exp,
    });
    return {
      access_token: access,
      refresh_token: refresh,
      token_type: 'bearer',
      expires_in: options.accessTokenTtlSeconds,
    };
  }

  function startSession(user: MockUser, request: Request): TokenPair {
    const at = now();
    const session: MockSession = {
      id: ++state.sequences.session,
      userId: user.id,
      userAgent: request.headers.get('user-agent')?.slice(0, 500) ?? null,
      ipAddress: null,
      createdAt: at,
      lastUsedAt: at,
      expiresAt: renewedExpiry({ createdAt: at }, at),
      revokedAt: null,
      revokeReason: null,
    };
    state.sessions.set(session.id, session);
    return issuePair(session);
  }

  /** The live (unspent) refresh token of a session: rotation keeps exactly one. */
  function liveToken(session: MockSession): string | undefined {
    for (const [token, record] of state.refreshTokens) {
      if (record.sessionId === session.id && record.spentAt === null) return token;
    }
    return undefined;
  }

  function sendCode(user: MockUser, purpose: CodePurpose, kind: CodeMailKind = purpose): MockMail {
    const code = randomCode();
    state.codes.set(`${purpose}:${user.id}`, {
      userId: user.id,
      purpose,
      code,
      attempts: 0,
      expiresAt: now() + options.codeTtlSeconds * 1000,
      consumedAt: null,
    });
    const mail: MockMail = {
      to: user.email,
      ...codeMail(kind, code, Math.round(options.codeTtlSeconds / 60)),
      code,
      purpose,
      sentAt: iso(now()),
    };
    state.mailbox.push(mail);
    return mail;
  }

  /**
   * Spends the user's code for `purpose`, or throws `400 INVALID_CODE`. Like the server, every check of a usable code
   * counts as one of its attempts (a freshly mailed code starts again), and a wrong guess of a live code takes one of
   * the day's slots of the (account, client) pair (30) and of the account (300), so asking for new codes again and
   * again does not buy unlimited guesses. Guesses when no code is live count nowhere: they cannot block the genuine
   * code. With no slot left, even the right code is `429 RATE_LIMITED`. `accept` runs once the code is right and
   * before it is spent: what it throws leaves the code unspent.
   */
  function consumeCode({
    user,
    purpose,
    code,
    accept,
  }: {
    user: MockUser | undefined;
    purpose: CodePurpose;
    code: string;
    accept?: (user: MockUser) => void;
  }): MockUser {
    const invalid = new MockApiError('INVALID_CODE', 'The code is wrong, expired or already used');
    if (!user) throw invalid;
    const giveBack = reserveAll(
      [
        [`code-failed:${user.id}:${CLIENT}`, CODE_FAILURES_PER_DAY],
        [`code-failed:${user.id}`, CODE_FAILURES_PER_DAY_CEILING],
      ],
      DAY_SECONDS,
    );
    const stored = state.codes.get(`${purpose}:${user.id}`);
    const at = now();
    if (!stored || stored.consumedAt !== null || stored.expiresAt <= at || stored.attempts >= options.codeAttempts) {
      giveBack();
      throw invalid;
    }
    stored.attempts++;
    if (stored.code !== code) throw invalid;
    giveBack();
    accept?.(user);
    stored.consumedAt = at;
    return user;
  }

  /** Takes a slot of each limit; if one is full, gives back those taken and throws its `429`. */
  function reserveAll(limits: readonly (readonly [key: string, max: number])[], seconds?: number): () => void {
    const taken: (() => void)[] = [];
    const giveBackAll = () => {
      for (const giveBack of taken.splice(0)) giveBack();
    };
    try {
      for (const [key, max] of limits) taken.push(limiter.reserve(key, max, seconds));
    } catch (error) {
      giveBackAll();
      throw error;
    }
    return giveBackAll;
  }

  /**
   * Checks a password against failure budgets: slots are taken before the check and given back when it succeeds.
   * With no slot left, even the right password is `429 RATE_LIMITED`.
   */
  function checkPassword(
    limits: readonly (readonly [key: string, max: number])[],
    user: MockUser | undefined,
    password: string,
  ): boolean {
    const giveBack = reserveAll(limits);
    const ok = user !== undefined && user.password === password;
    if (ok) giveBack();
    return ok;
  }

  /** Sign-in failures count per (address, client), and per address up to the much higher ceiling. */
  function signInLimits(email: string) {
    return [
      [`login-failed:${email}:${CLIENT}`, accountMax],
      [`login-failed:${email}`, options.accountCeiling],
    ] as const;
  }

  /** A wrong current password counts per session, never against sign-ins (which anyone can fail). */
  function passwordChangeLimits(principal: Principal) {
    return [[`password-change-failed:${principal.session.id}`, accountMax]] as const;
  }

  function unauthenticated(detail: string): MockApiError {
    return new MockApiError('UNAUTHENTICATED', detail, UNAUTHENTICATED_HEADERS);
  }

  /** The caller of a bearer route, or `401 UNAUTHENTICATED`. */
  function authenticate(authorization: string | null): Principal {
    if (!authorization) throw unauthenticated('Not authenticated');
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    const token = match?.[1];
    const claims = token ? decodeAccessToken(token) : undefined;
    const issued = claims ? state.accessTokens.get(claims.jti) : undefined;
    if (!claims || !issued || issued.token !== token) throw unauthenticated('The access token is invalid or expired');
    if (claims.exp + CLOCK_TOLERANCE_SECONDS <= Math.floor(now() / 1000)) {
      throw unauthenticated('The access token is invalid or expired');
    }
    const session = state.sessions.get(claims.sid);
    const user = state.users.get(Number(claims.sub));
    if (!isLive(session) || !user?.is_active) throw unauthenticated('The session has ended');
    return { user, session };
  }

  /** Authenticates a request to a bearer route and remembers the principal for its implementation. */
  function authenticateRequest(request: Request): Principal {
    const principal = authenticate(request.headers.get('authorization'));
    principals.set(request, principal);
    return principal;
  }

  /** The principal of a request that passed {@link authenticateRequest}. */
  function principal(request: Request): Principal {
    return principals.get(request) ?? authenticateRequest(request);
  }

  /** The pages to grant, checked: QA granting a page the mocks do not have is a mistake in the test set-up. */
  function grantable(pages: readonly string[] | undefined): Set<string> {
    for (const key of pages ?? []) if (!pageNamed(state, key)) throw new Error(`The mocks have no page ${key}`);
    return new Set(pages);
  }

  /** Adds a user directly (no mail, no code): verified and active unless told otherwise. */
  function addUser(input: MockUserInput): MockUser {
    const email = normalizeEmail(input.email);
    if (findUser(email)) throw new Error(`The mocks already have a user ${email}`);
    const pages = grantable(input.pages);
    const user: MockUser = {
      id: ++state.sequences.user,
      email,
      password: input.password,
      name: input.name ?? 'Test',
      surname: input.surname ?? 'User',
      role: input.role ?? REGISTERED_ROLE,
      role_name: input.role_name ?? null,
      company_code: input.company_code ?? 'oddiy',
      telegram_id: input.telegram_id ?? null,
      job_title: input.job_title ?? null,
      profile_image: null,
      is_active: input.is_active ?? true,
      email_verified: input.email_verified ?? true,
      registration_contested: false,
      created_at: iso(now()),
      pages,
    };
    state.users.set(user.id, user);
    return user;
  }

  /** Stores the picture at a new URL path (so caches see the change) and forgets the previous one. */
  function setProfileImage(user: MockUser, image: { file: Blob; extension: string }): string {
    const path = `/media/profile-images/${++state.sequences.file}.${image.extension}`;
    if (user.profile_image) state.files.delete(user.profile_image);
    state.files.set(path, image.file);
    user.profile_image = path;
    return path;
  }

  /** Removes a user with everything that hangs off it: sessions and their tokens, codes, the profile picture. */
  function removeUser(user: MockUser): void {
    for (const session of state.sessions.values()) {
      if (session.userId === user.id) state.sessions.delete(session.id);
    }
    for (const [token, record] of state.refreshTokens) {
      if (!state.sessions.has(record.sessionId)) state.refreshTokens.delete(token);
    }
    for (const [jti, issued] of state.accessTokens) if (issued.userId === user.id) state.accessTokens.delete(jti);
    for (const [key, code] of state.codes) if (code.userId === user.id) state.codes.delete(key);
    if (user.profile_image) state.files.delete(user.profile_image);
    state.users.delete(user.id);
  }

  return {
    options,
    findUser,
    authenticateRequest,
    principal,
    addUser,
    removeUser,
    setProfileImage,
    /** Ends every live session of a user (a new password, deactivation); returns how many. */
    endSessions: (userId: number, reason: string) => revokeAll(userId, reason),

    register(input: {
      email: string;
      password: string;
      name: string;
      surname: string;
      telegram_id?: string;
      job_title?: string;
    }): string {
      if (state.scenario === 'registration-closed') {
        throw new MockApiError('REGISTRATION_CLOSED', 'Registration is closed; ask an administrator for an account');
      }
      // Every registration may mail the address: it shares the send limit with forgot-password.
      limitSends(input.email);
      const existing = findUser(input.email);
      const outcome = registrationOutcome(
        existing && { verified: existing.email_verified, selfRegistered: existing.role === REGISTERED_ROLE },
      );
      if (existing && outcome === 'taken') {
        throw new MockApiError('EMAIL_TAKEN', 'An account with this e-mail address already exists');
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
    verifyEmail(email: string, code: string, request: Request): TokenPair {
      const found = findUser(email);
      const pending = found && !found.email_verified && !found.registration_contested ? found : undefined;
      const user = consumeCode({
        user: pending,
        purpose: 'verify-email',
        code,
        accept: (account) => {
          if (!account.is_active) throw new MockApiError('ACCOUNT_INACTIVE', 'This account is deactivated');
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
      return 'If this address has an unverified account, a new code is on its way';
    },

    forgotPassword(email: string): string {
      limitSends(email);
      const user = findUser(email);
      if (user) sendCode(user, 'reset-password');
      return 'If this address has an account, a reset code is on its way';
    },

    resetPassword(email: string, code: string, newPassword: string): string {
      const user = consumeCode({ user: findUser(email), purpose: 'reset-password', code });
      user.password = newPassword;
      // The code proves the mailbox: an account still waiting for verification is verified now.
      user.email_verified = true;
      user.registration_contested = false;
      revokeAll(user.id, 'password-reset');
      return 'Password updated; sign in with the new password';
    },

    /** Failed sign-ins use the address's budget (known or not); a correct password does not. */
    login(email: string, password: string, request: Request): TokenPair {
      const user = findUser(email);
      if (!checkPassword(signInLimits(normalizeEmail(email)), user, password) || !user) {
        throw new MockApiError('INVALID_CREDENTIALS', 'Incorrect e-mail or password', UNAUTHENTICATED_HEADERS);
      }
      if (!user.is_active) throw new MockApiError('ACCOUNT_INACTIVE', 'This account is deactivated');
      if (!user.email_verified) {
        throw new MockApiError('EMAIL_NOT_VERIFIED', 'Verify your e-mail address first; we sent you a code');
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
      const invalid = new MockApiError('REFRESH_TOKEN_INVALID', 'The refresh token is invalid or expired');
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
      throw new MockApiError('REFRESH_TOKEN_REUSED', 'This refresh token was already used; the session was ended');
    },

    me(user: MockUser): Me {
      const permissions: Record<string, boolean> = {};
      for (const page of activePages(state)) {
        permissions[page.name] = user.role === 'CEO' || user.pages.has(page.name);
      }
      return {
        id: user.id,
        email: user.email,
        name: user.name,
        surname: user.surname,
        role: user.role,
        permissions,
        profile_image: user.profile_image,
        job_title: user.job_title,
        company_code: user.company_code,
        telegram_id: user.telegram_id,
        is_active: user.is_active,
        email_verified: user.email_verified,
        created_at: user.created_at,
      };
    },

    dashboardRedirect(user: MockUser): string {
      if (user.role === 'CEO') return '/ceo';
      if (user.role === 'Member') return '/member_dashboard';
      const page = activePages(state).find((p) => p.route_path !== null && user.pages.has(p.name));
      if (!page?.route_path) throw new MockApiError('NO_PAGE_ACCESS', 'You have no page access; ask an administrator');
      return page.route_path;
    },

    updateProfileInfo(user: MockUser, input: { name?: string; surname?: string }): string {
      if (input.name === undefined && input.surname === undefined) {
        throw new MockApiError('NOTHING_TO_UPDATE', 'Nothing to update');
      }
      if (input.name !== undefined) user.name = input.name;
      if (input.surname !== undefined) user.surname = input.surname;
      return 'Profile updated';
    },

    /** A wrong current password uses the session's budget. */
    changePassword(principal: Principal, current: string, next: string): string {
      if (!checkPassword(passwordChangeLimits(principal), principal.user, current)) {
        throw new MockApiError('WRONG_CURRENT_PASSWORD', 'The current password is not correct');
      }
      principal.user.password = next;
      revokeAll(principal.user.id, 'password-change', principal.session.id);
      return 'Password updated; your other sessions were ended';
    },

    /**
     * `PATCH /auth/me/profile`: checks everything first, then applies it all at once. The contract's schema already
     * refused half a password pair and a weak new password (`422`).
     */
    updateProfile(
      principal: Principal,
      input: { name?: string; surname?: string; current_password?: string; new_password?: string },
      image: { file: Blob; extension: string } | undefined,
    ): string {
      const { current_password: current, new_password: next } = input;
      if (input.name === undefined && input.surname === undefined && next === undefined && !image) {
        throw new MockApiError('NOTHING_TO_UPDATE', 'Nothing to update');
      }
      const { user } = principal;
      // Guessing the current password with a stolen access token is limited per session.
      if (next !== undefined && !checkPassword(passwordChangeLimits(principal), user, current ?? '')) {
        throw new MockApiError('WRONG_CURRENT_PASSWORD', 'The current password is not correct');
      }
      if (input.name !== undefined) user.name = input.name;
      if (input.surname !== undefined) user.surname = input.surname;
      if (next !== undefined) {
        user.password = next;
        revokeAll(user.id, 'password-change', principal.session.id);
      }
      if (image) setProfileImage(user, image);
      return 'Profile updated';
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
        throw new MockApiError('NOT_FOUND', 'No such active session');
      }
      revoke(session, 'revoked');
    },

    /** Changes a user in place; deactivating one makes its access and refresh tokens fail at once. */
    updateUser(email: string, patch: MockUserPatch): MockUser {
      const user = requireUser(email);
      const { pages, ...rest } = patch;
      const granted = pages && grantable(pages);
      Object.assign(user, Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined)));
      if (granted) user.pages = granted;
      return user;
    },

    /** Makes every access token issued so far expired, so the next bearer request gets `401` and the client refreshes. */
    expireAccessTokens(): void {
      state.accessTokens.clear();
    },
  };
}

/** The auth model of one mock API. */
export type AuthModel = ReturnType<typeof createAuthModel>;
