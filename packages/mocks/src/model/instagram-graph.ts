import type { InstagramErrorBody } from '@cims/contracts';
import {
  type GraphFailureCode,
  type GraphFailureKind,
  type GraphStage,
  graphFailureCode,
  graphFailureDetail,
  graphFailureKind,
  INSTAGRAM_MESSAGES,
} from '@cims/contracts/rules';
import type { FakeGraphApi } from '../graph/fake-graph-api.js';
import { MockApiError } from '../route-handler.js';

/** The Graph API version the mocks call, as the server's default `GRAPH_API_VERSION`. */
export const MOCK_GRAPH_VERSION = 'v25.0';
/** How many times a transient Graph failure (HTTP 5xx, codes 1 and 2, the network) is tried in all: the server's default `GRAPH_API_MAX_ATTEMPTS`. */
const ATTEMPTS = 4;
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
  /** Meta's `error.is_transient`. */
  isTransient: boolean;
}

/** The result of one Graph call (after retries). */
export type GraphResult<T> = { ok: true; body: T } | { ok: false; failure: GraphFailure };

/** Sorts a Graph failure by the contract's `graphFailureKind`, which the server's Graph client applies too. */
export function classify(failure: GraphFailure): GraphFailureKind {
  return graphFailureKind({
    status: failure.status === 0 ? null : failure.status,
    code: failure.error?.code,
    isTransient: failure.isTransient,
  });
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
  const unreached: GraphFailure = { status: 0, error: null, headers: null, readable: false, isTransient: false };
  let failure = unreached;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
    try {
      const response = await graph.handle(new Request(url));
      const body: unknown = await response.json().catch(() => null);
      if (response.ok && body !== null && !readError(body)) return { ok: true, body: body as T };
      failure = {
        status: response.status,
        error: readError(body),
        headers: response.headers,
        readable: Boolean(body),
        isTransient: (body as { error?: { is_transient?: unknown } } | null)?.error?.is_transient === true,
      };
    } catch {
      failure = unreached;
    }
    if (classify(failure) !== 'transient') break;
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
    code: GraphFailureCode,
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

/**
 * The API error a failed Graph call answers with, by the contract's `graphFailureCode`: at setup a refused token or
 * id is `400`, on a connected account a refused token or permission needs a reconnect (`409`); throttling is `503`
 * with `Retry-After`, Meta's trouble `502`.
 */
export function graphError(failure: GraphFailure, stage: GraphStage): InstagramGraphError {
  const kind = classify(failure);
  const code = graphFailureCode(kind, stage);
  if (kind === 'rate-limited') {
    const seconds = retryAfterSeconds(failure.headers);
    return new InstagramGraphError(code, INSTAGRAM_MESSAGES.throttled(seconds, failure.error?.message), {
      graphError: failure.error,
      retryAfter: seconds,
    });
  }
  return new InstagramGraphError(
    code,
    graphFailureDetail(kind, stage, {
      graphMessage: failure.error?.message,
      failure: describe(failure),
      unavailable: INSTAGRAM_MESSAGES.graphUnavailable(describe(failure), ATTEMPTS),
    }),
    { graphError: failure.error },
  );
}
