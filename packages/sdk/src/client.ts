import type { CimsContract, TokenPair } from '@cims/contracts';
import type { ApiFetcher, AppRoute, AppRouteFunction, ClientInferResponseBody } from '@ts-rest/core';
import type {
  CimsNetworkError,
  CimsResponseValidationError,
  CimsTimeoutError,
  CimsUnexpectedResponseError,
  SessionExpiredError,
} from './errors.js';
import { routeClient } from './route-client.js';
import type { ContractRouteOf, RouteDescriptor } from './route-descriptor.js';
import { routes } from './routes/all.js';
import { auth as authRoutes } from './routes/auth.js';
import { createSession, type RefreshLock, webLock } from './session.js';
import { type AuthTokens, memoryTokenStore, type TokenStore } from './token-store.js';
import { createTransport, type FetchFn, guardFetch } from './transport.js';
import { unwrap } from './unwrap.js';

/** Options of `createCimsClient` and {@link createCimsDomainClient}. */
export interface CimsClientOptions {
  /**
   * Where the API is, without a trailing slash: `https://api.example.com`, or a path on the page's own origin in a
   * browser (`/api`).
   */
  baseUrl: string;
  /**
   * Where the session's tokens live. {@link localStorageTokenStore} keeps them across reloads under the legacy app's
   * keys; any object with `get`/`set`/`clear` will do.
   * @default memoryTokenStore()
   */
  tokenStore?: TokenStore;
  /**
   * Called once when a refresh fails (the store is then empty) or the user signs out in another tab: send the user to
   * the sign-in page.
   */
  onSessionExpired?: (error: SessionExpiredError) => void;
  /**
   * Refresh before a call when the access token expires within this many seconds (read from its `exp`), instead of
   * waiting for the `401`. `false`: only after a `401`.
   * @default 30
   */
  refreshAheadSeconds?: number | false;
  /**
   * Coordinate with the other tabs of the origin: one refresh at a time (Web Locks), tokens and sign-outs shared
   * (`BroadcastChannel`, else the store's `storage` events).
   * @default true in a browser (where `document` exists), false elsewhere
   */
  syncTabs?: boolean;
  /**
   * The lock held while refreshing, shared with the other tabs.
   * @default Web Locks (`navigator.locks`) when `syncTabs` is on and the browser has them; otherwise none
   */
  lock?: RefreshLock;
  /**
   * The `fetch` to send requests with (a test double, a fetch with a proxy agent, …).
   * @default globalThis.fetch
   */
  fetch?: FetchFn;
  /**
   * How long a call may take, from sending it to having read the whole response (a refresh and the retry after it
   * included), in milliseconds; then it is aborted and rejects with {@link CimsTimeoutError}. `false`: no limit. A
   * `fetchOptions.signal` given on a call still aborts it earlier, with its own reason.
   * @default 30000
   */
  timeoutMs?: number | false;
  /**
   * Check every response against the contract (its route's validator for that status) and throw
   * {@link CimsResponseValidationError} when it does not match.
   * @default true
   */
  validateResponses?: boolean;
  /**
   * Headers sent with every request. An `Authorization` here (or on one call) is sent as given, and such calls are
   * never refreshed: the client only manages the header it adds itself.
   */
  headers?: Record<string, string>;
}

function toTokens(pair: TokenPair): AuthTokens {
  // Even with validateResponses off, never store a missing token as the string "undefined" (a legacy client bug).
  if (typeof pair.access_token !== 'string') throw new TypeError('The token response has no access_token');
  return { accessToken: pair.access_token, refreshToken: pair.refresh_token };
}

/** The client options the route methods are typed with (ts-rest's `ClientArgs`); part of the client's type. */
export interface CimsClientArgs {
  baseUrl: string;
  baseHeaders: Record<string, string>;
  throwOnUnknownStatus: true;
  api: ApiFetcher;
}

/** What `cims.logoutAll()` resolves to. */
export type LogoutAllResult = ClientInferResponseBody<CimsContract['auth']['logoutAll'], 200>;

/** The session methods every client has besides its routes. */
export interface CimsSessionMethods {
  /**
   * Signs in with e-mail and password (the contract's OAuth2 password form) and stores the tokens.
   * @throws {CimsApiError} `INVALID_CREDENTIALS` (401), an unverified or deactivated account (403), `RATE_LIMITED`
   * (429, with `retryAfterSeconds`), …; and like every call {@link CimsNetworkError}, {@link CimsTimeoutError},
   * {@link CimsUnexpectedResponseError}.
   * @example
   * await cims.login({ email: 'ceo@example.com', password: 'secret-password' });
   */
  login(credentials: { email: string; password: string }): Promise<TokenPair>;
  /**
   * Verifies the e-mail address with the 6-digit code from the e-mail, which signs the user in, and stores the
   * tokens.
   * @throws {CimsApiError} a wrong or expired code (400), …
   * @example
   * await cims.verifyEmail({ email: 'new@example.com', code: '123456' });
   */
  verifyEmail(input: { email: string; code: string }): Promise<TokenPair>;
  /**
   * Ends this session on the server and forgets the tokens, here and in the other tabs. Never throws: the tokens
   * are cleared even when the server cannot be reached.
   * @example
   * await cims.logout();
   */
  logout(): Promise<void>;
  /**
   * Ends every session of the user, on every device, and forgets the tokens here and in the other tabs (also when
   * the server call fails).
   * @throws {CimsApiError} when the server did not end the sessions.
   * @example
   * const { revoked_sessions } = await cims.logoutAll();
   */
  logoutAll(): Promise<LogoutAllResult>;
  /**
   * The access token to send on a request the client does not make (a media URL, a WebSocket), refreshed first when
   * it is about to expire; `undefined` when signed out.
   * @example
   * const token = await cims.getAccessToken();
   */
  getAccessToken(): Promise<string | undefined>;
  /** Stops listening to the other tabs. Only needed when a page creates and drops clients (tests, hot reload). */
  close(): void;
}

/**
 * The routes a client can be built on, by name, nested routers as nested objects: the SDK's generated descriptors
 * (`@cims/sdk/routes/<domain>`, validated by valibot) or the contract's own routers (validated by zod).
 */
export interface CimsRoutes {
  [name: string]: RouteDescriptor | AppRoute | CimsRoutes;
}

/**
 * The methods of a router's routes, as ts-rest's `initClient` makes them: one function per route returning
 * `{ status, body, headers }`, nested routers as nested objects. A generated {@link RouteDescriptor} gives the method
 * of the contract route it stands for. The same type as ts-rest's `InitClientReturn`, minus its `AppRouter`
 * constraint: with it, every app type-checked without `skipLibCheck` would check the whole contract against
 * `AppRouter` (about 80,000 types); here only the routes an app calls are resolved.
 */
export type RouterClient<TRouter> = {
  [K in keyof TRouter]: TRouter[K] extends RouteDescriptor | AppRoute
    ? AppRouteFunction<ContractRouteOf<TRouter[K]>, CimsClientArgs>
    : RouterClient<TRouter[K]>;
};

/**
 * A client of the given routers (each route a method returning `{ status, body, headers }`) with the session methods.
 * A named type, so that declaration files reference the contract's router types instead of spelling them out.
 */
export type CimsClientOf<TRouter> = RouterClient<TRouter> & CimsSessionMethods;

/** The routers a client of {@link createCimsDomainClient} has: `auth` (which the session needs) and the chosen ones. */
export type WithAuth<TDomains extends CimsRoutes> = { auth: CimsContract['auth'] } & TDomains;

/** The client returned by {@link createCimsDomainClient}: `auth`, the chosen domains and the session methods. */
export type CimsDomainClient<TDomains extends CimsRoutes> = CimsClientOf<WithAuth<TDomains>>;

/**
 * Creates a client of only some routes of the API (plus `auth`, which signing in and refreshing need), so that a
 * page's bundle carries only their validators: `createCimsClient` brings every route. Takes the same options, and
 * the routes under the domain name they have in the whole client: a whole domain (`import { crm } from
 * '@cims/sdk/routes/crm'`) or a few of its routes by name, which is lightest. A router of `@cims/contracts`
 * (`crmContract`) works too, validated by its zod schemas, at the cost of bundling zod.
 *
 * @example
 * import { dashboard, detail, statuses } from '@cims/sdk/routes/crm';
 * const cims = createCimsDomainClient({ baseUrl: '/api', domains: { crm: { dashboard, detail, statuses } } });
 * const page = unwrap(await cims.crm.dashboard({ query: {} }));
 */
export function createCimsDomainClient<TDomains extends CimsRoutes>(
  options: CimsClientOptions & { domains: TDomains },
): CimsDomainClient<TDomains> {
  const { domains, ...rest } = options;
  return clientOf({ ...domains, auth: authRoutes } as unknown as WithAuth<TDomains>, rest);
}

/** Builds the client of `router`, whose `auth` router drives the session. */
function clientOf<TRouter extends WithAuth<CimsRoutes>>(
  router: TRouter,
  options: CimsClientOptions,
): CimsClientOf<TRouter> {
  const fetchFn = guardFetch(options.fetch ?? ((input, init) => globalThis.fetch(input, init)));
  const syncTabs = options.syncTabs ?? typeof document !== 'undefined';
  const session = createSession({
    store: options.tokenStore ?? memoryTokenStore(),
    fetch: fetchFn,
    refresh: async (refreshToken) => toTokens(unwrap(await auth().refresh({ body: { refresh_token: refreshToken } }))),
    onSessionExpired: options.onSessionExpired,
    refreshAheadSeconds: options.refreshAheadSeconds ?? 30,
    lock: options.lock ?? (syncTabs ? webLock() : undefined),
    syncTabs,
  });
  const api = routeClient(router, {
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    baseHeaders: { accept: 'application/json', ...options.headers },
    api: createTransport({
      send: session.send,
      validateResponses: options.validateResponses ?? true,
      timeoutMs: options.timeoutMs ?? 30_000,
    }),
  });
  // Every router given here has `auth` (see WithAuth); the mapped client type cannot show that for a generic router.
  const auth = () => (api as unknown as RouterClient<WithAuth<CimsRoutes>>).auth;
  const signIn = async (pair: TokenPair) => {
    await session.save(toTokens(pair));
    return pair;
  };

  const methods: CimsSessionMethods = {
    async login(credentials: { email: string; password: string }): Promise<TokenPair> {
      const body = {
        username: credentials.email,
        password: credentials.password,
        grant_type: 'password' as const,
        scope: '',
        client_id: '',
        client_secret: '',
      };
      return signIn(unwrap(await auth().login({ body })));
    },
    async verifyEmail(input: { email: string; code: string }): Promise<TokenPair> {
      return signIn(unwrap(await auth().verifyEmail({ body: input })));
    },
    async logout(): Promise<void> {
      try {
        const { accessToken, refreshToken } = await session.read();
        if (accessToken || refreshToken) await auth().logout({ body: { refresh_token: refreshToken } });
      } catch {
        // Signing out must work offline too; the server's session then ends when its refresh token expires.
      } finally {
        await session.save(null);
      }
    },
    async logoutAll() {
      try {
        return unwrap(await auth().logoutAll());
      } finally {
        await session.save(null);
      }
    },
    getAccessToken: session.accessToken,
    close: session.close,
  };
  return Object.assign(api, methods) as CimsClientOf<TRouter>;
}

/**
 * Creates a typed client of the CIMS API. Each route of the contract is a method returning `{ status, body, headers }`,
 * discriminated by `status`, so every declared error is part of the type; {@link unwrap} turns it into "body or
 * throw". Authenticated routes get `Authorization: Bearer …` from the token store; an expired access token is
 * refreshed once for all the calls that need it, and each call is retried once with the new token. It carries the
 * whole contract; a page that uses a few domains can take {@link createCimsDomainClient} instead.
 *
 * @example
 * const cims = createCimsClient({ baseUrl: '/api', tokenStore: localStorageTokenStore() });
 * await cims.login({ email: 'ceo@example.com', password: 'secret-password' });
 * const me = unwrap(await cims.auth.me());
 */
export function createCimsClient(options: CimsClientOptions): CimsClient {
  // The generated descriptors stand for the contract's routes one by one (scripts/generate.ts writes them).
  return clientOf(routes as unknown as CimsContract, options);
}

/** The client returned by {@link createCimsClient}. */
export type CimsClient = CimsClientOf<CimsContract>;

/**
 * `CimsContract`: the contract the client is built on. `TokenPair`: what `login` and `verifyEmail` return
 * (`access_token`, `refresh_token`, `token_type`, `expires_in`).
 */
export type { CimsContract, TokenPair };
