import { type ApiErrorBody, unsafeTextIssues, type ValidationErrorBody } from '@cims/contracts';
import { COMMON_MESSAGES, validationIssues } from '@cims/contracts/rules';
import { RequestValidationError } from '@ts-rest/express';
import type { NextFunction, Request, Response } from 'express';
import { type DatabaseTrouble, databaseTrouble } from '../db/unavailable.js';
import { ApiError, ValidationError } from '../errors.js';
import { BlobStoreError } from '../modules/files/blob-store.js';

/** A `422 VALIDATION_FAILED` body from ts-rest's request validation error. */
export function validationBody(error: RequestValidationError): ValidationErrorBody {
  const detail = [
    ...(error.pathParams ? validationIssues('path', error.pathParams) : []),
    ...(error.headers ? validationIssues('header', error.headers) : []),
    ...(error.query ? validationIssues('query', error.query) : []),
    ...(error.body ? validationIssues('body', error.body) : []),
  ];
  return { detail: detail as ValidationErrorBody['detail'], code: 'VALIDATION_FAILED' };
}

/** Errors of the body parsers (body-parser, raw-body) carry a `type`. */
function fromBodyParser(error: { type?: unknown; status?: unknown }): ApiError | undefined {
  switch (error.type) {
    case 'entity.parse.failed':
      return new ApiError('MALFORMED_BODY', COMMON_MESSAGES.bodyNotJson, { cause: error });
    case 'entity.too.large':
      return new ApiError('PAYLOAD_TOO_LARGE', 'The request body is too large', { cause: error });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ApiError('UNSUPPORTED_MEDIA_TYPE', 'The request body encoding or charset is not supported', {
        cause: error,
      });
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
    case 'parameters.too.many':
      return new ApiError('MALFORMED_BODY', COMMON_MESSAGES.bodyUnreadable, { cause: error });
    default:
      return undefined;
  }
}

/**
 * What of an error may be logged. A database driver's message embeds the SQL with its values filled in (hashes of
 * tokens and passwords among them), so for those only the kind, the SQLSTATE and the table/constraint are kept.
 */
export function loggable(error: unknown): unknown {
  const e = error as { name?: unknown; sqlState?: unknown; code?: unknown; table?: unknown; constraint?: unknown };
  const isDriverError = typeof e?.name === 'string' && e.name.endsWith('Exception') && ('sqlState' in e || 'code' in e);
  if (!isDriverError) return error;
  return { type: e.name, sqlState: e.sqlState ?? e.code, table: e.table, constraint: e.constraint };
}

/**
 * SQLSTATEs of text PostgreSQL cannot store: a NUL character in text (22021), `\u0000` in JSON (22P05), and a lone
 * surrogate's escape in JSON (22P02 "invalid input syntax for type json"). 22P02 is also any other malformed input
 * (`'abc'::integer`): it counts only with that message, never for another type.
 */
const UNSTORABLE_TEXT_STATES = new Set(['22021', '22P05']);
const JSON_SYNTAX_STATE = '22P02';
const JSON_SYNTAX_MESSAGE = /invalid input syntax for type json/;

/**
 * A `422` for a database error caused by text the request sent that PostgreSQL cannot store, naming where it was
 * (found by the same rule the input guard applies first); undefined when the error is another one, or when the
 * request holds no such text (then it is a bug: a `500`).
 */
function unstorableText(error: unknown, req: Request): ValidationErrorBody | undefined {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code !== 'string') return undefined;
  const jsonSyntax = code === JSON_SYNTAX_STATE && typeof message === 'string' && JSON_SYNTAX_MESSAGE.test(message);
  if (!UNSTORABLE_TEXT_STATES.has(code) && !jsonSyntax) return undefined;
  const found = [
    ...unsafeTextIssues('path', req.params),
    ...unsafeTextIssues('query', req.query),
    ...unsafeTextIssues('body', req.body),
  ];
  if (found.length === 0) return undefined;
  return { detail: found as ValidationErrorBody['detail'], code: 'VALIDATION_FAILED' };
}

/**
 * `Retry-After` seconds of a `503 DATABASE_UNAVAILABLE`: a statement or lock timeout clears as soon as the lock holder
 * or the slow statement is done, a lost serialization check or deadlock as soon as the other transaction is; an outage
 * or a full pool takes longer to resolve.
 */
const RETRY_AFTER_SECONDS = { timeout: 1, conflict: 1, unreachable: 5 } as const;

/** What a `503 DATABASE_UNAVAILABLE` tells the client, by {@link DatabaseTrouble} kind. */
const TROUBLE_DETAIL = {
  timeout: 'The database is busy; try again shortly',
  conflict: 'A concurrent change got in the way and nothing was saved; try again',
  unreachable: 'The database is unavailable; try again shortly',
} as const;

/**
 * `Retry-After` seconds of a `503 STORAGE_UNAVAILABLE`: the object store's own retries (and the one of a streamed
 * upload) have already run out, so it is an outage, not a blip.
 */
const STORAGE_RETRY_AFTER_SECONDS = 5;

/**
 * The last middleware: whatever was thrown, the client gets the contract's error shape. Deliberate errors keep their
 * status; database trouble (an outage, killed connections, a full pool, a statement or lock timeout) is a `503` with
 * `Retry-After`, and so is an object store that cannot take or give a file (a {@link BlobStoreError}); anything else
 * unexpected is logged with its stack and answered `500` without details. Only a `500` is logged at `error`: the
 * others are expected in operation (a `502`/`503` at `warn`, a `4xx` not at all here).
 */
export function errorHandler(error: unknown, req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) {
    next(error);
    return;
  }
  if (error instanceof RequestValidationError) {
    res.status(422).json(validationBody(error));
    return;
  }
  if (error instanceof ValidationError) {
    const body: ValidationErrorBody = {
      detail: error.issues as ValidationErrorBody['detail'],
      code: 'VALIDATION_FAILED',
    };
    res.status(422).json(body);
    return;
  }
  const known =
    error instanceof ApiError
      ? error
      : typeof error === 'object' && error !== null
        ? fromBodyParser(error as { type?: unknown })
        : undefined;
  if (known) {
    if (known.status === 500) req.log.error({ err: loggable(known.cause ?? known) }, known.detail);
    else if (known.status > 500) req.log.warn({ err: loggable(known.cause ?? known), code: known.code }, known.detail);
    for (const [name, value] of Object.entries(known.headers)) res.setHeader(name, value);
    const body: ApiErrorBody = { ...known.extra, detail: known.detail, code: known.code };
    res.status(known.status).json(body);
    return;
  }
  const unstorable = unstorableText(error, req);
  if (unstorable) {
    res.status(422).json(unstorable);
    return;
  }
  const trouble = databaseTrouble(error);
  if (trouble) {
    req.log.warn({ err: loggable(error), database: trouble }, 'Database unavailable');
    res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS[trouble.kind]));
    const body: ApiErrorBody = { detail: TROUBLE_DETAIL[trouble.kind], code: 'DATABASE_UNAVAILABLE' };
    res.status(503).json(body);
    return;
  }
  if (error instanceof BlobStoreError) {
    // The message names the store and what it answered, never a key or a secret.
    req.log.warn({ err: error, permanent: error.permanent }, 'File store unavailable');
    res.setHeader('Retry-After', String(STORAGE_RETRY_AFTER_SECONDS));
    const body: ApiErrorBody = {
      detail: 'The file store is unavailable; try again shortly',
      code: 'STORAGE_UNAVAILABLE',
    };
    res.status(503).json(body);
    return;
  }
  req.log.error({ err: loggable(error) }, 'Unhandled error');
  const body: ApiErrorBody = { detail: 'Internal server error', code: 'INTERNAL' };
  res.status(500).json(body);
}
