import { type HttpHandler, http } from 'msw';
import { type DemoCounts, demoFollowersOn, FAKE_GRAPH_DEMO } from './demo-account.js';

/**
 * The situations the fake Graph API acts out, for every call made with a user token (reading an IG User, exchanging
 * a token); `debug_token`, made with the app token, is not affected:
 * - `healthy`: tokens and accounts are answered as registered;
 * - `expired-token`: `400` code 190, subcode 463 (the session has expired), whatever the token;
 * - `permission-revoked`: `400` code 10 (the app lacks the permission);
 * - `rate-limited`: `400` code 4 (application request limit reached) with `X-App-Usage` at 100% and an
 *   `X-Business-Use-Case-Usage` saying access returns in 5 minutes;
 * - `server-error`: HTTP `500` code 1, `is_transient: true`.
 */
export const GRAPH_SCENARIOS = [
  'healthy',
  'expired-token',
  'permission-revoked',
  'rate-limited',
  'server-error',
] as const;

/** A named situation of the fake Graph API; see {@link GRAPH_SCENARIOS}. */
export type GraphScenario = (typeof GRAPH_SCENARIOS)[number];

/** Options of {@link createFakeGraphApi}. */
export interface FakeGraphApiOptions {
  /**
   * Where the fake answers. Requests are `${baseUrl}/{version}/...` for any version `vN.N`.
   * @default 'https://graph.facebook.com'
   */
  baseUrl?: string;
  /** The situation to start in (and to return to on `reset()`). @default 'healthy' */
  scenario?: GraphScenario;
  /**
   * The clock, in milliseconds since the epoch: tokens expire by it. The demo token expires 60 days after the clock's
   * reading when the fake is created. @default Date.now
   */
  now?: () => number;
  /** The app id expected in `client_id` and in the app token of `debug_token`. @default FAKE_GRAPH_DEMO.appId */
  appId?: string;
  /** The app secret expected in `client_secret` and in the app token of `debug_token`. @default FAKE_GRAPH_DEMO.appSecret */
  appSecret?: string;
}

/** An IG User the fake serves. */
export interface FakeGraphAccount extends DemoCounts {
  id: string;
  username: string;
}

/** A user access token the fake accepts. */
export interface FakeGraphToken {
  token: string;
  /** The IG User id the token may read. */
  accountId: string;
  /** When the token expires, in seconds since the epoch; 0 = never. */
  expiresAt: number;
  /** The permissions `debug_token` reports. @default FAKE_GRAPH_SCOPES */
  scopes?: string[];
}

/** A Graph error to answer with, for {@link FakeGraphApi.failNext}. */
export interface FakeGraphError {
  /** The HTTP status (Graph errors are usually `400`; transient ones `500`). */
  status: number;
  /** The Graph error code (`190`, `4`, `1`, …). */
  code: number;
  /** `error_subcode`, e.g. 463 for an expired session. */
  subcode?: number;
  /** @default a message like Meta's for the code */
  message?: string;
  /** @default 'OAuthException' */
  type?: string;
  /** Extra response headers (`X-Business-Use-Case-Usage`, …). */
  headers?: Record<string, string>;
}

/** One request the fake answered, with its secrets replaced by `'***'`. */
export interface FakeGraphRequest {
  method: string;
  /** The path below `baseUrl`, version included (`/v25.0/17841400000000001`). */
  path: string;
  /** The query string; `access_token`, `client_secret`, `input_token`, `fb_exchange_token` and `appsecret_proof` are `'***'`. */
  query: Record<string, string>;
  /** The HTTP status the fake answered with. */
  status: number;
}

/** A fake of the parts of Meta's Graph API the CIMS server uses, with the controls tests need. */
export interface FakeGraphApi {
  /** One MSW handler answering every request under `baseUrl` (for `setupServer`, `setupWorker` or `getResponse`). */
  handlers: HttpHandler[];
  /** The current situation. */
  readonly scenario: GraphScenario;
  /** Switches the situation; takes effect on the next request. */
  useScenario(scenario: GraphScenario): void;
  /** Accounts by IG User id; the demo account is there from the start. Mutable (tests change counts). */
  accounts: Map<string, FakeGraphAccount>;
  /** Registers a user token: which account it may read, and when it expires (unix seconds; 0 = never). */
  addToken(token: FakeGraphToken): void;
  /**
   * The next `times` requests (any endpoint) fail with this Graph error, before any other check.
   * @default times 1
   */
  failNext(error: FakeGraphError, times?: number): void;
  /** Every request answered, oldest first, secrets replaced by `'***'`. */
  readonly requests: readonly FakeGraphRequest[];
  /** Answers one request without HTTP or MSW (for the mock CIMS API in the same process). */
  handle(request: Request): Promise<Response>;
  /** Back to the seed: the demo account and token only, the starting scenario, no queued failures, no request log. */
  reset(): void;
}

/** The permissions a token has unless registered with others. */
export const FAKE_GRAPH_SCOPES: readonly string[] = [
  'instagram_basic',
  'instagram_manage_insights',
  'pages_read_engagement',
  'pages_show_list',
];

/** How long the demo token and exchanged tokens live, in seconds (Meta's long-lived tokens: about 60 days). */
const LONG_LIVED_SECONDS = 60 * 86_400;
/** `expires_in` of an exchanged token, as Meta sends it. */
const EXCHANGED_EXPIRES_IN = 5_183_944;
/** The fields of an IG User the fake serves. */
const ACCOUNT_FIELDS = new Set(['id', 'username', 'followers_count', 'follows_count', 'media_count']);
/** Query parameters never written to the request log. */
const SECRET_PARAMS = new Set(['access_token', 'client_secret', 'input_token', 'fb_exchange_token', 'appsecret_proof']);
/** The Facebook user behind every user token of the fake (what `debug_token` reports as `user_id`). */
const FAKE_USER_ID = '10000000000000099';

/** Meta's wording for the errors the scenarios and `failNext` produce. */
const DEFAULT_MESSAGES: Record<number, string> = {
  1: 'An unknown error has occurred.',
  2: 'An unexpected error has occurred. Please retry your request later.',
  4: 'Application request limit reached',
  10: 'Application does not have permission for this action',
  17: 'User request limit reached',
  32: 'Page request limit reached',
  100: 'Invalid parameter',
  190: 'Invalid OAuth access token - Cannot parse access token',
  613: 'Calls to this api have exceeded the rate limit.',
};

interface GraphErrorBody {
  message: string;
  type: string;
  code: number;
  error_subcode?: number;
  is_transient?: boolean;
  fbtrace_id: string;
}

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const utc = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

/**
 * Creates a fake of the Graph API endpoints the CIMS server calls, speaking Meta's wire format:
 * - `GET /{v}/{ig-user-id}?fields=…&access_token=T` (the token may also come as `Authorization: Bearer T`): the
 *   requested fields (`id`, `username`, `followers_count`, `follows_count`, `media_count`) plus `id`; an unknown token
 *   is `400` code 190, an expired one code 190 subcode 463, an id the token may not read code 100 subcode 33;
 * - `GET /{v}/debug_token?input_token=T&access_token={appId}|{appSecret}`: the token's `expires_at`, `scopes`,
 *   `is_valid` (an unknown or expired token is `is_valid: false`); a wrong app token is `400` code 190;
 * - `GET /{v}/oauth/access_token?grant_type=fb_exchange_token&client_id&client_secret&fb_exchange_token=T`: a new
 *   long-lived token for the same account (60 days); a wrong client secret is `400` code 1.
 * Every response carries `X-App-Usage`. Which accounts and tokens exist, the scenario, and queued failures are the
 * test's to control.
 *
 * @example
 * const graph = createFakeGraphApi({ now: () => clock });
 * const server = setupServer(...graph.handlers);
 * graph.useScenario('rate-limited');
 * graph.failNext({ status: 500, code: 2 }); // one transient failure, then the scenario again
 */
export function createFakeGraphApi(options: FakeGraphApiOptions = {}): FakeGraphApi {
  const base = (options.baseUrl ?? 'https://graph.facebook.com').replace(/\/+$/, '');
  const basePath = new URL(`${base}/`).pathname;
  const now = options.now ?? Date.now;
  const appId = options.appId ?? FAKE_GRAPH_DEMO.appId;
  const appSecret = options.appSecret ?? FAKE_GRAPH_DEMO.appSecret;
  const initial = options.scenario ?? 'healthy';
  const startedAt = now();
  const demoExpiresAt = Math.floor(startedAt / 1000) + LONG_LIVED_SECONDS;

  let scenario: GraphScenario = initial;
  const accounts = new Map<string, FakeGraphAccount>();
  const tokens = new Map<string, Required<FakeGraphToken>>();
  const failures: FakeGraphError[] = [];
  const requests: FakeGraphRequest[] = [];
  let traces = 0;
  let exchanged = 0;

  const seed = () => {
    accounts.clear();
    tokens.clear();
    accounts.set(FAKE_GRAPH_DEMO.accountId, {
      id: FAKE_GRAPH_DEMO.accountId,
      username: FAKE_GRAPH_DEMO.username,
      ...demoFollowersOn(new Date(startedAt).toISOString().slice(0, 10)),
    });
    tokens.set(FAKE_GRAPH_DEMO.token, {
      token: FAKE_GRAPH_DEMO.token,
      accountId: FAKE_GRAPH_DEMO.accountId,
      expiresAt: demoExpiresAt,
      scopes: [...FAKE_GRAPH_SCOPES],
    });
  };
  seed();

  const fbtrace = () => `AFakeTrace${(++traces).toString(36).padStart(6, '0')}`;
  const usage = (callCount: number) =>
    JSON.stringify({
      call_count: callCount,
      total_cputime: Math.min(callCount, 20),
      total_time: Math.min(callCount, 30),
    });

  const graphError = (
    status: number,
    error: Omit<GraphErrorBody, 'fbtrace_id' | 'type'> & { type?: string },
    headers?: Record<string, string>,
  ): Answer => ({
    status,
    body: { error: { ...error, type: error.type ?? 'OAuthException', fbtrace_id: fbtrace() } },
    headers,
  });

  const queuedFailure = (failure: FakeGraphError): Answer =>
    graphError(
      failure.status,
      {
        message: failure.message ?? DEFAULT_MESSAGES[failure.code] ?? 'An unknown error has occurred.',
        type: failure.type,
        code: failure.code,
        ...(failure.subcode === undefined ? {} : { error_subcode: failure.subcode }),
        ...(failure.code === 1 || failure.code === 2 ? { is_transient: true } : {}),
      },
      failure.headers,
    );

  const invalidToken = () =>
    graphError(400, { message: 'Invalid OAuth access token - Cannot parse access token', code: 190 });
  const expiredToken = (expiresAt: number) =>
    graphError(400, {
      message: `Error validating access token: Session has expired on ${utc(expiresAt)}. The current time is ${utc(Math.floor(now() / 1000))}.`,
      code: 190,
      error_subcode: 463,
    });
  const unsupportedGet = (id: string) =>
    graphError(400, {
      message: `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
      type: 'GraphMethodException',
      code: 100,
      error_subcode: 33,
    });
  const missingParameter = (name: string) =>
    graphError(400, { message: `(#100) The parameter ${name} is required`, code: 100 });

  const isExpired = (token: FakeGraphToken) => token.expiresAt !== 0 && token.expiresAt <= now() / 1000;

  /** What the scenario makes of a user-token call, when it is not `healthy`. */
  const scenarioAnswer = (accountId: string): Answer | undefined => {
    switch (scenario) {
      case 'healthy':
        return undefined;
      case 'expired-token':
        return expiredToken(Math.floor(startedAt / 1000));
      case 'permission-revoked':
        return graphError(400, { message: DEFAULT_MESSAGES[10] as string, code: 10 });
      case 'rate-limited':
        return graphError(
          400,
          { message: DEFAULT_MESSAGES[4] as string, code: 4 },
          {
            'X-App-Usage': usage(100),
            'X-Business-Use-Case-Usage': JSON.stringify({
              [accountId]: [
                {
                  type: 'instagram',
                  call_count: 100,
                  total_cputime: 20,
                  total_time: 30,
                  estimated_time_to_regain_access: 5,
                },
              ],
            }),
          },
        );
      case 'server-error':
        return graphError(500, { message: DEFAULT_MESSAGES[1] as string, code: 1, is_transient: true });
      default: {
        const unknown: never = scenario;
        throw new Error(`Unknown Graph scenario ${String(unknown)}`);
      }
    }
  };

  const readAccount = (id: string, query: URLSearchParams, bearer: string | undefined): Answer => {
    const value = query.get('access_token') ?? bearer;
    if (!value) {
      return graphError(400, { message: 'An access token is required to request this resource.', code: 104 });
    }
    const token = tokens.get(value);
    const denied = scenarioAnswer(token?.accountId ?? id);
    if (denied) return denied;
    if (!token) return invalidToken();
    if (isExpired(token)) return expiredToken(token.expiresAt);
    const account = accounts.get(id);
    if (!account || token.accountId !== id) return unsupportedGet(id);
    const fields = (query.get('fields') ?? 'id')
      .split(',')
      .map((field) => field.trim())
      .filter(Boolean);
    const unknown = fields.find((field) => !ACCOUNT_FIELDS.has(field));
    if (unknown) {
      return graphError(400, {
        message: `(#100) Tried accessing nonexisting field (${unknown}) on node type (IGUser)`,
        code: 100,
      });
    }
    const body: Record<string, unknown> = {};
    for (const field of fields) body[field] = account[field as keyof FakeGraphAccount];
    body.id = account.id;
    return { status: 200, body };
  };

  const debugToken = (query: URLSearchParams): Answer => {
    if (query.get('access_token') !== `${appId}|${appSecret}`) {
      return graphError(400, { message: 'Invalid OAuth access token signature.', code: 190 });
    }
    const input = query.get('input_token');
    if (!input) return missingParameter('input_token');
    const token = tokens.get(input);
    if (!token) {
      return {
        status: 200,
        body: {
          data: {
            is_valid: false,
            error: { code: 190, message: 'Invalid OAuth access token - Cannot parse access token' },
            scopes: [],
          },
        },
      };
    }
    const data = {
      app_id: appId,
      type: 'USER',
      application: 'CIMS',
      expires_at: token.expiresAt,
      is_valid: !isExpired(token),
      scopes: token.scopes,
      user_id: FAKE_USER_ID,
    };
    if (data.is_valid) return { status: 200, body: { data } };
    return {
      status: 200,
      body: {
        data: {
          ...data,
          error: {
            code: 190,
            subcode: 463,
            message: `Error validating access token: Session has expired on ${utc(token.expiresAt)}.`,
          },
        },
      },
    };
  };

  const exchangeToken = (query: URLSearchParams): Answer => {
    if (query.get('grant_type') !== 'fb_exchange_token') {
      return graphError(400, { message: 'Unsupported grant_type', code: 100 });
    }
    if (query.get('client_id') !== appId) {
      return graphError(400, { message: 'Error validating application. Invalid application ID.', code: 101 });
    }
    if (query.get('client_secret') !== appSecret) {
      return graphError(400, { message: 'Error validating client secret.', code: 1 });
    }
    const value = query.get('fb_exchange_token');
    if (!value) return missingParameter('fb_exchange_token');
    const token = tokens.get(value);
    const denied = scenarioAnswer(token?.accountId ?? FAKE_GRAPH_DEMO.accountId);
    if (denied) return denied;
    if (!token) return invalidToken();
    if (isExpired(token)) return expiredToken(token.expiresAt);
    exchanged += 1;
    const fresh = `EAAFakeGraphExchangedToken${String(exchanged).padStart(10, '0')}`;
    tokens.set(fresh, {
      token: fresh,
      accountId: token.accountId,
      expiresAt: Math.floor(now() / 1000) + EXCHANGED_EXPIRES_IN,
      scopes: [...token.scopes],
    });
    return { status: 200, body: { access_token: fresh, token_type: 'bearer', expires_in: EXCHANGED_EXPIRES_IN } };
  };

  const route = (request: Request, path: string, query: URLSearchParams): Answer => {
    const failure = failures.shift();
    if (failure) return queuedFailure(failure);
    const match = /^\/(v\d+\.\d+)\/(.+?)\/?$/.exec(path);
    if (!match) return graphError(400, { message: `Unknown path components: ${path}`, code: 2500 });
    const rest = match[2] as string;
    if (request.method !== 'GET') {
      return graphError(400, {
        message: `Unsupported ${request.method.toLowerCase()} request.`,
        type: 'GraphMethodException',
        code: 100,
      });
    }
    if (rest === 'debug_token') return debugToken(query);
    if (rest === 'oauth/access_token') return exchangeToken(query);
    if (/^\d+$/.test(rest)) {
      const auth = request.headers.get('authorization');
      const bearer = auth?.match(/^(?:Bearer|OAuth)\s+(.+)$/i)?.[1]?.trim();
      return readAccount(rest, query, bearer);
    }
    return graphError(400, { message: `Unknown path components: /${rest}`, code: 2500 });
  };

  const handle = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const path = url.pathname.startsWith(basePath) ? url.pathname.slice(basePath.length - 1) : url.pathname;
    const answer = route(request, path, url.searchParams);
    const query: Record<string, string> = {};
    for (const [key, value] of url.searchParams) query[key] = SECRET_PARAMS.has(key) ? '***' : value;
    requests.push({ method: request.method, path, query, status: answer.status });
    return new Response(JSON.stringify(answer.body), {
      status: answer.status,
      headers: {
        'Content-Type': 'application/json; charset=UTF-8',
        'X-App-Usage': usage(1),
        'X-FB-Trace-ID': fbtrace(),
        ...answer.headers,
      },
    });
  };

  return {
    handlers: [http.all(`${base}/*`, ({ request }) => handle(request))],
    get scenario() {
      return scenario;
    },
    useScenario(next) {
      if (!GRAPH_SCENARIOS.includes(next)) {
        throw new Error(`Unknown Graph scenario "${next}"; use one of ${GRAPH_SCENARIOS.join(', ')}`);
      }
      scenario = next;
    },
    accounts,
    addToken(token) {
      tokens.set(token.token, { ...token, scopes: [...(token.scopes ?? FAKE_GRAPH_SCOPES)] });
    },
    failNext(error, times = 1) {
      for (let i = 0; i < times; i += 1) failures.push({ ...error });
    },
    get requests() {
      return requests;
    },
    handle,
    reset() {
      seed();
      scenario = initial;
      failures.length = 0;
      requests.length = 0;
      traces = 0;
      exchanged = 0;
    },
  };
}
