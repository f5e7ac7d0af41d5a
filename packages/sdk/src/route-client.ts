import type { ApiFetcher, ApiFetcherArgs } from '@ts-rest/core';
import { isRouteEntry } from './route-descriptor.js';

/**
 * What a route method is called with: ts-rest's client arguments (`params`, `query`, `body`, `headers`,
 * `fetchOptions`, …), as the method types from `AppRouteFunction` describe them.
 */
interface CallArgs {
  params?: Record<string, unknown>;
  query?: Record<string, unknown>;
  body?: unknown;
  headers?: Record<string, string | undefined>;
  extraHeaders?: Record<string, string | undefined>;
  fetchOptions?: RequestInit;
  cache?: RequestCache;
  overrideClientOptions?: {
    baseUrl?: string;
    credentials?: RequestCredentials;
    jsonQuery?: boolean;
    validateResponse?: boolean;
  };
}

/** A route as the client reads it: a generated descriptor or a contract route. */
interface Route {
  method: string;
  path: string;
  contentType?: string;
}

/** Options of {@link routeClient}. */
export interface RouteClientOptions {
  baseUrl: string;
  baseHeaders: Record<string, string>;
  api: ApiFetcher;
}

/**
 * `/crm/customers/:id` with `{ id: 7 }` → `/crm/customers/7`; an absent parameter drops its segment (as ts-rest).
 * Unlike ts-rest, each value is percent-encoded (a page name with `/` or `?` stays one segment), a falsy value such
 * as `0` is kept, and an empty value, `.` or `..` is refused: dropped, or collapsed by the URL parser, each would send
 * the call to another route (`/ceo/users/3/permissions/..` is `DELETE /ceo/users/3`).
 * @throws {TypeError} for a value that cannot be a path segment.
 */
function fillPath(path: string, params: Record<string, unknown> = {}): string {
  return path.replace(/\/?:([^/?]+)\??/g, (matched, name: string) => {
    const value = params[name];
    if (value === undefined || value === null) return '';
    const text = String(value);
    if (text === '' || text === '.' || text === '..') {
      throw new TypeError(`The path parameter ${name} cannot be ${JSON.stringify(text)}`);
    }
    return `${matched.startsWith('/') ? '/' : ''}${encodeURIComponent(text)}`;
  });
}

/** A query value as `key=value` pairs: arrays as `key[0]`, objects as `key[field]`, dates as ISO strings (qs style). */
function pairs(key: string, value: unknown): [string, string][] {
  if (Array.isArray(value)) return value.flatMap((item, index) => pairs(`${key}[${index}]`, item));
  if (value instanceof Date) return [[key, value.toISOString()]];
  if (value === null) return [[key, '']];
  if (value === undefined) return [];
  if (typeof value === 'object')
    return Object.entries(value).flatMap(([field, item]) => pairs(`${key}[${field}]`, item));
  return [[key, String(value)]];
}

/** A value of a JSON query (ts-rest's `jsonQuery`): JSON, except a plain string that reads as no other JSON value. */
function jsonValue(value: unknown): string {
  const plain = typeof value === 'string' && !['true', 'false', 'null'].includes(value.trim()) && Number.isNaN(+value);
  return plain ? value : JSON.stringify(value);
}

function queryString(query: Record<string, unknown> | undefined, json: boolean | undefined): string {
  if (!query) return '';
  const entries = json
    ? Object.entries(query).flatMap(([key, value]): [string, string][] =>
        value === undefined ? [] : [[key, jsonValue(value)]],
      )
    : Object.entries(query).flatMap(([key, value]) => pairs(key, value));
  const text = entries.map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`).join('&');
  return text ? `?${text}` : '';
}

/**
 * The fields of a multipart route given as a plain object, as a browser form would send them. ts-rest would
 * JSON-encode each value (`"Ann"` with the quotes), which the server would store as typed.
 */
function toFormData(fields: Record<string, unknown>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item instanceof Blob) form.append(name, item);
      else if (item !== undefined && item !== null) form.append(name, String(item));
    }
  }
  return form;
}

/**
 * The headers of a call, later sources first overriding earlier ones by lower-case name; then the names set to
 * `undefined` are dropped, so a call can remove a header the client sends by default (as ts-rest).
 */
function mergedHeaders(...sources: (Record<string, string | undefined> | undefined)[]): Record<string, string> {
  const merged = new Map<string, string | undefined>();
  for (const source of sources)
    for (const [name, value] of Object.entries(source ?? {})) merged.set(name.toLowerCase(), value);
  const result: Record<string, string> = {};
  for (const [name, value] of merged) if (value !== undefined) result[name] = value;
  return result;
}

/** The request of one call: its URL, headers and encoded body, for the transport. */
function request(route: Route, options: RouteClientOptions, args: CallArgs): ApiFetcherArgs {
  const { params, query, body, fetchOptions, cache, overrideClientOptions: override } = args;
  const path = `${override?.baseUrl ?? options.baseUrl}${fillPath(route.path, params)}${queryString(query, override?.jsonQuery)}`;
  const headers = mergedHeaders(options.baseHeaders, args.extraHeaders, args.headers);
  const call = {
    route: route as ApiFetcherArgs['route'],
    path,
    method: route.method,
    headers,
    body: undefined as ApiFetcherArgs['body'],
    rawBody: body,
    rawQuery: query,
    contentType: undefined as ApiFetcherArgs['contentType'],
    validateResponse: override?.validateResponse,
    fetchOptions: {
      ...(override?.credentials && { credentials: override.credentials }),
      ...(cache && { cache }),
      ...fetchOptions,
    },
  };
  if (route.method === 'GET') return call;
  if (route.contentType === 'multipart/form-data') {
    const form = body instanceof FormData ? body : toFormData((body ?? {}) as Record<string, unknown>);
    return { ...call, contentType: 'multipart/form-data', body: form };
  }
  if (route.contentType === 'application/x-www-form-urlencoded') {
    const form = typeof body === 'string' ? body : new URLSearchParams(body as Record<string, string>);
    return {
      ...call,
      contentType: 'application/x-www-form-urlencoded',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: form,
    };
  }
  if (body === undefined || body === null) return call;
  return {
    ...call,
    contentType: 'application/json',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

/**
 * The methods of a router: one function per route that builds the request (path parameters, query, headers, body by
 * the route's content type) and hands it to `api`; nested routers as nested objects. It builds requests as ts-rest's
 * `initClient` does, without importing `@ts-rest/core` at runtime, whose module builds a zod schema when loaded (and so
 * would bundle zod into every app).
 */
export function routeClient(router: object, options: RouteClientOptions): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(router).map(([name, entry]) => [
      name,
      isRouteEntry(entry)
        ? async (args?: CallArgs) => options.api(request(entry as Route, options, args ?? {}))
        : routeClient(entry, options),
    ]),
  );
}
