import { z } from 'zod';
import { MAX_ID, MAX_OFFSET, MAX_PAGE } from './input-rules.js';
import type { Named } from './named.js';

/** A database id: a positive integer, at most {@link MAX_ID}. */
export const IdSchema = z.number().int().positive().max(MAX_ID).describe('A positive integer id.');

/** A database id read from a path segment or a query parameter (`/customers/42`). */
export const IdParamSchema = z.coerce.number().int().positive().max(MAX_ID);

const idParamsSchema = z.object({ id: IdParamSchema });
export interface IdParamsSchema extends Named<typeof idParamsSchema> {}
/** The path parameters of a route on one record (`/…/:id`). */
export const IdParamsSchema: IdParamsSchema = idParamsSchema;

/** A 1-based page number in a query string, at most {@link MAX_PAGE}. */
export const PageNumberSchema = z.coerce.number().int().min(1).max(MAX_PAGE);

/** How many items a list skips, in a query string: at most {@link MAX_OFFSET}. */
export const OffsetSchema = z.coerce.number().int().min(0).max(MAX_OFFSET);

/**
 * zod's own pattern for `z.string().datetime({ offset: true })`, compiled once: `.datetime()` compiles it again on
 * every value it checks, and every timestamp of every response is checked (response validation). The OpenAPI builder
 * recognises it to write `format: date-time`.
 */
export const TIMESTAMP_PATTERN = z.datetimeRegex({ offset: true, local: false, precision: null });

/**
 * A moment in time as ISO-8601 with an explicit offset, e.g. `2026-11-26T09:30:00.000Z` or `…+05:00`. The same rule
 * as `z.string().datetime({ offset: true })`; OpenAPI shows it as `format: date-time`.
 */
export const TimestampSchema = z
  .string()
  .regex(TIMESTAMP_PATTERN, 'Invalid datetime')
  .describe('ISO-8601 date-time with an offset.');

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

const queryBooleanSchema = z
  .union([z.boolean(), z.string()])
  .transform((value, ctx) => {
    if (typeof value === 'boolean') return value;
    const word = value.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'Input should be a valid boolean (true or false)' });
    return z.NEVER;
  })
  .describe('`true` or `false`.');
export interface QueryBooleanSchema extends Named<typeof queryBooleanSchema> {}
/**
 * A boolean in a query string or a form field. Browsers send `true`/`false` literally (`URLSearchParams`); the words
 * FastAPI accepts (`1`/`0`, `yes`/`no`, `on`/`off`, any case) are accepted too, anything else is a validation error.
 * A real boolean is accepted as well, so typed callers (the SDK) can pass `true`.
 */
export const QueryBooleanSchema: QueryBooleanSchema = queryBooleanSchema;

const paginationQuerySchema = z.object({
  page: PageNumberSchema.default(1).describe('1-based page number.'),
  page_size: z.coerce.number().int().min(1).max(100).default(20).describe('Items per page, at most 100.'),
});
export interface PaginationQuerySchema extends Named<typeof paginationQuerySchema> {}
/** `page` and `page_size` query parameters; pages start at 1. */
export const PaginationQuerySchema: PaginationQuerySchema = paginationQuerySchema;

/** The envelope of a paginated list of `item`. */
export function paginated<TItem extends z.ZodTypeAny>(item: TItem) {
  return z.object({
    items: z.array(item),
    total: z.number().int().min(0).describe('Items across all pages.'),
    page: z.number().int().min(1),
    page_size: z.number().int().min(1),
    total_pages: z.number().int().min(0),
  });
}

export type PaginationQuery = z.infer<typeof PaginationQuerySchema>;

/**
 * The body of a `multipart/form-data` route: a `FormData` on the client (sent unchanged), or the text fields as a
 * plain object, with a `Blob`/`File` for each file part named in `files` (the SDK builds the form; ts-rest alone would
 * JSON-encode each value). On the server it is the parsed text fields (files arrive beside them). File parts are
 * described in the route's `metadata.files`.
 */
export function multipartBody<TFields extends z.ZodTypeAny, const TFile extends string = never>(
  fields: TFields,
  files: readonly TFile[] = [],
) {
  const fileShape = Object.fromEntries(files.map((name) => [name, z.instanceof(Blob).optional()])) as {
    [K in TFile]: z.ZodOptional<z.ZodType<Blob, z.ZodTypeDef, Blob>>;
  };
  return z.union([z.instanceof(FormData), z.intersection(fields, z.object(fileShape))]);
}
