import {
  type ApiErrorBody,
  ERROR_STATUS,
  type ErrorCode,
  listRoutes,
  type ValidationErrorBody,
  type ValidationIssue,
} from '@cims/contracts';
import {
  type AppRoute,
  type AppRouter,
  isAppRouteNoBody,
  isZodType,
  type ServerInferRequest,
  type ServerInferResponses,
} from '@ts-rest/core';
import { type HttpHandler, HttpResponse, http } from 'msw';
import type { ZodError, ZodTypeAny } from 'zod';

/** What a mock route implementation receives: the request parsed by the route's own schemas. */
export type MockRequest<TRoute extends AppRoute> = ServerInferRequest<TRoute> & { request: Request };

/** A mock implementation of one route: returns one of the route's declared responses. */
export type MockRouteImplementation<TRoute extends AppRoute> = (
  input: MockRequest<TRoute>,
) => ServerInferResponses<TRoute> | Promise<ServerInferResponses<TRoute>>;

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

/** The JSON error body the real server sends for a code. */
export function errorResponse(
  code: ErrorCode,
  detail: string,
  headers?: Record<string, string>,
): HttpResponse<ApiErrorBody> {
  return HttpResponse.json({ detail, code }, { status: ERROR_STATUS[code], headers });
}

function issues(location: string, error: ZodError): ValidationIssue[] {
  return error.issues.map((issue) => {
    const missing = issue.code === 'invalid_type' && issue.received === 'undefined';
    return {
      loc: [location, ...issue.path],
      msg: missing ? 'Field required' : issue.message,
      type: missing ? 'missing' : issue.code,
    };
  });
}

async function readBody(request: Request): Promise<unknown> {
  const type = request.headers.get('content-type') ?? '';
  if (type.includes('application/json')) {
    const text = await request.text();
    return text ? JSON.parse(text) : undefined;
  }
  if (type.includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(await request.text()));
  }
  if (type.includes('multipart/form-data')) {
    const form = await request.formData();
    const out: Record<string, unknown> = {};
    form.forEach((value, key) => {
      out[key] = value;
    });
    return out;
  }
  return undefined;
}

function check(schema: unknown, value: unknown, location: string, into: ValidationIssue[]): unknown {
  if (!isZodType(schema)) return value;
  const result = (schema as ZodTypeAny).safeParse(value);
  if (result.success) return result.data;
  into.push(...issues(location, result.error));
  return undefined;
}

/** One MSW handler for one contract route, mirroring what the server does with the request and the response. */
function routeHandler(baseUrl: string, route: AppRoute, implementation: MockRouteImplementation<AppRoute>) {
  const method = route.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
  return http[method](`${baseUrl}${route.path}`, async ({ request, params }) => {
    let rawBody: unknown;
    if ('body' in route) {
      try {
        rawBody = await readBody(request);
      } catch {
        return errorResponse('MALFORMED_BODY', 'The request body is not valid JSON');
      }
    }
    const url = new URL(request.url);
    const found: ValidationIssue[] = [];
    const input = {
      params: check(route.pathParams, params, 'path', found),
      query: check(route.query, Object.fromEntries(url.searchParams), 'query', found),
      headers: Object.fromEntries(request.headers),
      body: 'body' in route ? check(route.body, rawBody, 'body', found) : undefined,
      request,
    };
    if (found.length > 0) {
      const body: ValidationErrorBody = { detail: found as ValidationErrorBody['detail'], code: 'VALIDATION_FAILED' };
      return HttpResponse.json(body, { status: 422 });
    }
    const result = await implementation(input as never);
    const declared = route.responses[result.status];
    if (declared === undefined) throw new MockDriftError(route, result.status);
    if (isAppRouteNoBody(declared)) return new HttpResponse(null, { status: result.status });
    const parsed = isZodType(declared) ? (declared as ZodTypeAny).safeParse(result.body) : undefined;
    if (parsed && !parsed.success) throw new MockDriftError(route, result.status, parsed.error.issues);
    return HttpResponse.json(parsed ? parsed.data : result.body, { status: result.status });
  });
}

function implementationAt(router: unknown, keys: string[]): MockRouteImplementation<AppRoute> {
  const found = keys.reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], router);
  if (typeof found !== 'function') throw new Error(`The mock router has no implementation for ${keys.join('.')}`);
  return found as MockRouteImplementation<AppRoute>;
}

/**
 * Turns a contract and its mock implementations into MSW handlers: one per route (path from the contract, request
 * parsed by the route's schemas, response validated against the route's declared schema), then a catch-all that
 * answers unknown routes under `baseUrl` with `404` (or `405`) in the contract's error shape, like the server.
 */
export function createRouteHandlers<TRouter extends AppRouter>(
  contract: TRouter,
  router: MockRouter<TRouter>,
  baseUrl: string,
): HttpHandler[] {
  const base = baseUrl.replace(/\/+$/, '');
  const routes = listRoutes(contract);
  const handlers = routes.map(({ keys, route }) => routeHandler(base, route, implementationAt(router, keys)));
  const patterns = routes.map(({ route }) => ({
    route,
    pattern: new RegExp(`^${route.path.replace(/:\w+\??/g, '[^/]+')}/?$`),
  }));
  handlers.push(
    http.all(`${base}/*`, ({ request }) => {
      const path = new URL(request.url).pathname.slice(new URL(`${base}/`).pathname.length - 1);
      const methods = patterns.filter((p) => p.pattern.test(path)).map((p) => p.route.method);
      if (methods.length === 0) return errorResponse('NOT_FOUND', 'Not Found');
      return errorResponse('METHOD_NOT_ALLOWED', 'Method Not Allowed', { Allow: [...methods, 'OPTIONS'].join(', ') });
    }),
  );
  return handlers;
}
