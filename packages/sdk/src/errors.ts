import type { ApiErrorBody, ValidationErrorBody } from '@cims/contracts';

/**
 * An error response of the API, thrown by {@link unwrap} and the sign-in methods. `code` is stable; branch on it.
 *
 * @example
 * try {
 *   await cims.login({ email, password });
 * } catch (error) {
 *   if (error instanceof CimsApiError && error.code === 'INVALID_CREDENTIALS') showWrongPassword();
 * }
 */
export class CimsApiError extends Error {
  /** The HTTP status. */
  readonly status: number;
  /** The error code (`NOT_FOUND`, `VALIDATION_FAILED`, …), or `UNKNOWN` for a body that is not the API's shape. */
  readonly code: string;
  /** The response body as received. */
  readonly body: unknown;

  constructor(status: number, body: unknown) {
    const parsed = body as Partial<ApiErrorBody | ValidationErrorBody> | undefined;
    const detail = parsed?.detail;
    const message =
      typeof detail === 'string'
        ? detail
        : Array.isArray(detail)
          ? detail.map((issue) => issue.msg).join(', ')
          : `Request failed with status ${status}`;
    super(message);
    this.name = 'CimsApiError';
    this.status = status;
    this.code = typeof parsed?.code === 'string' ? parsed.code : 'UNKNOWN';
    this.body = body;
  }

  /** For a `422`: each invalid field by name (the last element of `loc`), FastAPI-style. */
  get fieldErrors(): Record<string, string> {
    const detail = (this.body as Partial<ValidationErrorBody> | undefined)?.detail;
    if (!Array.isArray(detail)) return {};
    const out: Record<string, string> = {};
    for (const issue of detail) {
      const field = [...issue.loc].reverse().find((part) => typeof part === 'string');
      if (field !== undefined && !(field in out)) out[field] = issue.msg;
    }
    return out;
  }
}

/** A response did not match the contract: the server and this SDK disagree. */
export class CimsResponseValidationError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly issues: unknown,
  ) {
    super(`The response of ${method} ${path} (status ${status}) does not match the contract`);
    this.name = 'CimsResponseValidationError';
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
 * refresh rejects with it, and `onSessionExpired` receives it once.
 *
 * @example
 * try {
 *   unwrap(await cims.auth.me());
 * } catch (error) {
 *   if (error instanceof SessionExpiredError) router.navigate('/auth/login');
 * }
 */
export class SessionExpiredError extends Error {
  /** Why the session ended. */
  readonly reason: SessionEndReason;

  /** `cause` is what the refresh failed with: a {@link CimsApiError} (`REFRESH_TOKEN_REUSED`, …) or a network error. */
  constructor(reason: SessionEndReason, options?: { cause?: unknown }) {
    super(reason === 'signed-out' ? 'Signed out in another tab' : 'The session has expired; sign in again', options);
    this.name = 'SessionExpiredError';
    this.reason = reason;
  }
}
