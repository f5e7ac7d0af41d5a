import {
  ACCOUNT_LIMIT_DEFAULTS,
  CODE_MAX_ATTEMPTS,
  CODE_TTL_MINUTES,
  type Customer,
  contract,
  type InstagramAccount,
  SESSION_DAY_MS,
  SESSION_LIFETIME_DEFAULTS,
} from '@cims/contracts';
import { BusinessTime } from '@cims/contracts/rules';
import type { CountryCode } from 'libphonenumber-js';
import type { HttpHandler } from 'msw';
import { createFakeGraphApi, type FakeGraphApi } from './graph/fake-graph-api.js';
import { authBeforeHook, authMocks, mediaHandler } from './handlers/auth.js';
import { ceoMocks } from './handlers/ceo.js';
import { crmMocks, salesMocks } from './handlers/crm.js';
import { healthMocks } from './handlers/health.js';
import { instagramMocks } from './handlers/instagram.js';
import { managementMocks } from './handlers/management.js';
import { createAuthModel, type MockUserInput, type MockUserPatch } from './model/auth-model.js';
import { createCeoModel } from './model/ceo-model.js';
import { createCrmModel, type MockCustomerInput } from './model/crm-model.js';
import { seedCustomers } from './model/crm-seed.js';
import { createCrmStats } from './model/crm-stats.js';
import { createInstagramModel, type MockSnapshotInput } from './model/instagram-model.js';
import { type InstagramSeed, seedInstagram } from './model/instagram-seed.js';
import { createManagementModel } from './model/management-model.js';
import { createUrlSigner } from './model/signed-urls.js';
import { createRouteHandlers } from './route-handler.js';
import {
  createState,
  type MockInstagramSnapshot,
  type MockMail,
  type MockState,
  type MockUser,
  resetState,
  SCENARIOS,
  type Scenario,
} from './state.js';

/** Options of {@link createMockApi}. */
export interface MockApiOptions {
  /**
   * The base URL the SDK or app under test uses, e.g. `http://cims.test` in Node or `/api` in a browser app.
   * Requests outside it are not handled.
   */
  baseUrl: string;
  /** The situation to start in (and to return to on `reset()`). @default 'healthy' */
  scenario?: Scenario;
  /**
   * The clock, in milliseconds since the epoch. Tests move it to expire tokens, codes and the refresh grace window.
   * @default Date.now
   * @example
   * let t = Date.parse('2026-01-01T00:00:00Z');
   * const mocks = createMockApi({ baseUrl, now: () => t });
   * t += 11_000; // past the refresh grace window
   */
  now?: () => number;
  /** Lifetime of access tokens, in seconds (the token pair's `expires_in`). @default 180000 (50 hours, as the server) */
  accessTokenTtlSeconds?: number;
  /**
   * Inactivity lifetime of a session, in seconds (the server's `REFRESH_TOKEN_EXPIRE_DAYS`): a session ends this long
   * after sign-in or its latest refresh, so a user who comes back within it stays signed in. @default 1296000 (15 days)
   */
  sessionTtlSeconds?: number;
  /**
   * Longest life of a session, in seconds from sign-in, however often it is refreshed (the server's
   * `SESSION_MAX_DAYS`); at least `sessionTtlSeconds`. @default 7776000 (90 days)
   */
  sessionMaxSeconds?: number;
  /**
   * How long a rotated refresh token may be presented again, in seconds: it then gets a fresh access token with the
   * session's current refresh token instead of ending the session. @default 10
   */
  refreshGraceSeconds?: number;
  /**
   * The budget of one rate-limit window, like the server's `RATE_LIMIT_ACCOUNT_MAX`: failed sign-ins per address (the
   * mocks see every request as coming from one client), wrong current passwords per session, and codes mailed
   * (register, resend-verification, forgot-password) per address. Once used up, the route answers
   * `429 RATE_LIMITED` with `Retry-After` until the window ends. @default 10
   */
  accountMaxFailures?: number;
  /**
   * Failed sign-ins per address and window from all clients together, like the server's
   * `RATE_LIMIT_ACCOUNT_CEILING`. @default 100
   */
  accountCeiling?: number;
  /**
   * The length of a rate-limit window in seconds, like the server's `RATE_LIMIT_WINDOW_SECONDS`. Windows are fixed
   * and aligned to the epoch, on the mocks' clock (`now`). @default 900 (15 minutes)
   */
  rateLimitWindowSeconds?: number;
  /**
   * The key `POST /crm/api/customers` expects in `X-Key` (the server's `CRM_CUSTOMER_API_KEY`). `null`: the mocks
   * have no key, and intake answers `503 SERVICE_UNAVAILABLE`, like a server without one.
   * @default MOCK_INTAKE_API_KEY ('cims-mock-intake-key')
   */
  intakeApiKey?: string | null;
  /** Whether intake customers are auto-assigned like UI-created ones (`CRM_INTAKE_AUTO_ASSIGN`). @default true */
  intakeAutoAssign?: boolean;
  /**
   * The IANA time zone of the CRM's days, weeks and months, in which timestamps are served and `recall_time` without
   * an offset is read (`BUSINESS_TIMEZONE`). "Today" comes from `now`. @default 'Asia/Tashkent'
   */
  businessTimeZone?: string;
  /** The region of phone numbers typed without a country code (`DEFAULT_PHONE_REGION`). @default 'UZ' */
  defaultPhoneRegion?: CountryCode;
  /** How long the signature of an `audio_url` works, in seconds (`AUDIO_URL_TTL_SECONDS`). @default 3600 */
  audioUrlTtlSeconds?: number;
  /**
   * The fake Graph API that `/instagram/setup` and `/instagram/sync` ask, in process (no HTTP): switching its scenario
   * switches what they answer. Pass one to share it with other code under test; `reset()` resets it too.
   * @default createFakeGraphApi({ now }) — the demo account and token only
   */
  graph?: FakeGraphApi;
}

/** The intake key the mocks expect in `X-Key` unless told otherwise (`intakeApiKey`). */
export const MOCK_INTAKE_API_KEY = 'cims-mock-intake-key';

/** Direct access to the mocks' CRM, for QA set-ups and assertions. */
export interface MockCrm {
  /**
   * Adds a customer without a request, checked like the form (the phone is normalised, the status must be active;
   * a `MockApiError` otherwise) and auto-assigned in turn unless `autoAssign: false`.
   */
  addCustomer(input: MockCustomerInput): Customer;
  /** A customer (archived too) as the API serves it. */
  customer(id: number): Customer | undefined;
  /** Every customer (archived too) as the API serves them, newest first. */
  customers(): Customer[];
  /** The key intake expects in `X-Key`; `null` when intake answers `503`. */
  readonly intakeApiKey: string | null;
}

/** The mock mailbox: every message the mocks "sent" (verification and reset codes). */
export interface MockMailbox {
  /** Every message, oldest first. */
  readonly messages: readonly MockMail[];
  /** The newest message to `to` (any case), or to anyone without `to`. */
  latest(to?: string): MockMail | undefined;
  /** Every message to `to` (any case), oldest first. */
  all(to?: string): MockMail[];
  /** Forgets every message. */
  clear(): void;
}

/** Direct access to the mocks' users, for QA set-ups (no e-mail, no code). */
export interface MockUsers {
  /** The user with this e-mail address (any case). */
  find(email: string): MockUser | undefined;
  /** Adds a user, verified and active unless told otherwise; ids count up. */
  add(input: MockUserInput): MockUser;
  /** Changes a user (role, pages, `is_active`, …). Deactivating one makes its tokens fail at once. */
  update(email: string, patch: MockUserPatch): MockUser;
}

/** Direct access to the mocks' Instagram follower tracking, for QA set-ups and tests. */
export interface MockInstagram {
  /** The connected account as `GET /instagram/account` serves it, or null. */
  account(): InstagramAccount | null;
  /**
   * Stores snapshots of the connected account directly (one per day: a snapshot for a day already stored replaces
   * it), e.g. history a test cannot create through the API in one day. Throws `MockApiError` when none is connected.
   */
  addSnapshots(points: readonly MockSnapshotInput[]): void;
  /** The connected account's snapshots, oldest first; none when no account is connected. */
  snapshots(): MockInstagramSnapshot[];
  /** Today in the business time zone (`YYYY-MM-DD`), on the mocks' clock. */
  today(): string;
}

/** A stateful mock of the whole API: MSW handlers plus the controls QA needs. */
export interface MockApi {
  /** One MSW handler per contract route, the uploaded-media route, then a catch-all for unknown routes. */
  handlers: HttpHandler[];
  /** The in-memory state the handlers read and write. */
  state: MockState;
  /**
   * Switches the situation the mocks act out; takes effect on the next request. Switching to `empty-crm` forgets the
   * customers at once (`reset()` brings the seeded ones back); to `instagram-not-connected` disconnects the Instagram
   * account (its history stays); to `instagram-reconnect-required` connects the demo account with an expired token.
   */
  useScenario(scenario: Scenario): void;
  /**
   * Restores the seed state: the seeded users, the built-in pages, roles and statuses only, the seeded customers
   * (relative to `now`; none when the starting scenario is `empty-crm`), the demo Instagram account with its history
   * (none when the starting scenario is `instagram-not-connected`), no sessions or mail, the starting scenario, no
   * one-shot switch. The fake Graph API (`graph`) is reset too.
   */
  reset(): void;
  /** The messages the mocks "sent". */
  mailbox: MockMailbox;
  /** The users behind the auth routes. */
  users: MockUsers;
  /** The CRM's customers; the raw records are in `state.crm`. */
  crm: MockCrm;
  /** The Instagram account and its follower snapshots. */
  instagram: MockInstagram;
  /** The fake Graph API behind `/instagram/setup` and `/instagram/sync`: its scenario, accounts, tokens, request log. */
  graph: FakeGraphApi;
  /** The next `POST /auth/refresh` (only that one) answers `401 REFRESH_TOKEN_INVALID`. */
  failNextRefresh(): void;
  /** Every access token issued so far stops working (`401`), as if expired; refresh tokens still work. */
  expireAccessTokens(): void;
}

/**
 * Builds MSW handlers for every route of the CIMS contract, backed by one in-memory state.
 *
 * @example
 * const mocks = createMockApi({ baseUrl: 'http://cims.test' });
 * const server = setupServer(...mocks.handlers);
 */
export function createMockApi(options: MockApiOptions): MockApi {
  const initial = options.scenario ?? 'healthy';
  const state = createState(initial);
  const now = options.now ?? Date.now;
  const sessionTtlSeconds = options.sessionTtlSeconds ?? (SESSION_LIFETIME_DEFAULTS.idleDays * SESSION_DAY_MS) / 1000;
  const sessionMaxSeconds = options.sessionMaxSeconds ?? (SESSION_LIFETIME_DEFAULTS.maxDays * SESSION_DAY_MS) / 1000;
  // As the server refuses SESSION_MAX_DAYS < REFRESH_TOKEN_EXPIRE_DAYS: a maximum below the idle time is a mistake.
  if (sessionMaxSeconds < sessionTtlSeconds) {
    throw new Error(
      `sessionMaxSeconds (${sessionMaxSeconds}) must be at least sessionTtlSeconds (${sessionTtlSeconds})`,
    );
  }
  const model = createAuthModel(state, {
    now,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3000 * 60,
    sessionTtlSeconds,
    sessionMaxSeconds,
    refreshGraceSeconds: options.refreshGraceSeconds ?? 10,
    codeTtlSeconds: CODE_TTL_MINUTES * 60,
    codeAttempts: CODE_MAX_ATTEMPTS,
    accountMaxFailures: options.accountMaxFailures ?? ACCOUNT_LIMIT_DEFAULTS.max,
    accountCeiling: options.accountCeiling ?? ACCOUNT_LIMIT_DEFAULTS.ceiling,
    rateLimitWindowSeconds: options.rateLimitWindowSeconds ?? 15 * 60,
  });
  const management = createManagementModel(state, { now });
  const ceo = createCeoModel(state, model, management);
  const zone = options.businessTimeZone ?? 'Asia/Tashkent';
  if (!BusinessTime.isZone(zone)) throw new Error(`Unknown time zone "${zone}" (use an IANA name)`);
  const time = new BusinessTime(zone, () => new Date(now()));
  const signer = createUrlSigner({ now, ttlSeconds: options.audioUrlTtlSeconds ?? 3600 });
  const crm = createCrmModel(state, {
    now,
    time,
    signer,
    defaultPhoneRegion: options.defaultPhoneRegion ?? 'UZ',
    intakeAutoAssign: options.intakeAutoAssign ?? true,
  });
  const stats = createCrmStats(state, crm, time);
  const graph = options.graph ?? createFakeGraphApi({ now });
  const instagram = createInstagramModel(state, { now, time, graph });
  const instagramSeed = (scenario: Scenario): InstagramSeed | undefined => {
    if (scenario === 'instagram-not-connected') return undefined;
    return scenario === 'instagram-reconnect-required' ? 'reconnect-required' : 'connected';
  };
  const intakeApiKey = options.intakeApiKey === undefined ? MOCK_INTAKE_API_KEY : options.intakeApiKey;
  const seed = () => {
    if (state.scenario !== 'empty-crm') seedCustomers({ state, crm, time, now: now() });
    const connect = instagramSeed(state.scenario);
    if (connect) seedInstagram(state, { time, now, graph, seed: connect });
  };
  seed();
  const handlers = [
    mediaHandler(options.baseUrl, state),
    ...createRouteHandlers(
      contract,
      {
        health: healthMocks(state),
        auth: authMocks(model),
        ceo: ceoMocks(ceo),
        management: managementMocks(management, crm, model),
        crm: crmMocks(crm, stats, model),
        sales: salesMocks(stats),
        instagram: instagramMocks(instagram),
      },
      { baseUrl: options.baseUrl, before: authBeforeHook(state, model, { intakeApiKey, signer }) },
    ),
  ];
  const mailTo = (to?: string) => {
    const wanted = to?.trim().toLowerCase();
    return state.mailbox.filter((mail) => wanted === undefined || mail.to === wanted);
  };
  return {
    handlers,
    state,
    useScenario(scenario) {
      if (!SCENARIOS.includes(scenario))
        throw new Error(`Unknown scenario "${scenario}"; use one of ${SCENARIOS.join(', ')}`);
      state.scenario = scenario;
      if (scenario === 'empty-crm') crm.clearCustomers();
      if (scenario === 'instagram-not-connected') state.instagram.account = null;
      if (scenario === 'instagram-reconnect-required') {
        seedInstagram(state, { time, now, graph, seed: 'reconnect-required' });
      }
    },
    reset() {
      resetState(state, initial);
      graph.reset();
      seed();
    },
    mailbox: {
      get messages() {
        return state.mailbox;
      },
      latest: (to) => mailTo(to).at(-1),
      all: (to) => mailTo(to),
      clear() {
        state.mailbox.length = 0;
      },
    },
    users: {
      find: (email) => model.findUser(email),
      add: (input) => model.addUser(input),
      update: (email, patch) => model.updateUser(email, patch),
    },
    crm: {
      addCustomer: (input) => crm.serveCustomer(crm.addCustomer(input)),
      customer(id) {
        const found = state.crm.customers.get(id);
        return found && crm.serveCustomer(found);
      },
      customers: () => crm.serveCustomers([...state.crm.customers.values()].sort(crm.byNewest)),
      intakeApiKey,
    },
    instagram: {
      account: () => instagram.connectedAccount(),
      addSnapshots: (points) => instagram.addSnapshots(points),
      snapshots: () => instagram.snapshots(),
      today: () => instagram.today(),
    },
    graph,
    failNextRefresh() {
      state.once.failNextRefresh = true;
    },
    expireAccessTokens() {
      model.expireAccessTokens();
    },
  };
}
