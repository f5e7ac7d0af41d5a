import { malformedPathParamIssues, takesBody, unsafeTextIssues } from '@cims/contracts';
import type { AppRoute } from '@ts-rest/core';
import type { NextFunction, Request, Response } from 'express';
import { ValidationError } from '../errors.js';

/**
 * Refuses a path parameter that is not valid percent-encoding (`/crm/detail/%ff`) with a `422` naming it. It is the
 * first handler of every route with parameters (`endpoints.ts`), so a request is refused the same way whether or not it
 * carries credentials, like a path that names no route; the route table keeps such a value undecoded.
 */
export function refuseMalformedPathParams(req: Request, res: Response, next: NextFunction): void {
  const route = res.locals.route as AppRoute | undefined;
  const issues = route?.path.includes(':') ? malformedPathParamIssues(route.path, req.path) : [];
  next(issues.length > 0 ? new ValidationError(issues) : undefined);
}

/**
 * Refuses text that cannot be stored — a NUL character (PostgreSQL's `text` refuses it) or half a UTF-16 surrogate
 * pair (its `jsonb`, the audit log, refuses it) — anywhere in the path parameters, the query or the parsed body
 * (JSON, URL-encoded or multipart text fields), with a `422` naming each field. It runs after authentication and the
 * multipart parser, just before the route's own validation, so callers see `401`/`403` first as for any invalid input.
 */
export function refuseUnsafeText(req: Request, res: Response, next: NextFunction): void {
  const route = res.locals.route as AppRoute | undefined;
  // Only where the route reads input: an extra query parameter of a route without a query, or a body sent to a route
  // that takes none, is never read, so it cannot reach the database.
  const issues = [
    ...unsafeTextIssues('path', req.params),
    ...(route?.query ? unsafeTextIssues('query', req.query) : []),
    ...(route && takesBody(route) ? unsafeTextIssues('body', req.body) : []),
  ];
  next(issues.length > 0 ? new ValidationError(issues) : undefined);
}
