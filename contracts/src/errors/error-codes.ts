/**
 * Every error the API can return has one stable, UPPER_SNAKE code, and every code maps to exactly one HTTP status.
 * Clients branch on `code`; `detail` is a human-readable message that may change between releases.
 *
 * Adding a code means adding it to {@link ERROR_STATUS} as well: the `Record` below fails to compile otherwise.
 */
export const ERROR_CODES = [
  'MALFORMED_BODY',
  'INVALID_CODE',
  'WRONG_CURRENT_PASSWORD',
  'NOTHING_TO_UPDATE',
  'INVALID_FILE',
  'INSTAGRAM_TOKEN_REJECTED',
  'UNAUTHENTICATED',
  'INVALID_CREDENTIALS',
  'REFRESH_TOKEN_INVALID',
  'REFRESH_TOKEN_REUSED',
  'INVALID_API_KEY',
  'FORBIDDEN',
  'INVALID_SIGNATURE',
  'ACCOUNT_INACTIVE',
  'EMAIL_NOT_VERIFIED',
  'REGISTRATION_CLOSED',
  'NO_PAGE_ACCESS',
  'NOT_FOUND',
  'INSTAGRAM_NOT_CONNECTED',
  'METHOD_NOT_ALLOWED',
  'CONFLICT',
  'EMAIL_TAKEN',
  'STATUS_IN_USE',
  'INSTAGRAM_RECONNECT_REQUIRED',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'RANGE_NOT_SATISFIABLE',
  'VALIDATION_FAILED',
  'RATE_LIMITED',
  'INTERNAL',
  'UPSTREAM_UNAVAILABLE',
  'SERVICE_UNAVAILABLE',
  'UPSTREAM_RATE_LIMITED',
  'DATABASE_UNAVAILABLE',
  'STORAGE_UNAVAILABLE',
] as const;

/** A stable, machine-readable error code. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The HTTP status each {@link ErrorCode} is sent with. */
export const ERROR_STATUS = {
  /** The body could not be read (malformed JSON, broken multipart). */
  MALFORMED_BODY: 400,
  /** A verification or reset code is wrong, expired, used up or out of attempts. */
  INVALID_CODE: 400,
  /** `current_password` does not match. Deliberately not 401, which would make clients refresh their session. */
  WRONG_CURRENT_PASSWORD: 400,
  /** An update request that changes nothing. */
  NOTHING_TO_UPDATE: 400,
  /** An uploaded file has the wrong type or is empty. */
  INVALID_FILE: 400,
  /** The Graph API refused the access token or the account id given to `/instagram/setup`; nothing was saved. */
  INSTAGRAM_TOKEN_REJECTED: 400,
  /** No usable access token: missing, malformed, expired, or of a revoked session. Clients refresh on this. */
  UNAUTHENTICATED: 401,
  /** Wrong e-mail or password (the same answer for both). */
  INVALID_CREDENTIALS: 401,
  /** The refresh token is unknown, expired or revoked. */
  REFRESH_TOKEN_INVALID: 401,
  /** An already-rotated refresh token was presented again: the session was revoked as a precaution. */
  REFRESH_TOKEN_REUSED: 401,
  /** The `X-Key` header of the intake API is missing or wrong. */
  INVALID_API_KEY: 401,
  /** Authenticated, but not allowed to do this. */
  FORBIDDEN: 403,
  /** A signed URL's signature is wrong or has expired; ask the API for a fresh URL. */
  INVALID_SIGNATURE: 403,
  /** The account was deactivated by an administrator. */
  ACCOUNT_INACTIVE: 403,
  /** The account's e-mail address is not verified yet. */
  EMAIL_NOT_VERIFIED: 403,
  /** Self-registration is closed on this server. */
  REGISTRATION_CLOSED: 403,
  /** The user has no page to land on. */
  NO_PAGE_ACCESS: 403,
  NOT_FOUND: 404,
  /** No Instagram account is connected: run `/instagram/setup` first. */
  INSTAGRAM_NOT_CONNECTED: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  /** An account with this e-mail address exists. */
  EMAIL_TAKEN: 409,
  /** A customer status still in use cannot be deleted without `reassign_to`. */
  STATUS_IN_USE: 409,
  /**
   * The stored Instagram token expired or was revoked, or a permission is missing: reconnect with `/instagram/setup`.
   * Deliberately not 401, which would make clients refresh their own session.
   */
  INSTAGRAM_RECONNECT_REQUIRED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  /** The `Range` asked for lies outside the file. */
  RANGE_NOT_SATISFIABLE: 416,
  VALIDATION_FAILED: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  /** A service this API depends on (the Graph API) failed or could not be reached, after retries. */
  UPSTREAM_UNAVAILABLE: 502,
  /** A feature this server is not configured for (the intake API without its key). */
  SERVICE_UNAVAILABLE: 503,
  /** A service this API depends on (the Graph API) is throttling us; `Retry-After` says when to try again. */
  UPSTREAM_RATE_LIMITED: 503,
  /**
   * The database cannot serve the request now: it is unreachable or restarting, every connection is busy, or a
   * statement or lock wait ran out (another transaction holds the rows). Nothing was changed; retry after the seconds
   * in `Retry-After`.
   */
  DATABASE_UNAVAILABLE: 503,
  /**
   * The object store that keeps call recordings and profile pictures is unreachable or failing: an upload stored no
   * file and changed nothing, a download sent nothing. Retry after the seconds in `Retry-After`.
   */
  STORAGE_UNAVAILABLE: 503,
} as const satisfies Record<ErrorCode, number>;

/** An HTTP status that some {@link ErrorCode} is sent with. */
export type ErrorStatus = (typeof ERROR_STATUS)[ErrorCode];

/** The codes that are sent with a given HTTP status. */
export type ErrorCodeForStatus<TStatus extends ErrorStatus> = {
  [K in ErrorCode]: (typeof ERROR_STATUS)[K] extends TStatus ? K : never;
}[ErrorCode];

/** Looks up the HTTP status of an error code. */
export function errorStatus(code: ErrorCode): ErrorStatus {
  return ERROR_STATUS[code];
}
