import { z } from 'zod';
import type { Named } from '../shared/named.js';
import { ERROR_CODES, type ErrorStatus } from './error-codes.js';

const validationIssueSchema = z
  .object({
    loc: z
      .array(z.union([z.string(), z.number().int()]))
      .describe('Where the bad value is: `body`, `query`, `path` or `header`, then the field path.'),
    msg: z.string().describe('What is wrong, for people.'),
    type: z.string().describe('What kind of failure, for programs: `missing`, `invalid_type`, `invalid_enum_value`, …'),
  })
  .describe('One failed check of a request.');
export interface ValidationIssueSchema extends Named<typeof validationIssueSchema> {}
/**
 * One failed check of a request, in FastAPI's shape so that the legacy client can read it: `loc` names where the value
 * was (`["body", "username"]`, `["query", "page"]`), `msg` says what is wrong, `type` classifies it (`missing`, …).
 */
export const ValidationIssueSchema: ValidationIssueSchema = validationIssueSchema;

const validationErrorSchema = z
  .object({
    detail: z.array(ValidationIssueSchema).min(1),
    code: z.literal('VALIDATION_FAILED'),
  })
  .describe('The request was understood but some values are invalid; `detail` lists every problem.');
export interface ValidationErrorSchema extends Named<typeof validationErrorSchema> {}
/** The body of a `422` response: every problem with the request at once. */
export const ValidationErrorSchema: ValidationErrorSchema = validationErrorSchema;

const apiErrorSchema = z
  .object({
    detail: z.string().describe('What went wrong, for people. Wording may change; branch on `code`.'),
    code: z.enum(ERROR_CODES).describe('What went wrong, for programs. Stable.'),
  })
  .describe('An error response.');
export interface ApiErrorSchema extends Named<typeof apiErrorSchema> {}
/** The body of every other error response. */
export const ApiErrorSchema: ApiErrorSchema = apiErrorSchema;

export type ValidationIssue = z.infer<typeof ValidationIssueSchema>;
export type ValidationErrorBody = z.infer<typeof ValidationErrorSchema>;
export type ApiErrorBody = z.infer<typeof ApiErrorSchema>;

/** A route that can fail unexpectedly (`500`) runs on the database, so it can also find the database unavailable. */
type WithDatabase<TStatus extends ErrorStatus> = TStatus | (500 extends TStatus ? 503 : never);

type ErrorResponses<TStatus extends ErrorStatus> = {
  [S in WithDatabase<TStatus>]: S extends 422 ? typeof ValidationErrorSchema : typeof ApiErrorSchema;
};

/**
 * The error responses a route declares, by status. Every route lists the statuses it can actually return, so the SDK's
 * result type and the OpenAPI document name them. A route that lists `500` also gets `503`: every such route reads or
 * writes the database, and database trouble (an outage, a full pool, a statement or lock timeout) is a
 * `503 DATABASE_UNAVAILABLE` with `Retry-After`. A route's own `503` schema, spread after this, takes precedence.
 *
 * @example
 * responses: { 200: CustomerSchema, ...errorResponses(401, 404, 422, 500) } // also declares 503
 */
export function errorResponses<const TStatus extends ErrorStatus>(...statuses: TStatus[]): ErrorResponses<TStatus> {
  const out: Record<number, z.ZodTypeAny> = {};
  for (const status of statuses) out[status] = status === 422 ? ValidationErrorSchema : ApiErrorSchema;
  if (out[500] && !out[503]) out[503] = ApiErrorSchema;
  return out as ErrorResponses<TStatus>;
}
