import {
  CODE_FAILURES_PER_DAY,
  CODE_FAILURES_PER_DAY_CEILING,
  type CodeMailKind,
  codeMail,
  REGISTERED_ROLE,
  sessionExpiry,
  type TokenPair,
} from '@cims/contracts';
import { AUTH_MESSAGES, COMMON_MESSAGES } from '@cims/contracts/rules';
import { MockApiError } from '../../route-handler.js';
import type { CodePurpose, MockMail, MockSession, MockState, MockUser } from '../../state.js';
import { pageNamed } from '../pages.js';
import { createRateLimiter, DAY_SECONDS } from '../rate-limit.js';
import { decodeAccessToken, encodeAccessToken, randomCode, randomId, randomToken } from '../tokens.js';
import {
  type AuthModelOptions,
  CLIENT,
  CLOCK_TOLERANCE_SECONDS,
  iso,
  type MockUserInput,
  normalizeEmail,
  type Principal,
  UNAUTHENTICATED_HEADERS,
} from './types.js';

/**
 * The state and the shared steps of the auth model (rate limits, codes, sessions and tokens, lookups), which its topic
 * files (`sign-up.ts`, `sessions.ts`, `profile.ts`) build on.
 */
export function createAuthCore(state: MockState, options: AuthModelOptions) {
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
    limiter.hit({ key: `send:${address}:${CLIENT}`, max: accountMax });
    limiter.hit({ key: `send:${address}`, max: options.accountCeiling });
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
    const invalid = new MockApiError('INVALID_CODE', AUTH_MESSAGES.invalidCode);
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
      for (const [key, max] of limits) taken.push(limiter.reserve({ key, max, windowSeconds: seconds }));
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
    if (!authorization) throw unauthenticated(COMMON_MESSAGES.notAuthenticated);
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    const token = match?.[1];
    const claims = token ? decodeAccessToken(token) : undefined;
    const issued = claims ? state.accessTokens.get(claims.jti) : undefined;
    if (!claims || !issued || issued.token !== token) throw unauthenticated(AUTH_MESSAGES.accessTokenInvalid);
    if (claims.exp + CLOCK_TOLERANCE_SECONDS <= Math.floor(now() / 1000)) {
      throw unauthenticated(AUTH_MESSAGES.accessTokenInvalid);
    }
    const session = state.sessions.get(claims.sid);
    const user = state.users.get(Number(claims.sub));
    if (!isLive(session) || !user?.is_active) throw unauthenticated(AUTH_MESSAGES.sessionEnded);
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
    state,
    options,
    now,
    principals,
    limiter,
    accountMax,
    limitSends,
    findUser,
    requireUser,
    isLive,
    renewedExpiry,
    revoke,
    revokeAll,
    issuePair,
    pairWith,
    startSession,
    liveToken,
    sendCode,
    consumeCode,
    reserveAll,
    checkPassword,
    signInLimits,
    passwordChangeLimits,
    unauthenticated,
    authenticate,
    authenticateRequest,
    principal,
    grantable,
    addUser,
    setProfileImage,
    removeUser,
  };
}

/** The shared steps of one auth model. */
export type AuthCore = ReturnType<typeof createAuthCore>;
