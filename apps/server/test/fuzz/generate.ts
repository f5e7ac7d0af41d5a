import { type ContractRoute, routeMeta } from '@cims/contracts';
import type { AppRoute } from '@ts-rest/core';
import fc from 'fast-check';
import type { ZodTypeAny } from 'zod';
import { hostileLeaf, mutated, type Place } from './hostile-values.js';
import { defOf, objectShape, unwrap, valid } from './valid-values.js';
import {
  BOUNDARY,
  type FilePartValue,
  fileArb,
  formText,
  jsonText,
  multipartBytes,
  urlComponent,
  wireText,
} from './wire.js';

/**
 * Requests for a contract route, built from the route's own zod schemas: valid ones, and ones with one thing wrong
 * (a hostile value somewhere, a missing or extra field, the wrong media type, a bad `%` escape in the path, the wrong
 * credentials). Everything is a fast-check arbitrary, so a seed gives the same requests again. The values come from
 * valid-values.ts and hostile-values.ts, their encodings from wire.ts; this file assembles them into requests.
 */

/** Who sends a request. The test resolves each to headers (a fresh token for the signed-in principals). */
export type Caller = 'ceo' | 'sales' | 'user' | 'anonymous' | 'bad-token' | 'api-key' | 'bad-api-key';
/** The callers that sign in, each with a fresh token. */
export const SIGNED_IN: readonly Caller[] = ['ceo', 'sales', 'user'];

/** One request, on the wire, plus what was done to it (for the report). */
export interface FuzzRequest {
  route: string;
  as: Caller;
  method: string;
  /** Path and query, already encoded. */
  url: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** What is wrong with the request, e.g. `body.phone_number: hostile`; `valid` when nothing was. */
  mutation: string;
}

/** What the generator needs to know about the world it fuzzes. */
export interface FuzzWorld {
  /** Ids that must never be the target of a destructive route (the principals' own accounts, the CRM page). */
  protectedIds: (route: AppRoute) => readonly number[];
  /** Existing ids worth hitting (customers, notes, users), so valid requests reach the handlers' success paths. */
  knownIds: readonly number[];
}

interface Parts {
  path: string;
  query: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  mutation: string;
}

/** The text fields of a multipart body schema (`union[FormData, fields & files]`). */
function multipartFields(body: ZodTypeAny): ZodTypeAny {
  const def = defOf(body);
  if (def.typeName !== 'ZodUnion') return body;
  const withFields = (def.options as ZodTypeAny[]).find((o) => defOf(o).typeName === 'ZodIntersection');
  return withFields ? (defOf(withFields).left as ZodTypeAny) : body;
}

function pathArb(route: AppRoute, world: FuzzWorld, mutate: boolean): fc.Arbitrary<{ path: string; what?: string }> {
  const names = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1] as string);
  if (names.length === 0) return fc.constant({ path: route.path });
  const shape = route.pathParams ? (objectShape(route.pathParams as ZodTypeAny) ?? {}) : {};
  const protectedIds = new Set(world.protectedIds(route));
  const validParam = (name: string): fc.Arbitrary<unknown> => {
    const schema = shape[name];
    if (!schema) return fc.string({ minLength: 1, maxLength: 20 });
    if (defOf(unwrap(schema)).typeName === 'ZodNumber') {
      return fc
        .oneof(fc.constantFrom(...(world.knownIds.length > 0 ? world.knownIds : [1])), valid(schema))
        .filter((id) => !protectedIds.has(Number(id)));
    }
    return valid(schema).filter((v) => String(v).length > 0);
  };
  const validPath = fc.tuple(...names.map(validParam));
  const build = (values: unknown[]) =>
    names.reduce((path, name, i) => path.replace(`:${name}`, urlComponent(values[i])), route.path);
  if (!mutate) return validPath.map((values) => ({ path: build(values) }));
  return fc
    .tuple(validPath, fc.nat({ max: names.length - 1 }), hostileLeaf('url'))
    .filter(([, , bad]) => wireText(bad).length > 0 && wireText(bad).length < 8_000)
    .map(([values, i, bad]) => {
      const copy = [...values];
      copy[i] = bad;
      return { path: build(copy), what: `path.${names[i]}: hostile` };
    });
}

function queryArb(route: AppRoute, mutate: boolean): fc.Arbitrary<{ query: string; what?: string }> {
  const schema = route.query as ZodTypeAny | undefined;
  if (!schema) {
    if (!mutate) return fc.constant({ query: '' });
    return hostileLeaf('url').map((v) => ({
      query: formText({ unexpected: v }),
      what: 'query.unexpected: extra field',
    }));
  }
  if (!mutate) return valid(schema).map((v) => ({ query: formText(v as Record<string, unknown>) }));
  return mutated(schema, 'url', 'query').map((m) => ({
    query:
      m.value !== null && typeof m.value === 'object'
        ? formText(m.value as Record<string, unknown>)
        : urlComponent(m.value),
    what: m.what,
  }));
}

const isNoBody = (route: AppRoute) => 'body' in route && typeof route.body === 'symbol';

function bodyArb(route: AppRoute, mutate: 'none' | 'value' | 'media'): fc.Arbitrary<Omit<Parts, 'path' | 'query'>> {
  if (route.method === 'GET' || !('body' in route)) return fc.constant({ headers: {}, mutation: 'valid' });
  if (isNoBody(route)) {
    if (mutate === 'none') return fc.constant({ headers: {}, mutation: 'valid' });
    return fc.constantFrom(
      { headers: { 'content-type': 'application/json' }, body: '{"x":1}', mutation: 'body: unexpected JSON' },
      { headers: { 'content-type': 'text/plain' }, body: '\u0000', mutation: 'body: unexpected text' },
    );
  }
  const contentType = route.contentType ?? 'application/json';
  const schema =
    contentType === 'multipart/form-data' ? multipartFields(route.body as ZodTypeAny) : (route.body as ZodTypeAny);
  const files = Object.entries(routeMeta(route).files ?? {});
  const encode = (
    value: unknown,
    fileParts: FilePartValue[],
    as: string,
  ): { headers: Record<string, string>; body: string | Uint8Array } => {
    if (as === 'application/json') return { headers: { 'content-type': as }, body: jsonText(value) };
    const fields =
      value !== null && typeof value === 'object' && !Array.isArray(value)
        ? (value as Record<string, unknown>)
        : { value };
    if (as === 'application/x-www-form-urlencoded') return { headers: { 'content-type': as }, body: formText(fields) };
    return {
      headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
      body: multipartBytes(fields, fileParts),
    };
  };
  // Multipart routes take URL-encoded forms too, when there is no file.
  const encodings =
    contentType === 'multipart/form-data'
      ? [contentType, contentType, 'application/x-www-form-urlencoded']
      : [contentType];
  const fileParts: fc.Arbitrary<FilePartValue[]> =
    files.length === 0
      ? fc.constant([])
      : fc
          .tuple(
            ...files.map(([field, part]) =>
              part.required
                ? fileArb(field, part).map((f) => [f])
                : fc.option(fileArb(field, part), { nil: undefined }).map((f) => (f ? [f] : [])),
            ),
          )
          .map((lists) => lists.flat());
  const place: Place =
    contentType === 'application/json' ? 'json' : contentType === 'multipart/form-data' ? 'multipart' : 'url';
  const value = mutate === 'value' ? mutated(schema, place) : valid(schema).map((v) => ({ value: v, what: 'valid' }));
  if (mutate !== 'media') {
    return fc.tuple(value, fc.constantFrom(...encodings), fileParts).map(([m, as, parts]) => ({
      ...encode(m.value, as === 'multipart/form-data' ? parts : [], as),
      mutation: mutate === 'value' ? `body.${m.what}` : 'valid',
    }));
  }
  const wrong = [
    'text/plain',
    'application/xml',
    'application/json',
    'application/x-www-form-urlencoded',
    'multipart/form-data',
    'application/json; charset=utf-16',
    'application/json; charset=koi8-r',
    'application/x-www-form-urlencoded; charset=latin1',
  ];
  return fc
    .tuple(valid(schema), fc.constantFrom(...wrong), fc.nat({ max: 5 }), fileParts)
    .map(([v, type, variant, parts]) => {
      const base = { mutation: `media: ${type}` };
      if (type === 'multipart/form-data') {
        // No boundary, a boundary that never appears, or a body cut short.
        const bytes = multipartBytes(v as Record<string, unknown>, parts);
        if (variant === 0) return { ...base, headers: { 'content-type': type }, body: bytes };
        if (variant === 1) return { ...base, headers: { 'content-type': `${type}; boundary=nope` }, body: bytes };
        return {
          ...base,
          mutation: 'media: multipart cut short',
          headers: { 'content-type': `${type}; boundary=${BOUNDARY}` },
          body: bytes.slice(0, Math.floor(bytes.length / 2)),
        };
      }
      if (type === 'application/json' && variant < 3) {
        return {
          ...base,
          mutation: 'media: malformed JSON',
          headers: { 'content-type': type },
          body: ['{"a":', '{"a":1}}', "{'a':1}"][variant] as string,
        };
      }
      if (type.startsWith('application/json') || type === 'text/plain' || type === 'application/xml') {
        return { ...base, headers: { 'content-type': type }, body: jsonText(v) };
      }
      return { ...base, headers: { 'content-type': type }, body: formText((v ?? {}) as Record<string, unknown>) };
    });
}

function callersOf(route: AppRoute): Caller[] {
  switch (routeMeta(route).auth) {
    case 'public':
      return ['anonymous', 'anonymous', 'ceo'];
    case 'apiKey':
      return ['api-key', 'api-key', 'api-key', 'api-key', 'bad-api-key', 'anonymous'];
    case 'bearer':
    case 'signedUrl':
      // Mostly callers who get past the access check, so that the hostile values reach the handlers.
      return ['ceo', 'ceo', 'ceo', 'ceo', 'sales', 'sales', 'user', 'anonymous', 'bad-token'];
  }
}

/** How many values a caller controls on a route (path parameters, query and body fields, file parts): its share. */
export function inputCount(route: AppRoute): number {
  const fields = (schema: unknown) => (schema ? Object.keys(objectShape(schema as ZodTypeAny) ?? {}).length : 0);
  const body = 'body' in route && typeof route.body !== 'symbol' ? route.body : undefined;
  const multipart = 'contentType' in route && route.contentType === 'multipart/form-data';
  return (
    [...route.path.matchAll(/:\w+/g)].length +
    fields(route.query) +
    (body ? Math.max(1, fields(multipart ? multipartFields(body as ZodTypeAny) : body)) : 0) +
    Object.keys(routeMeta(route).files ?? {}).length
  );
}

/**
 * Requests for one route: about a third valid, the rest with one thing wrong (path, query, body value, media type).
 *
 * @example
 * fc.sample(requestArb(entry, world), { seed: 42, numRuns: 30 })
 */
export function requestArb(
  entry: ContractRoute,
  world: FuzzWorld,
  options: { validOnly?: boolean } = {},
): fc.Arbitrary<FuzzRequest> {
  const route = entry.route;
  const hasPathParams = route.path.includes(':');
  const hasBody = route.method !== 'GET' && 'body' in route;
  const targets = [
    { weight: 5, name: 'none' },
    { weight: hasPathParams ? 3 : 0, name: 'path' },
    { weight: route.query ? 4 : 1, name: 'query' },
    { weight: hasBody && !isNoBody(route) ? 6 : 0, name: 'body' },
    { weight: hasBody ? 2 : 0, name: 'media' },
  ].filter((target) => target.weight > 0 && (!options.validOnly || target.name === 'none'));
  const forTarget = (target: string) =>
    fc
      .tuple(
        pathArb(route, world, target === 'path'),
        queryArb(route, target === 'query'),
        bodyArb(route, target === 'body' ? 'value' : target === 'media' ? 'media' : 'none'),
        fc.constantFrom(...callersOf(route).filter((as) => !options.validOnly || as === 'ceo' || as === 'api-key')),
      )
      .map(([path, query, body, as]) => ({
        route: entry.name,
        as,
        method: route.method,
        url: query.query ? `${path.path}?${query.query}` : path.path,
        headers: body.headers,
        body: body.body,
        mutation: path.what ?? query.what ?? (body.mutation === 'valid' ? 'valid' : body.mutation),
      }));
  return fc.oneof(...targets.map((t) => ({ weight: t.weight, arbitrary: forTarget(t.name) })));
}

/** A request as text for a failure report: huge values shortened, bytes shown as a string. */
export function describeRequest(req: FuzzRequest): string {
  const body =
    req.body === undefined
      ? undefined
      : typeof req.body === 'string'
        ? req.body
        : new TextDecoder('utf-8', { fatal: false }).decode(req.body);
  const shorten = (s: string) => (s.length > 400 ? `${s.slice(0, 300)}… (${s.length} characters)` : s);
  return JSON.stringify(
    {
      as: req.as,
      mutation: req.mutation,
      method: req.method,
      url: shorten(req.url),
      headers: req.headers,
      body: body === undefined ? undefined : shorten(body),
    },
    null,
    2,
  );
}
