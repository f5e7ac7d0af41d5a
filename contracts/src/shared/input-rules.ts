import type { ValidationIssue } from '../errors/error.schemas.js';

/**
 * The largest id: ids are PostgreSQL `integer` columns, so a larger number can name no row, and the database refuses
 * it as a parameter (a `500` before this bound).
 */
export const MAX_ID = 2_147_483_647;

/**
 * The largest `offset` of a list: no table comes near it, and it keeps every offset a safe integer (`offset=1e19` is
 * an integer to JavaScript but beyond PostgreSQL's `bigint`).
 */
export const MAX_OFFSET = 2_147_483_647;

/** The largest `page` number: with the largest page size (1000) its offset stays below {@link MAX_OFFSET}. */
export const MAX_PAGE = 1_000_000;

/**
 * The instants the API accepts (a recall time): from 1970-01-01T00:00:00Z up to, not including,
 * 3000-01-01T00:00:00Z. Shown in any time zone they stay four-digit years, which the timestamp format (and every
 * client) can hold; the database refuses anything else with a CHECK.
 */
export const INSTANT_RANGE = {
  /** `1970-01-01T00:00:00.000Z`, included. */
  from: Date.UTC(1970, 0, 1),
  /** `3000-01-01T00:00:00.000Z`, excluded. */
  until: Date.UTC(3000, 0, 1),
} as const;

/** The days (`YYYY-MM-DD`) the API accepts: the days of {@link INSTANT_RANGE}. */
export const DAY_RANGE = { first: '1970-01-01', last: '2999-12-31' } as const;

/** Why an instant outside {@link INSTANT_RANGE} is refused. */
export const INSTANT_RANGE_MESSAGE = 'Input should be a date-time from 1970-01-01T00:00:00Z to 2999-12-31T23:59:59Z';

/** Why a day that does not exist, or is outside {@link DAY_RANGE}, is refused. */
export const DAY_RANGE_MESSAGE = 'Input should be a valid date from 1970-01-01 to 2999-12-31';

/** Why text with a NUL character or half a UTF-16 surrogate pair is refused. */
export const UNSAFE_TEXT_MESSAGE = 'Input should be text without NUL characters or unpaired UTF-16 surrogates';

/** Whether an instant lies in {@link INSTANT_RANGE} (an invalid Date does not). */
export function isAcceptedInstant(instant: Date): boolean {
  const ms = instant.getTime();
  return ms >= INSTANT_RANGE.from && ms < INSTANT_RANGE.until;
}

/**
 * Whether `text` is a day that exists on the calendar, written `YYYY-MM-DD`, within {@link DAY_RANGE}.
 * `2024-02-30` is not (`Date.parse` would read it as the 1st of March).
 */
export function isAcceptedDay(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || text < DAY_RANGE.first || text > DAY_RANGE.last) return false;
  const ms = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === text;
}

/**
 * Whether the wall-clock fields of an ISO-8601 date-time exist: the day on the calendar, hours 0–23, minutes and
 * seconds 0–59, an offset of at most ±23:59. The instant itself is checked against {@link INSTANT_RANGE} once its
 * zone is known.
 */
export function isValidDateTimeText(text: string): boolean {
  const match = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):?(\d{2}))?$/i.exec(
    text,
  );
  if (!match) return false;
  const [, day, hours, minutes, seconds = '00', offsetHours = '00', offsetMinutes = '00'] = match;
  return (
    isAcceptedDay(day as string) &&
    Number(hours) <= 23 &&
    Number(minutes) <= 59 &&
    Number(seconds) <= 59 &&
    Number(offsetHours) <= 23 &&
    Number(offsetMinutes) <= 59
  );
}

/** A high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
const UNSAFE_TEXT = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Whether a text can be stored: PostgreSQL refuses NUL in `text` and an unpaired surrogate in `jsonb` (the audit
 * log), so such input is refused up front rather than failing the write.
 */
export function isStorableText(text: string): boolean {
  return !text.includes('\0') && !UNSAFE_TEXT.test(text);
}

/**
 * A `422` issue for every text in `value` (a request's body, query or path parameters, walked through objects and
 * arrays, keys included) that is not {@link isStorableText}, its `loc` starting with `location`. The server and the
 * mocks run it on every request before the route's own validation.
 *
 * @example
 * unsafeTextIssues('body', { name: 'a\u0000b' }) // [{ loc: ['body', 'name'], msg: UNSAFE_TEXT_MESSAGE, … }]
 */
export function unsafeTextIssues(location: string, value: unknown): ValidationIssue[] {
  const found: ValidationIssue[] = [];
  const walk = (at: unknown, loc: (string | number)[], depth: number) => {
    if (typeof at === 'string') {
      if (!isStorableText(at)) found.push({ loc, msg: UNSAFE_TEXT_MESSAGE, type: 'string_unsafe' });
      return;
    }
    // Parsed request values are shallow; the depth bound only keeps a hostile body from exhausting the stack.
    if (typeof at !== 'object' || at === null || depth > 32) return;
    if (Array.isArray(at)) {
      at.forEach((item, index) => {
        walk(item, [...loc, index], depth + 1);
      });
      return;
    }
    for (const [key, item] of Object.entries(at)) {
      if (!isStorableText(key)) found.push({ loc: [...loc, key], msg: UNSAFE_TEXT_MESSAGE, type: 'string_unsafe' });
      else walk(item, [...loc, key], depth + 1);
    }
  };
  walk(value, [location], 0);
  return found;
}

/** Why a path parameter that is not valid percent-encoding is refused. */
export const MALFORMED_ESCAPE_MESSAGE = 'Input should be valid percent-encoded UTF-8';

/**
 * A `422` issue for every parameter of `routePath` (`/crm/detail/:id`) whose segment in `requestPath` (as sent, not
 * decoded) is not valid percent-encoding (`%ff`, a lone `%`). Routers decode parameters while matching and fail on
 * these with an error of their own; the server and the mocks run this first.
 *
 * @example
 * malformedPathParamIssues('/crm/detail/:id', '/crm/detail/%ff') // [{ loc: ['path', 'id'], … }]
 */
export function malformedPathParamIssues(routePath: string, requestPath: string): ValidationIssue[] {
  const values = requestPath.split('/');
  const found: ValidationIssue[] = [];
  routePath.split('/').forEach((name, index) => {
    const value = values[index];
    if (!name.startsWith(':') || value === undefined) return;
    try {
      decodeURIComponent(value);
    } catch {
      found.push({
        loc: ['path', name.slice(1).replace(/\?$/, '')],
        msg: MALFORMED_ESCAPE_MESSAGE,
        type: 'url_decoding',
      });
    }
  });
  return found;
}
