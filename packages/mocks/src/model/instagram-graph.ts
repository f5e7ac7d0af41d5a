import type { InstagramErrorBody } from '@cims/contracts';
import { INSTAGRAM_MESSAGES } from '@cims/contracts/rules';
import type { FakeGraphApi } from '../graph/fake-graph-api.js';
import { MockApiError } from '../route-handler.js';

/** The Graph API version the mocks call, as the server's default `GRAPH_API_VERSION`. */
export const MOCK_GRAPH_VERSION = 'v25.0';
/** How many times a transient Graph failure (HTTP 5xx, codes 1 and 2, the network) is tried in all: the server's default `GRAPH_API_MAX_ATTEMPTS`. */
const ATTEMPTS = 4;
/** Codes of the Graph API's throttling: app, user, page, per-endpoint limits, and the Business Use Case limits. */
const RATE_LIMIT_CODES = new Set([4, 17, 32, 613]);
/** `Retry-After` when the Graph API does not say when access returns, in seconds. */
const DEFAULT_RETRY_AFTER_SECONDS = 60;

type GraphErrorDetail = NonNullable<InstagramErrorBody['graph_error']>;

/** A failed Graph call: Meta's error object when it sent one, the status and headers. */
export interface GraphFailure {
  /** The HTTP status; 0 when the call reached nobody. */
  status: number;
  error: GraphErrorDetail | null;
  headers: Headers | null;
  /** Whether the answer had a JSON body. */
  readable: boolean;
}

/** What a Graph failure means for the CIMS API. */
export type GraphFailureKind = 'token' | 'permission' | 'rate-limited' | 'unavailable' | 'refused';

/** The result of one Graph call (after retries). */
export type GraphResult<T> = { ok: true; body: T } | { ok: false; failure: GraphFailure };

/** Sorts a Graph failure like the server: what needs a reconnect, what is throttling, what is Meta's trouble. */
export function classify(failure: GraphFailure): GraphFailureKind {
  const code = failure.error?.code;
  if (code === 190) return 'token';
  if (code === 10 || (code !== undefined && code >= 200 && code <= 299)) return 'permission';
  if (code !== undefined && (RATE_LIMIT_CODES.has(code) || (code >= 80_000 && code <= 80_014))) return 'rate-limited';
  if (code === 100) return 'refused';
  return 'unavailable';
}

function transient(failure: GraphFailure): boolean {
  const code = failure.error?.code;
  return failure.error === null || failure.status >= 500 || code === 1 || code === 2;
}

/** What a failed call got, as the server's Graph client describes it: the network failed, or the answer. */
function describe(failure: GraphFailure): string {
  return failure.status === 0
    ? INSTAGRAM_MESSAGES.graphUnreachable()
    : INSTAGRAM_MESSAGES.graphAnswered(failure.status, failure.error, failure.readable);
}

function readError(body: unknown): GraphErrorDetail | null {
  const error = (body as { error?: Record<string, unknown> } | null)?.error;
  if (!error || typeof error.code !== 'number') return null;
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  return {
    code: error.code,
    subcode: typeof error.error_subcode === 'number' ? error.error_subcode : null,
    type: text(error.type),
    message: text(error.message) ?? INSTAGRAM_MESSAGES.graphGaveNoMessage,
    fbtrace_id: text(error.fbtrace_id),
  };
}

/**
 * Seconds until the Graph API lets the app in again: the longest `estimated_time_to_regain_access` (minutes) of
 * `X-Business-Use-Case-Usage`, else a minute.
 */
export function retryAfterSeconds(headers: Headers | null): number {
  const raw = headers?.get('x-business-use-case-usage');
  let minutes = 0;
  try {
    const usage = raw ? (JSON.parse(raw) as Record<string, { estimated_time_to_regain_access?: unknown }[]>) : {};
    for (const entries of Object.values(usage)) {
      for (const entry of Array.isArray(entries) ? entries : []) {
        const value = entry.estimated_time_to_regain_access;
        if (typeof value === 'number' && value > minutes) minutes = value;
      }
    }
  } catch {
    minutes = 0;
  }
  return minutes > 0 ? Math.ceil(minutes * 60) : DEFAULT_RETRY_AFTER_SECONDS;
}

/**
 * Calls the fake Graph API in the same process (`graph.handle`, no HTTP), retrying transient failures at once, a
 * bounded number of times.
 */
export async function callGraph<T>(
  graph: FakeGraphApi,
  path: string,
  query: Record<string, string>,
): Promise<GraphResult<T>> {
  const url = new URL(`https://graph.facebook.com/${MOCK_GRAPH_VERSION}${path}`);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  let failure: GraphFailure = { status: 0, error: null, headers: null, readable: false };
  for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
    try {
      const response = await graph.handle(new Request(url));
      const body: unknown = await response.json().catch(() => null);
      if (response.ok && body !== null && !readError(body)) return { ok: true, body: body as T };
      failure = { status: response.status, error: readError(body), headers: response.headers, readable: Boolean(body) };
    } catch {
      failure = { status: 0, error: null, headers: null, readable: false };
    }
    if (!transient(failure)) break;
  }
  return { ok: false, failure };
}

/** An error of an Instagram route that came from the Graph API: the API error plus Meta's own and `retry_after_seconds`. */
export class InstagramGraphError extends MockApiError {
  /** Meta's own error, when the Graph API answered with one. */
  readonly graphError: GraphErrorDetail | null;
  /** With `UPSTREAM_RATE_LIMITED`: the seconds to wait, as `Retry-After` and `retry_after_seconds`. */
  readonly retryAfter: number | undefined;

  constructor(
    code:
      | 'INSTAGRAM_TOKEN_REJECTED'
      | 'INSTAGRAM_RECONNECT_REQUIRED'
      | 'UPSTREAM_UNAVAILABLE'
      | 'UPSTREAM_RATE_LIMITED',
    detail: string,
    { graphError, retryAfter }: { graphError: GraphErrorDetail | null; retryAfter?: number },
  ) {
    super(code, detail, retryAfter === undefined ? {} : { 'Retry-After': String(retryAfter) });
    this.graphError = graphError;
    this.retryAfter = retryAfter;
  }

  override get body(): InstagramErrorBody {
    return {
      detail: this.detail as string,
      code: this.code,
      ...(this.graphError ? { graph_error: this.graphError } : {}),
      ...(this.retryAfter === undefined ? {} : { retry_after_seconds: this.retryAfter }),
    };
  }
}

/** The API error a failed sync answers with. */
export function syncError(failure: GraphFailure): InstagramGraphError {
  const kind = classify(failure);
  switch (kind) {
    case 'token':
      return new InstagramGraphError(
        'INSTAGRAM_RECONNECT_REQUIRED',
        INSTAGRAM_MESSAGES.tokenExpired(failure.error?.message),
        { graphError: failure.error },
      );
    case 'permission':
      return new InstagramGraphError(
        'INSTAGRAM_RECONNECT_REQUIRED',
        INSTAGRAM_MESSAGES.permissionRevoked(failure.error?.message),
        { graphError: failure.error },
      );
    case 'rate-limited': {
      const seconds = retryAfterSeconds(failure.headers);
      return new InstagramGraphError(
        'UPSTREAM_RATE_LIMITED',
        INSTAGRAM_MESSAGES.throttled(seconds, failure.error?.message),
        { graphError: failure.error, retryAfter: seconds },
      );
    }
    case 'refused':
    case 'unavailable':
      // As the server words it: a transient failure that outlasted every attempt, else what the Graph API answered.
      return new InstagramGraphError(
        'UPSTREAM_UNAVAILABLE',
        transient(failure)
          ? INSTAGRAM_MESSAGES.graphUnavailable(describe(failure), ATTEMPTS)
          : INSTAGRAM_MESSAGES.graphFailed(describe(failure)),
        { graphError: failure.error },
      );
    default: {
      const unknown: never = kind;
      throw new Error(`Unknown Graph failure ${String(unknown)}`);
    }
  }
}

/** The API error a refused setup answers with: the token or id refused is `400`, Meta's trouble as for a sync. */
export function setupError(failure: GraphFailure): InstagramGraphError {
  const kind = classify(failure);
  const refused =
    kind === 'token'
      ? INSTAGRAM_MESSAGES.tokenRefused(failure.error?.message)
      : kind === 'permission'
        ? INSTAGRAM_MESSAGES.permissionLacking(failure.error?.message)
        : kind === 'refused'
          ? INSTAGRAM_MESSAGES.accountRefused(failure.error?.message)
          : undefined;
  if (refused !== undefined)
    return new InstagramGraphError('INSTAGRAM_TOKEN_REJECTED', refused, { graphError: failure.error });
  return syncError(failure);
}
