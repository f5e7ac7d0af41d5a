import { createHmac } from 'node:crypto';
import { graphFailureKind, INSTAGRAM_MESSAGES } from '@cims/contracts/rules';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { GraphCallOutcome } from '../../metrics.js';
import { redactUrl } from './graph-url.js';

/** How long a throttled caller is told to wait when the Graph API gives no estimate. */
const DEFAULT_RETRY_AFTER_SECONDS = 60;

/** The error object of a Graph API answer, as Meta sent it. */
export interface GraphErrorObject {
  code: number;
  subcode: number | null;
  type: string | null;
  message: string;
  fbtrace_id: string | null;
}

/** The usage headers of the last answer: `X-App-Usage` and `X-Business-Use-Case-Usage`, parsed. */
export interface GraphUsage {
  app: Record<string, unknown> | null;
  business: Record<string, unknown> | null;
}

/**
 * How a failed call ended:
 * - `token`: code 190, the token is expired, revoked or invalid;
 * - `permission`: code 10 or 200–299, a permission is missing;
 * - `rate-limited`: codes 4, 17, 32, 613, 80000–80014, and the wait is too long (or retries ran out);
 * - `unavailable`: HTTP 5xx, codes 1 and 2, a timeout or the network, after every attempt;
 * - `other`: any other answer (code 100 for an unknown object among them).
 * The kinds are `graphFailureKind`'s of `@cims/contracts/rules`, which the mocks apply too.
 */
export type GraphFailure = 'token' | 'permission' | 'rate-limited' | 'unavailable' | 'other';

/** A Graph API call that did not succeed. Its message never contains a token or a URL. */
export class GraphApiError extends Error {
  constructor(
    readonly failure: GraphFailure,
    message: string,
    readonly details: {
      graph: GraphErrorObject | null;
      status: number | null;
      usage: GraphUsage | null;
      attempts: number;
      /** With `rate-limited`: when access should return. */
      retryAfterSeconds?: number;
    },
  ) {
    super(message);
    this.name = 'GraphApiError';
  }
}

/** What the Graph API says about an IG User. */
export interface GraphUser {
  id: string;
  username: string | null;
  followers_count: number;
  follows_count: number;
  media_count: number;
}

/** `debug_token`'s view of a user token. */
export interface TokenInfo {
  isValid: boolean;
  /** Unix seconds; 0 when the token does not expire. */
  expiresAt: number;
  scopes: string[];
  error: GraphErrorObject | null;
}

/** A successful answer and the usage headers it came with. */
export interface GraphResult<TData> {
  data: TData;
  usage: GraphUsage;
}

/** Options of {@link GraphClient}; the defaults come from the configuration. */
export interface GraphClientOptions {
  baseUrl: string;
  version: string;
  timeoutMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  rateLimitMaxWaitMs: number;
  app?: { id: string; secret: string } | undefined;
  /** @default globalThis.fetch */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** @default a timer */
  sleep?: (ms: number) => Promise<void>;
  /** In [0, 1), for the jitter. @default Math.random */
  random?: () => number;
  /** Gets one `debug` line per attempt, with the URL's secrets redacted. */
  logger?: Logger;
  /** Told how each call ended, all its attempts done: the metrics. */
  onCall?: (outcome: GraphCallOutcome) => void;
}

/** Removes `secrets` from a text that came from elsewhere (a Graph message, a network error). */
function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('***');
  return out;
}

function parseJsonHeader(value: string | null): Record<string, unknown> | null {
  if (!value) return null;
  try {
    const parsed: unknown = JSON.parse(value);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function usageOf(headers: Headers): GraphUsage {
  return {
    app: parseJsonHeader(headers.get('x-app-usage')),
    business: parseJsonHeader(headers.get('x-business-use-case-usage')),
  };
}

/**
 * Seconds until a throttled app or account may call again, from the usage headers: the largest
 * `estimated_time_to_regain_access` (minutes) of `X-Business-Use-Case-Usage`, else `Retry-After`. An `X-App-Usage` at
 * 100% with no estimate means the app's rolling hour is spent: a minute is assumed. Null when nothing says to wait
 * (a short backoff then).
 */
export function regainAccessSeconds(headers: Headers): number | null {
  let minutes = 0;
  const business = parseJsonHeader(headers.get('x-business-use-case-usage'));
  for (const entries of Object.values(business ?? {})) {
    if (!Array.isArray(entries)) continue;
    for (const entry of entries) {
      const value = Number((entry as { estimated_time_to_regain_access?: unknown })?.estimated_time_to_regain_access);
      if (Number.isFinite(value) && value > minutes) minutes = value;
    }
  }
  if (minutes > 0) return Math.ceil(minutes * 60);
  const retryAfter = Number(headers.get('retry-after'));
  if (Number.isFinite(retryAfter) && retryAfter > 0) return Math.ceil(retryAfter);
  if (business) return null;
  const app = parseJsonHeader(headers.get('x-app-usage')) ?? {};
  const spent = Object.values(app).some((value) => typeof value === 'number' && value >= 100);
  return spent ? DEFAULT_RETRY_AFTER_SECONDS : null;
}

function errorObjectOf(body: unknown, secrets: readonly string[]): GraphErrorObject | null {
  const error = (body as { error?: unknown } | null)?.error as Record<string, unknown> | undefined;
  if (!error || typeof error !== 'object' || typeof error.code !== 'number') return null;
  const text = (value: unknown) => (typeof value === 'string' ? scrub(value, secrets) : null);
  return {
    code: error.code,
    subcode: typeof error.error_subcode === 'number' ? error.error_subcode : null,
    type: text(error.type),
    message: text(error.message) ?? INSTAGRAM_MESSAGES.graphGaveNoMessage,
    fbtrace_id: text(error.fbtrace_id),
  };
}

/** The contract's kind of a failed answer, as this client acts on it: a transient one is tried again. */
function failureOf(status: number, graph: GraphErrorObject | null, isTransient: boolean): GraphFailure | 'retry' {
  const kind = graphFailureKind({ status, code: graph?.code, isTransient });
  if (kind === 'transient') return 'retry';
  // An unknown object (code 100) stays `other`: `graphFailure` words it by the code, at setup and on use.
  return kind === 'unknown-object' ? 'other' : kind;
}

/** One attempt's outcome. */
type Attempt =
  | { ok: true; body: unknown; usage: GraphUsage }
  | {
      ok: false;
      kind: GraphFailure | 'retry';
      message: string;
      graph: GraphErrorObject | null;
      status: number | null;
      usage: GraphUsage | null;
      regainSeconds: number | null;
    };

/**
 * The few Graph API calls the Instagram module makes, with the failure policy in one place: bounded retries with
 * exponential backoff and full jitter for transient failures (HTTP 5xx, codes 1 and 2, timeouts, the network); a
 * throttled call (codes 4, 17, 32, 613, 80000–80014) waits and retries only when access returns soon; tokens and
 * permissions (190, 10, 200–299) are never retried. Tokens travel as query parameters, so no URL ever reaches an
 * error message.
 */
export class GraphClient {
  readonly #options: GraphClientOptions;
  readonly #fetch: NonNullable<GraphClientOptions['fetch']>;
  readonly #sleep: NonNullable<GraphClientOptions['sleep']>;
  readonly #random: () => number;

  constructor(options: GraphClientOptions) {
    this.#options = options;
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#random = options.random ?? Math.random;
  }

  /** Whether the Meta app's credentials are configured (`debug_token`, token exchange). */
  get hasAppCredentials(): boolean {
    return this.#options.app !== undefined;
  }

  /** Followers, follows, media and username of an IG User. */
  async user(igUserId: string, token: string): Promise<GraphResult<GraphUser>> {
    const params: Record<string, string> = {
      fields: 'id,username,followers_count,follows_count,media_count',
      access_token: token,
    };
    // With the app secret known, prove the call comes from the app's server (Meta's "Require App Secret").
    if (this.#options.app) {
      params.appsecret_proof = createHmac('sha256', this.#options.app.secret).update(token).digest('hex');
    }
    const result = await this.#call(encodeURIComponent(igUserId), params, [token]);
    const body = result.data as Record<string, unknown>;
    const count = (name: string): number => {
      const value = body[name];
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
        throw new GraphApiError('other', `The Graph API answered without a valid ${name}`, {
          graph: null,
          status: 200,
          usage: result.usage,
          attempts: 1,
        });
      }
      return value;
    };
    return {
      usage: result.usage,
      data: {
        id: String(body.id ?? igUserId),
        username: typeof body.username === 'string' ? body.username : null,
        followers_count: count('followers_count'),
        follows_count: count('follows_count'),
        media_count: count('media_count'),
      },
    };
  }

  /** `debug_token`: validity, expiry and scopes of a user token (needs the app credentials). */
  async debugToken(token: string): Promise<GraphResult<TokenInfo>> {
    const app = this.#requireApp();
    const appToken = `${app.id}|${app.secret}`;
    const result = await this.#call('debug_token', { input_token: token, access_token: appToken }, [
      token,
      appToken,
      app.secret,
    ]);
    const data = ((result.data as { data?: unknown }).data ?? {}) as Record<string, unknown>;
    return {
      usage: result.usage,
      data: {
        isValid: data.is_valid === true,
        expiresAt: typeof data.expires_at === 'number' ? data.expires_at : 0,
        scopes: Array.isArray(data.scopes) ? data.scopes.map(String) : [],
        error: errorObjectOf({ error: data.error }, [token, app.secret]),
      },
    };
  }

  /** Exchanges a long-lived user token for a new one (`fb_exchange_token`); needs the app credentials. */
  async exchangeToken(token: string): Promise<GraphResult<{ accessToken: string; expiresIn: number | null }>> {
    const app = this.#requireApp();
    const result = await this.#call(
      'oauth/access_token',
      { grant_type: 'fb_exchange_token', client_id: app.id, client_secret: app.secret, fb_exchange_token: token },
      [token, app.secret],
    );
    const body = result.data as { access_token?: unknown; expires_in?: unknown };
    if (typeof body.access_token !== 'string' || body.access_token.length === 0) {
      throw new GraphApiError('other', 'The Graph API answered the token exchange without a token', {
        graph: null,
        status: 200,
        usage: result.usage,
        attempts: 1,
      });
    }
    return {
      usage: result.usage,
      data: {
        accessToken: body.access_token,
        expiresIn: typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : null,
      },
    };
  }

  #requireApp(): { id: string; secret: string } {
    if (!this.#options.app) throw new Error('META_APP_ID and META_APP_SECRET are not configured');
    return this.#options.app;
  }

  /** The backoff before attempt `attempt + 1`: full jitter below min(max, base × 2^(attempt−1)). */
  #backoffMs(attempt: number): number {
    const ceiling = Math.min(this.#options.retryMaxMs, this.#options.retryBaseMs * 2 ** (attempt - 1));
    return Math.floor(this.#random() * ceiling);
  }

  async #call(path: string, params: Record<string, string>, secrets: string[]): Promise<GraphResult<unknown>> {
    try {
      const result = await this.#attempts(path, params, secrets);
      this.#options.onCall?.('ok');
      return result;
    } catch (error) {
      const kind = error instanceof GraphApiError ? error.failure : 'other';
      this.#options.onCall?.(kind === 'rate-limited' ? 'rate_limited' : kind);
      throw error;
    }
  }

  async #attempts(path: string, params: Record<string, string>, secrets: string[]): Promise<GraphResult<unknown>> {
    const { baseUrl, version, maxAttempts, rateLimitMaxWaitMs } = this.#options;
    const url = `${baseUrl}/${version}/${path}?${new URLSearchParams(params).toString()}`;
    let last: Extract<Attempt, { ok: false }> | undefined;
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      const outcome = await this.#attempt(url, secrets);
      this.#options.logger?.debug(
        {
          graph: {
            url: redactUrl(url),
            attempt,
            status: outcome.ok ? 200 : outcome.status,
            error: outcome.ok ? null : (outcome.graph?.code ?? null),
          },
        },
        'Graph API call',
      );
      if (outcome.ok) return { data: outcome.body, usage: outcome.usage };
      last = outcome;
      const more = attempt < maxAttempts;
      if (outcome.kind === 'rate-limited') {
        const waitMs = outcome.regainSeconds === null ? this.#backoffMs(attempt) : outcome.regainSeconds * 1000;
        if (!more || waitMs > rateLimitMaxWaitMs) {
          throw new GraphApiError('rate-limited', outcome.message, {
            graph: outcome.graph,
            status: outcome.status,
            usage: outcome.usage,
            attempts: attempt,
            retryAfterSeconds: outcome.regainSeconds ?? DEFAULT_RETRY_AFTER_SECONDS,
          });
        }
        await this.#sleep(waitMs);
        continue;
      }
      if (outcome.kind !== 'retry') {
        const { graph, status, usage } = outcome;
        throw new GraphApiError(outcome.kind, outcome.message, { graph, status, usage, attempts: attempt });
      }
      if (more) await this.#sleep(this.#backoffMs(attempt));
    }
    // Only transient failures get here, once every attempt has failed.
    const failed = last as Extract<Attempt, { ok: false }>;
    throw new GraphApiError('unavailable', INSTAGRAM_MESSAGES.graphUnavailable(failed.message, maxAttempts), {
      graph: failed.graph,
      status: failed.status,
      usage: failed.usage,
      attempts: maxAttempts,
    });
  }

  async #attempt(url: string, secrets: readonly string[]): Promise<Attempt> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.#options.timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await this.#fetch(url, {
        method: 'GET',
        headers: { accept: 'application/json' },
        signal: controller.signal,
      });
      text = await response.text();
    } catch (error) {
      const timedOut = controller.signal.aborted;
      // Node's fetch reports the network's reason (ECONNREFUSED, ENOTFOUND, …) as the cause; only its code is kept.
      const cause = (error as { cause?: { code?: unknown } }).cause;
      const code = typeof cause?.code === 'string' ? cause.code : undefined;
      return {
        ok: false,
        kind: 'retry',
        message: timedOut
          ? `The Graph API did not answer within ${this.#options.timeoutMs} ms`
          : INSTAGRAM_MESSAGES.graphUnreachable(code),
        graph: null,
        status: null,
        usage: null,
        regainSeconds: null,
      };
    } finally {
      clearTimeout(timer);
    }
    const usage = usageOf(response.headers);
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    const graph = errorObjectOf(body, secrets);
    if (response.ok && !graph && body && typeof body === 'object') return { ok: true, body, usage };
    const transientFlag = (body as { error?: { is_transient?: unknown } } | null)?.error?.is_transient === true;
    const kind = failureOf(response.status, graph, transientFlag);
    const message = INSTAGRAM_MESSAGES.graphAnswered(response.status, graph, Boolean(body));
    return {
      ok: false,
      kind,
      message,
      graph,
      status: response.status,
      usage,
      regainSeconds: kind === 'rate-limited' ? regainAccessSeconds(response.headers) : null,
    };
  }
}

/** The client of a configuration. */
export function createGraphClient(
  config: Pick<Config, 'graph'>,
  logger?: Logger,
  onCall?: GraphClientOptions['onCall'],
): GraphClient {
  return new GraphClient({ ...config.graph, logger, onCall });
}
