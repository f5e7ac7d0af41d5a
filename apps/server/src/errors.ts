import { ERROR_STATUS, type ErrorCode, type ErrorStatus, type ValidationIssue } from '@cims/contracts';

/**
 * The one error type the server throws on purpose. The error middleware turns it into `{ detail, code }` with the
 * code's status; anything else thrown becomes a logged `500 INTERNAL` that reveals nothing.
 */
export class ApiError extends Error {
  readonly status: ErrorStatus;

  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    options?: { cause?: unknown; headers?: Record<string, string>; extra?: Record<string, unknown> },
  ) {
    super(detail, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApiError';
    this.status = ERROR_STATUS[code];
    this.headers = options?.headers ?? {};
    this.extra = options?.extra ?? {};
  }

  /** Extra response headers, such as `Allow` for 405 or `WWW-Authenticate` for 401. */
  readonly headers: Record<string, string>;

  /**
   * Extra fields of the body that the contract declares for this error, such as `in_use_count` of
   * `409 STATUS_IN_USE`. They never replace `detail` or `code`.
   */
  readonly extra: Record<string, unknown>;
}

/**
 * A `422 VALIDATION_FAILED` decided with the database (an unknown page, an inactive role), in the same FastAPI shape
 * as the contract's own validation.
 */
export class ValidationError extends Error {
  constructor(readonly issues: ValidationIssue[]) {
    super(issues.map((issue) => issue.msg).join(', '));
    this.name = 'ValidationError';
  }
}
