import {
  type ApiErrorBody,
  ERROR_CODES,
  type ErrorCodeForStatus,
  type ErrorStatus,
  type ValidationErrorBody,
} from '@cims/contracts';
import type { ResponseIssue } from './route-descriptor.js';

/**
 * The base of every error the SDK throws: catch it to handle them all, then branch with `instanceof` on the subclass
 * ({@link CimsApiError}, {@link CimsUnexpectedResponseError}, {@link CimsNetworkError}, {@link CimsTimeoutError},
 * {@link CimsResponseValidationError}, {@link SessionExpiredError}).
 *
 * @example
 * try {
 *   unwrap(await cims.auth.me());
 * } catch (error) {
 *   if (!(error instanceof CimsError)) throw error; // a bug in the app, not a failed call
 *   showToast(error instanceof CimsApiError ? error.message : 'The server cannot be reached, try again');
 * }
 */
export class CimsError extends Error {
  override name = 'CimsError';
}

/** The body of an API error with the given status: the `422` list, or `{ detail, code }` with that status's codes. */
export type CimsErrorBody<TStatus extends ErrorStatus = ErrorStatus> = TStatus extends 422
  ? ValidationErrorBody
  : Omit<ApiErrorBody, 'code'> & { code: ErrorCodeForStatus<TStatus> };

/**
 * The {@link CimsApiError} that {@link unwrap} throws for a route's result: one member per error status the route
 * declares, each with that status's codes and body.
 *
 * @example
 * type LoginError = CimsApiErrorOf<Awaited<ReturnType<typeof cims.auth.login>>>; // 401 | 403 | 422 | 429 | 500 | 503
 */
export type CimsApiErrorOf<TResult> = TResult extends { status: infer TStatus extends ErrorStatus }
  ? CimsApiError<TStatus>
  : never;

const KNOWN_CODES: ReadonlySet<string> = new Set(ERROR_CODES);

/** Whether a body is the API's error shape (`{ detail, code }` with a known code, or the `422` list). */
export function isApiErrorBody(body: unknown): body is CimsErrorBody {
  if (typeof body !== 'object' || body === null) return false;
  const { detail, code } = body as { detail?: unknown; code?: unknown };
  return (typeof detail === 'string' || Array.isArray(detail)) && typeof code === 'string' && KNOWN_CODES.has(code);
}

/**
 * An error response of the API, thrown by {@link unwrap} and the sign-in methods. `code` is stable; branch on it.
 * `status` and `code` are typed from the contract: {@link CimsApiError.hasStatus} narrows `code` and `body` to what that
 * status can carry.
 *
 * @example
 * try {
 *   await cims.login({ email, password });
 * } catch (error) {
 *   if (error instanceof CimsApiError && error.code === 'INVALID_CREDENTIALS') showWrongPassword();
 *   if (error instanceof CimsApiError && error.hasStatus(429)) retryIn(error.retryAfterSeconds);
 * }
 */
export class CimsApiError<TStatus extends ErrorStatus = ErrorStatus> extends CimsError {
  override name = 'CimsApiError';
  /** The HTTP status. */
  readonly status: TStatus;
  /** The stable error code (`NOT_FOUND`, `VALIDATION_FAILED`, …): one of the codes sent with this status. */
  readonly code: ErrorCodeForStatus<TStatus>;
  /** The response body: `{ detail, code }`, or for a `422` the list of invalid fields in `detail`. */
  readonly body: CimsErrorBody<TStatus>;
  /** The response headers (`Retry-After` of a `429` or `503`, …). */
  readonly headers: Headers;

  /** `body` must be the API's error shape (see {@link isApiErrorBody}); anything else is a {@link CimsUnexpectedResponseError}. */
  constructor(status: TStatus, body: CimsErrorBody<TStatus>, headers: Headers = new Headers()) {
    const { detail } = body as CimsErrorBody;
    super(typeof detail === 'string' ? detail : detail.map((issue) => issue.msg).join(', '));
    this.status = status;
    this.code = body.code as ErrorCodeForStatus<TStatus>;
    this.body = body;
    this.headers = headers;
  }

  /**
   * Narrows the error to one status, and with it `code` and `body`.
   * @example
   * if (error.hasStatus(422)) form.setErrors(error.fieldErrors);
   */
  hasStatus<TOne extends TStatus>(status: TOne): this is CimsApiError<TOne> {
    return this.status === status;
  }

  /**
   * How long to wait before trying again, from the `Retry-After` header (seconds, or an HTTP date), in whole seconds;
   * `undefined` without one.
   */
  get retryAfterSeconds(): number | undefined {
    const value = this.headers.get('retry-after');
    if (value === null || value.trim() === '') return undefined;
    const seconds = Number(value);
    if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
    const date = Date.parse(value);
    return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
  }

  /** For a `422`: each invalid field by name (the last element of `loc`), FastAPI-style. */
  get fieldErrors(): Record<string, string> {
    const { detail } = this.body as CimsErrorBody;
    if (!Array.isArray(detail)) return {};
    const out: Record<string, string> = {};
    for (const issue of detail) {
      const field = [...issue.loc].reverse().find((part) => typeof part === 'string');
      if (field !== undefined && !(field in out)) out[field] = issue.msg;
    }
    return out;
  }
}

/** Where a failed call was going: its method and full URL. */
export interface CimsRequestInfo {
  method: string;
  url: string;
}

/** What {@link CimsUnexpectedResponseError} knows of the call: nothing when {@link unwrap} got a result built by hand. */
type MaybeRequestInfo = { [K in keyof CimsRequestInfo]: CimsRequestInfo[K] | undefined };

/**
 * A response that is not the API's: a status the route does not declare (a proxy's `502`, a load balancer's `504`),
 * or an error page that is not JSON. Usually passing; retrying later is reasonable.
 *
 * @example
 * if (error instanceof CimsUnexpectedResponseError && error.status >= 500) showToast('The server is having trouble');
 */
export class CimsUnexpectedResponseError extends CimsError {
  override name = 'CimsUnexpectedResponseError';
  /** The HTTP method of the call (`undefined` only for a result {@link unwrap} did not get from the client). */
  readonly method: string | undefined;
  /** The URL of the call (`undefined` only for a result {@link unwrap} did not get from the client). */
  readonly url: string | undefined;
  /** The HTTP status. */
  readonly status: number;
  /** The body as received: a string for text and HTML, parsed JSON, or a `Blob`. */
  readonly body: unknown;
  /** The response headers. */
  readonly headers: Headers;

  constructor(request: MaybeRequestInfo, response: { status: number; body: unknown; headers: Headers }) {
    const type = response.headers.get('content-type');
    const to = request.url ? ` to ${request.method} ${request.url}` : '';
    super(`Unexpected response${to}: status ${response.status}${type ? ` (${type.split(';')[0]})` : ''}`);
    this.method = request.method;
    this.url = request.url;
    this.status = response.status;
    this.body = response.body;
    this.headers = response.headers;
  }
}

/**
 * The request got no response: the server cannot be reached (connection refused, DNS, offline, CORS) or the connection
 * broke before the whole response arrived. The original error is the `cause`. Nothing is known about whether the server
 * acted on the request.
 *
 * @example
 * if (error instanceof CimsNetworkError) showOfflineBanner();
 */
export class CimsNetworkError extends CimsError {
  override name = 'CimsNetworkError';
  /** The HTTP method of the call. */
  readonly method: string;
  /** The URL of the call. */
  readonly url: string;

  constructor(request: CimsRequestInfo, options: { cause: unknown }) {
    super(`${request.method} ${request.url} failed: no response (${describe(options.cause)})`, options);
    this.method = request.method;
    this.url = request.url;
  }
}

/**
 * No complete response within the client's `timeoutMs` (see `createCimsClient`); the request was aborted. As with a
 * {@link CimsNetworkError}, the server may still have acted on it.
 *
 * @example
 * if (error instanceof CimsTimeoutError) showToast(`No answer after ${error.timeoutMs / 1000} s`);
 */
export class CimsTimeoutError extends CimsError {
  override name = 'CimsTimeoutError';
  /** The HTTP method of the call. */
  readonly method: string;
  /** The URL of the call. */
  readonly url: string;
  /** The time limit that ran out, in milliseconds. */
  readonly timeoutMs: number;

  constructor(request: CimsRequestInfo, timeoutMs: number) {
    super(`${request.method} ${request.url} timed out after ${timeoutMs} ms`);
    this.method = request.method;
    this.url = request.url;
    this.timeoutMs = timeoutMs;
  }
}

/** A short reason from a fetch failure; undici puts the useful part (ECONNREFUSED, …) in its own `cause`. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const inner = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${inner}`;
}

/**
 * A response did not match the contract: the server and this SDK disagree.
 *
 * @example
 * if (error instanceof CimsResponseValidationError) {
 *   for (const issue of error.issues) console.warn(error.path, issue.path, issue.message);
 * }
 */
export class CimsResponseValidationError extends CimsError {
  override name = 'CimsResponseValidationError';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    /**
     * What is wrong with the body: per problem, what was expected and the keys from the body to the value (never the
     * value itself).
     */
    readonly issues: readonly ResponseIssue[],
  ) {
    super(`The response of ${method} ${path} (status ${status}) does not match the contract`);
  }
}

/**
 * Why a session ended without the user signing out in this tab:
 * - `refresh-failed`: the refresh token was refused (expired, revoked, reused) or the refresh request failed;
 * - `signed-out`: the user signed out in another tab (or a refresh failed there).
 */
export type SessionEndReason = 'refresh-failed' | 'signed-out';

/**
 * The session is over and the tokens are gone from the store: sign in again. Every call waiting on the failed
 * refresh rejects with it, and so does a call of that session whose `401` comes back only after it failed (or after
 * another tab signed out); `onSessionExpired` receives it once.
 *
 * @example
 * try {
 *   unwrap(await cims.auth.me());
 * } catch (error) {
 *   if (error instanceof SessionExpiredError) router.navigate('/auth/login');
 * }
 */
export class SessionExpiredError extends CimsError {
  override name = 'SessionExpiredError';
  /** Why the session ended. */
  readonly reason: SessionEndReason;

  /** `cause` is what the refresh failed with: a {@link CimsApiError} (`REFRESH_TOKEN_REUSED`, …) or a network error. */
  constructor(reason: SessionEndReason, options?: { cause?: unknown }) {
    super(reason === 'signed-out' ? 'Signed out in another tab' : 'The session has expired; sign in again', options);
    this.reason = reason;
  }
}
