/**
 * Every error the API can return has one stable, UPPER_SNAKE code, and every code maps to exactly one HTTP status.
 * Clients branch on `code`; `detail` is a human-readable message that may change between releases.
 *
 * Adding a code means adding it to {@link ERROR_STATUS} as well: the `Record` below fails to compile otherwise.
 */
export const ERROR_CODES = [
  'MALFORMED_BODY',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'CONFLICT',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'VALIDATION_FAILED',
  'RATE_LIMITED',
  'INTERNAL',
  'SERVICE_UNAVAILABLE',
] as const;

/** A stable, machine-readable error code. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The HTTP status each {@link ErrorCode} is sent with. */
export const ERROR_STATUS = {
  MALFORMED_BODY: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  VALIDATION_FAILED: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  SERVICE_UNAVAILABLE: 503,
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
