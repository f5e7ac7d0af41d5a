import {
  type ApiErrorBody,
  ERROR_STATUS,
  type ErrorCode,
  type FilePart,
  listRoutes,
  malformedPathParamIssues,
  type RouteMeta,
  takesBody,
  unsafeTextIssues,
  type ValidationErrorBody,
  type ValidationIssue,
} from '@cims/contracts';
import {
  COMMON_MESSAGES,
  CRM_MESSAGES,
  FILE_MESSAGES,
  type IssueLocation,
  type SniffedType,
  sniffAudio,
  sniffImage,
  validationIssues,
} from '@cims/contracts/rules';
import {
  type AppRoute,
  type AppRouteMutation,
  type AppRouter,
  isAppRouteNoBody,
  isAppRouteOtherResponse,
  isZodType,
  type ServerInferRequest,
  type ServerInferResponses,
  type ZodInferOrType,
} from '@ts-rest/core';
import { type HttpHandler, HttpResponse, http } from 'msw';
import type { ZodTypeAny } from 'zod';

/**
 * The parsed body of a route. For a multipart route (`FormData | fields`), its text fields: ts-rest's own server type
 * narrows that union to the keys both members share, which is none.
 */
type MockBody<TRoute extends AppRoute> = TRoute extends AppRouteMutation
  ? TRoute['contentType'] extends 'multipart/form-data'
    ? { body: Exclude<ZodInferOrType<TRoute['body']>, FormData> }
    : { body: ServerInferRequest<TRoute>['body'] }
  : unknown;

/**
 * What a mock route implementation receives: the request parsed by the route's own schemas, the raw `Request`, and
 * for a multipart route the uploaded files by field name (already checked against the route's `metadata.files`).
 */
export type MockRequest<TRoute extends AppRoute> = Omit<ServerInferRequest<TRoute>, 'body'> &
  MockBody<TRoute> & {
    request: Request;
    files: Record<string, File>;
  };

/** One of the route's declared responses, optionally with response headers (`WWW-Authenticate`, `Retry-After`, …). */
export type MockResponse<TRoute extends AppRoute> = ServerInferResponses<TRoute> & { headers?: Record<string, string> };

/**
 * A mock implementation of one route: returns one of the route's declared responses, or throws {@link MockApiError}
 * for an error response.
 */
export type MockRouteImplementation<TRoute extends AppRoute> = (
  input: MockRequest<TRoute>,
) => MockResponse<TRoute> | Promise<MockResponse<TRoute>>;

/** Mock implementations for every route of a router, nested like the contract. */
export type MockRouter<TRouter extends AppRouter> = {
  [K in keyof TRouter]: TRouter[K] extends AppRoute
    ? MockRouteImplementation<TRouter[K]>
    : TRouter[K] extends AppRouter
      ? MockRouter<TRouter[K]>
      : never;
};

/** A mock returned a response its route does not declare, or a body that does not match: the mock drifted. */
export class MockDriftError extends Error {
  constructor(route: AppRoute, status: number, issues?: unknown) {
    super(
      `Mock of ${route.method} ${route.path} answered ${status} with a body that does not match the contract` +
        (issues ? `: ${JSON.stringify(issues)}` : ' (status not declared)'),
    );
    this.name = 'MockDriftError';
  }
}

/**
 * Thrown by a mock implementation (or a `before` hook) to answer with the contract's error shape, the way the server
 * throws its `ApiError`. The status comes from the code; the route must declare it, or the mock has drifted.
 *
 * @example
 * throw new MockApiError('INVALID_CREDENTIALS', 'Incorrect e-mail or password', { 'WWW-Authenticate': 'Bearer' });
 */
export class MockApiError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    /** A message, or for `VALIDATION_FAILED` the FastAPI-style issues. */
    readonly detail: string | ValidationIssue[],
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof detail === 'string' ? detail : detail.map((issue) => issue.msg).join(', '));
    this.name = 'MockApiError';
    this.status = ERROR_STATUS[code];
  }

  /** The JSON body the server sends for this error. */
  get body(): ApiErrorBody | ValidationErrorBody {
    return { detail: this.detail, code: this.code } as ApiErrorBody | ValidationErrorBody;
  }
}

/** The JSON error body the real server sends for a code. */
export function errorResponse(
  code: ErrorCode,
  detail: string,
  headers?: Record<string, string>,
): HttpResponse<ApiErrorBody> {
  return HttpResponse.json({ detail, code }, { status: ERROR_STATUS[code], headers });
}

/**
 * Runs once a JSON or URL-encoded body is read and before a multipart body is: return (or throw) a response to answer
 * early, e.g. `401` or `429`.
 */
export type MockBeforeHook = (input: {
  /** The contract route the request matched. */
  route: AppRoute;
  /** The keys naming the route in the contract (`["auth", "me"]`). */
  keys: string[];
  request: Request;
}) => Response | undefined | Promise<Response | undefined>;

/** Options of {@link createRouteHandlers}. */
export interface RouteHandlerOptions {
  /**
   * Where the routes are served: an absolute URL (`https://api.example.test`) or a path on the page's origin (`/api`);
   * a trailing slash is ignored.
   */
  baseUrl: string;
  /**
   * Runs for every matched route after the media-type check and the JSON or URL-encoded body parser, like the
   * server's middleware (authentication, rate limiting) runs after its body parsers and before its multipart parser
   * and validation.
   */
  before?: MockBeforeHook;
}

/** The media types the server accepts for a route's body; a multipart route also takes URL-encoded text fields. */
const ACCEPTED_MEDIA_TYPES: Record<string, string[]> = {
  'application/json': ['application/json'],
  'application/x-www-form-urlencoded': ['application/x-www-form-urlencoded'],
  'multipart/form-data': ['multipart/form-data', 'application/x-www-form-urlencoded'],
};

interface ReadBody {
  fields: unknown;
  files: Record<string, File[]>;
}

/**
 * Reads a body like Express 4 with its JSON, URL-encoded and multipart parsers: a request without a (readable) body
 * yields `{}`, not `undefined`.
 */
async function readBody(request: Request): Promise<ReadBody> {
  const type = request.headers.get('content-type') ?? '';
  const files: Record<string, File[]> = {};
  if (type.includes('application/json')) {
    const text = await request.text();
    return { fields: text ? JSON.parse(text) : {}, files };
  }
  if (type.includes('application/x-www-form-urlencoded')) {
    return { fields: Object.fromEntries(new URLSearchParams(await request.text())), files };
  }
  if (type.includes('multipart/form-data')) {
    const form = await request.formData();
    const fields: Record<string, unknown> = {};
    form.forEach((value, key) => {
      if (typeof value === 'string') fields[key] = value;
      else files[key] = [...(files[key] ?? []), value];
    });
    return { fields, files };
  }
  return { fields: {}, files };
}

/** Reads a body, or refuses it with `400 MALFORMED_BODY` as the server's body parsers do. */
async function readOrRefuse(request: Request): Promise<ReadBody> {
  try {
    return await readBody(request);
  } catch {
    const json = (request.headers.get('content-type') ?? '').includes('json');
    throw new MockApiError('MALFORMED_BODY', json ? COMMON_MESSAGES.bodyNotJson : COMMON_MESSAGES.bodyUnreadable);
  }
}

/**
 * A file's real type by its signature: the contract's picture and recording signatures, the ones the server applies.
 * Like the server, the mocks trust the bytes, not the declared `Content-Type` of a part.
 */
export function sniff(bytes: Uint8Array): SniffedType | undefined {
  return sniffImage(bytes) ?? sniffAudio(bytes);
}
const SNIFFABLE = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

/** The signature of a file's first bytes, if it is a known one. */
export async function sniffFile(file: Blob): Promise<SniffedType | undefined> {
  return sniff(new Uint8Array(await file.slice(0, 16).arrayBuffer()));
}

/** The media type a file really has: its signature when known, else the declared type (unless it claims a sniffable one). */
export async function fileMediaType(file: Blob): Promise<string | undefined> {
  const found = await sniffFile(file);
  if (found) return found.mediaType;
  const declared = file.type.split(';')[0]?.trim().toLowerCase() ?? '';
  return declared && !SNIFFABLE.has(declared) ? declared : undefined;
}

/**
 * How the server recognises a file part's bytes: a part that declares audio types takes a recording `sniffAudio`
 * knows, else `415 UNSUPPORTED_MEDIA_TYPE`; any other part (a picture) takes one of its declared types by
 * `sniffImage`, else `400 INVALID_FILE`.
 */
async function checkFileType(part: FilePart, file: File): Promise<void> {
  const head = new Uint8Array(await file.slice(0, 16).arrayBuffer());
  if (part.mediaTypes.some((type) => type.startsWith('audio/'))) {
    if (!sniffAudio(head)) throw new MockApiError('UNSUPPORTED_MEDIA_TYPE', CRM_MESSAGES.recordingFormat);
    return;
  }
  const picture = sniffImage(head);
  if (!picture || !part.mediaTypes.includes(picture.mediaType)) {
    throw new MockApiError('INVALID_FILE', FILE_MESSAGES.pictureType(part.mediaTypes));
  }
}

/**
 * What the server's multipart parser refuses while reading, before the request is validated, in its order: a file in
 * an undeclared field or more than one per field (`400 INVALID_FILE`), then, file by file, an empty file (`400`),
 * bytes of the wrong type (see {@link checkFileType}: the first bytes decide before the size is known), and only then
 * a file over the part's `maxBytes` (`413 PAYLOAD_TOO_LARGE`).
 */
async function readFiles(
  declared: Record<string, FilePart>,
  received: Record<string, File[]>,
): Promise<Record<string, File>> {
  const out: Record<string, File> = {};
  for (const [name, list] of Object.entries(received)) {
    const part = declared[name];
    if (!part || list.length > 1) throw new MockApiError('INVALID_FILE', FILE_MESSAGES.unexpectedField(name));
    const file = list[0] as File;
    if (file.size === 0) throw new MockApiError('INVALID_FILE', FILE_MESSAGES.empty);
    await checkFileType(part, file);
    if (file.size > part.maxBytes) {
      throw new MockApiError('PAYLOAD_TOO_LARGE', FILE_MESSAGES.tooLarge(name, part.maxBytes));
    }
    out[name] = file;
  }
  return out;
}

/** What the server's route checks once the request is valid: a required file (a picture) that was not sent. */
function checkRequiredFiles(declared: Record<string, FilePart>, files: Record<string, File>): void {
  for (const [name, part] of Object.entries(declared)) {
    if (part.required && !files[name]) throw new MockApiError('INVALID_FILE', FILE_MESSAGES.pictureMissing(name));
  }
}

/**
 * The schema of a multipart route's text fields: in its `FormData | (fields & files)` union (see the contract's
 * `multipartBody`), the fields. The files are checked against `metadata.files` instead.
 */
function fieldsSchema(schema: unknown): unknown {
  const def = isZodType(schema) ? (schema as ZodTypeAny)._def : undefined;
  if (def?.typeName !== 'ZodUnion') return schema;
  const options = def.options as ZodTypeAny[];
  const variant = options.find((option) => ['ZodIntersection', 'ZodObject'].includes(option._def.typeName));
  if (!variant) return schema;
  return variant._def.typeName === 'ZodIntersection' ? (variant._def.left as ZodTypeAny) : variant;
}

/**
 * Parses a request's value by the route's schema for it (a value without a schema passes as it is); what fails is added
 * to `into`, as the `422`'s issues at `location`, and gives `undefined`.
 */
function checkInto(into: ValidationIssue[]) {
  return (schema: unknown, value: unknown, location: IssueLocation): unknown => {
    if (!isZodType(schema)) return value;
    const result = (schema as ZodTypeAny).safeParse(value);
    if (result.success) return result.data;
    into.push(...validationIssues(location, result.error));
    return undefined;
  };
}

async function mediaTypeError(route: AppRoute, request: Request): Promise<MockApiError | undefined> {
  if (!takesBody(route) || request.body === null) return undefined;
  const accepted = ACCEPTED_MEDIA_TYPES[route.contentType ?? 'application/json'] ?? [];
  const sent = request.headers.get('content-type');
  const type = sent?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (accepted.includes(type)) return undefined;
  // MSW's browser worker hands a body-less request (POST /auth/logout-all) over with an empty body: that is no body.
  if (sent === null && (await request.clone().arrayBuffer()).byteLength === 0) return undefined;
  return new MockApiError('UNSUPPORTED_MEDIA_TYPE', COMMON_MESSAGES.mediaTypeRefused(sent ?? 'none', accepted));
}

/** What an implementation answers (or the {@link MockApiError} it throws). */
type Answer = { status: number; body: unknown; headers?: Record<string, string> };

function toResponse(route: AppRoute, { status, body, headers }: Answer): Response {
  const declared = route.responses[status];
  if (declared === undefined) throw new MockDriftError(route, status);
  if (isAppRouteNoBody(declared)) return new HttpResponse(null, { status, headers });
  // A non-JSON response (a recording): the implementation gives the bytes and the headers that describe them.
  if (isAppRouteOtherResponse(declared)) {
    if (!(body instanceof Blob)) throw new MockDriftError(route, status, [{ message: 'The body should be a Blob' }]);
    return new HttpResponse(body, {
      status,
      headers: { 'Content-Type': body.type || declared.contentType, ...headers },
    });
  }
  const parsed = isZodType(declared) ? (declared as ZodTypeAny).safeParse(body) : undefined;
  if (parsed && !parsed.success) throw new MockDriftError(route, status, parsed.error.issues);
  return HttpResponse.json(parsed ? parsed.data : body, { status, headers });
}

/** One MSW handler for one contract route, mirroring what the server does with the request and the response. */
function routeHandler({
  baseUrl,
  keys,
  route,
  implementation,
  before,
}: RouteHandlerOptions & {
  keys: string[];
  route: AppRoute;
  implementation: MockRouteImplementation<AppRoute>;
}) {
  const method = route.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
  const declaredFiles = (route.metadata as RouteMeta | undefined)?.files ?? {};
  return http[method](`${baseUrl}${route.path}`, async ({ request, params }) => {
    try {
      const unsupported = await mediaTypeError(route, request);
      if (unsupported) throw unsupported;
      // Like the server: the JSON and URL-encoded parsers run before authentication (a malformed body is a 400
      // whoever sends it), a multipart body is read only for a caller the `before` hook let through.
      const multipart = (request.headers.get('content-type') ?? '').includes('multipart/form-data');
      let raw: ReadBody = { fields: undefined, files: {} };
      if (takesBody(route) && !multipart) raw = await readOrRefuse(request);
      const early = await before?.({ route, keys, request });
      if (early) return early;
      if (takesBody(route) && multipart) raw = await readOrRefuse(request);
      const url = new URL(request.url);
      const files = await readFiles(declaredFiles, raw.files);
      const query = Object.fromEntries(url.searchParams);
      // Like the server: text the database could not store is refused before the route's own validation.
      // Only where the route reads input: an extra query parameter of a route without a query is never read.
      const unsafe = [
        ...unsafeTextIssues('path', params),
        ...(route.query ? unsafeTextIssues('query', query) : []),
        ...unsafeTextIssues('body', raw.fields),
      ];
      if (unsafe.length > 0) throw new MockApiError('VALIDATION_FAILED', unsafe);
      const found: ValidationIssue[] = [];
      const check = checkInto(found);
      const input = {
        params: check(route.pathParams, params, 'path'),
        query: check(route.query, query, 'query'),
        headers: Object.fromEntries(request.headers),
        body: takesBody(route) ? check(fieldsSchema(route.body), raw.fields, 'body') : undefined,
        files,
        request,
      };
      if (found.length > 0) throw new MockApiError('VALIDATION_FAILED', found);
      checkRequiredFiles(declaredFiles, files);
      let result: Answer;
      try {
        result = await implementation(input as never);
      } catch (error) {
        if (!(error instanceof MockApiError)) throw error;
        result = error;
      }
      // What the implementation answers must be one of the route's declared responses.
      return toResponse(route, result);
    } catch (error) {
      // Like the server's middleware and error handler: these answers do not depend on the route's declarations.
      if (!(error instanceof MockApiError)) throw error;
      return HttpResponse.json(error.body, { status: error.status, headers: error.headers });
    }
  });
}

/**
 * Every URL under `base` (absolute, or a path such as `/api` on the page's origin), as a regular expression: MSW
 * decodes the parameters of a string path (`${base}/*`), and a path that is not valid percent-encoding would make it
 * throw before any handler runs.
 */
function underBase(base: string): RegExp {
  const escaped = base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(
    base === '' || base.startsWith('/') ? `^[a-z][a-z0-9+.-]*://[^/]+${escaped}/` : `^${escaped}/`,
    'i',
  );
}

/** The path of a request below `base`, as sent (not decoded): `/crm/detail/%ff`. */
function pathBelow(base: string, request: Request): string {
  const prefix = base === '' || base.startsWith('/') ? base : new URL(base).pathname.replace(/\/+$/, '');
  return new URL(request.url).pathname.slice(prefix.length);
}

/**
 * Like the server, a path parameter that is not valid percent-encoding (`/crm/detail/%ff`) is a `422` naming it, with
 * or without credentials; MSW would otherwise throw while matching the route (a 500). Other requests pass on.
 */
function malformedPathHandler(base: string, patterns: { route: AppRoute; pattern: RegExp }[]): HttpHandler {
  return http.all(underBase(base), ({ request }) => {
    const path = pathBelow(base, request);
    const route = patterns.find((p) => p.route.method === request.method && p.pattern.test(path))?.route;
    const found = route ? malformedPathParamIssues(route.path, path) : [];
    if (found.length === 0) return undefined;
    const error = new MockApiError('VALIDATION_FAILED', found);
    return HttpResponse.json(error.body, { status: error.status });
  });
}

function implementationAt(router: unknown, keys: string[]): MockRouteImplementation<AppRoute> {
  const found = keys.reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], router);
  if (typeof found !== 'function') throw new Error(`The mock router has no implementation for ${keys.join('.')}`);
  return found as MockRouteImplementation<AppRoute>;
}

/**
 * Turns a contract and its mock implementations into MSW handlers: one per route (path from the contract, request
 * parsed by the route's schemas, uploaded files checked against `metadata.files`, response validated against the
 * route's declared schema), then a catch-all that answers unknown routes under `baseUrl` with `404` (or `405`) in the
 * contract's error shape, like the server.
 */
export function createRouteHandlers<TRouter extends AppRouter>(
  contract: TRouter,
  router: MockRouter<TRouter>,
  { baseUrl, before }: RouteHandlerOptions,
): HttpHandler[] {
  const base = baseUrl.replace(/\/+$/, '');
  const routes = listRoutes(contract);
  const patterns = routes.map(({ route }) => ({
    route,
    pattern: new RegExp(`^${route.path.replace(/:\w+\??/g, '[^/]+')}/?$`),
  }));
  const handlers = [
    malformedPathHandler(base, patterns),
    ...routes.map(({ keys, route }) =>
      routeHandler({ baseUrl: base, keys, route, implementation: implementationAt(router, keys), before }),
    ),
  ];
  handlers.push(
    http.all(underBase(base), ({ request }) => {
      const path = pathBelow(base, request);
      const methods = new Set<string>(patterns.filter((p) => p.pattern.test(path)).map((p) => p.route.method));
      if (methods.size === 0) return errorResponse('NOT_FOUND', COMMON_MESSAGES.notFound);
      if (methods.has('GET')) methods.add('HEAD');
      const allow = [...methods, 'OPTIONS'].join(', ');
      if (request.method === 'OPTIONS') return new HttpResponse(null, { status: 204, headers: { Allow: allow } });
      return errorResponse('METHOD_NOT_ALLOWED', COMMON_MESSAGES.methodNotAllowed, { Allow: allow });
    }),
  );
  return handlers;
}
