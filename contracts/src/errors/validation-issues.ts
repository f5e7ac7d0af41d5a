import type { ZodError } from 'zod';
import type { ValidationIssue } from './error.schemas.js';

/** Where a request value was: the first element of a {@link ValidationIssue}'s `loc`. */
export type IssueLocation = 'path' | 'header' | 'query' | 'body';

/** The `msg` of a value that is absent, worded as FastAPI words it (the legacy client shows it as is). */
export const FIELD_REQUIRED = 'Field required';

/**
 * A zod error as FastAPI's `detail[]`, the shape the legacy client reads: `loc` starts with where the value was and
 * ends with the field name; an absent value is `msg: "Field required"`, `type: "missing"`, every other issue keeps
 * zod's message and code. The server's error handler and the mocks' route handler both answer `422` with it.
 *
 * @example
 * validationIssues('body', schema.safeParse({}).error) // [{ loc: ['body', 'name'], msg: 'Field required', type: 'missing' }]
 */
export function validationIssues(location: IssueLocation, error: ZodError): ValidationIssue[] {
  return error.issues.map((issue) => {
    const missing = issue.code === 'invalid_type' && issue.received === 'undefined';
    return {
      loc: [location, ...issue.path],
      msg: missing ? FIELD_REQUIRED : issue.message,
      type: missing ? 'missing' : issue.code,
    };
  });
}
