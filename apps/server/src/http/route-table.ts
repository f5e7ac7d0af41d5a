import { listRoutes, takesBody } from '@cims/contracts';
import { COMMON_MESSAGES } from '@cims/contracts/rules';
import type { AppRoute, AppRouter } from '@ts-rest/core';
import type { NextFunction, Request, Response } from 'express';
import { ApiError } from '../errors.js';

interface CompiledPath {
  pattern: RegExp;
  /** The names of the path's parameters, in the order of the pattern's groups. */
  names: string[];
  /** A path without parameters: the two request paths it matches (with and without a trailing slash). */
  literal?: [string, string];
  routes: AppRoute[];
}

/** The path parameters of the route the route table found, decoded, as Express's router would have set them. */
export type PathParams = Record<string, string | undefined>;

function compile(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      return segment.endsWith('?') ? '?([^/]*)' : '([^/]+)';
    })
    .join('/');
  return new RegExp(`^${source}/?$`);
}

const MEDIA_TYPES: Record<string, string[]> = {
  'application/json': ['application/json'],
  'application/x-www-form-urlencoded': ['application/x-www-form-urlencoded'],
  // Multipart forms are also accepted URL-encoded when they carry no file.
  'multipart/form-data': ['multipart/form-data', 'application/x-www-form-urlencoded'],
};

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/**
 * The parameters of a path, from its entry's names and the groups of the pattern's match, decoded like Express's
 * router does. A value that is not valid percent-encoding is kept as it came: `refuseMalformedPathParams`
 * (input-guard.ts) refuses it before anything reads it.
 */
function paramsOf(entry: CompiledPath, match: RegExpExecArray | null): PathParams {
  const params: PathParams = {};
  entry.names.forEach((name, index) => {
    const value = match?.[index + 1];
    if (value === undefined || value === '') {
      params[name] = undefined;
      return;
    }
    try {
      params[name] = decodeURIComponent(value);
    } catch {
      params[name] = value;
    }
  });
  return params;
}

/**
 * Finds the contract's route of a request and hands it to `serve` (the route's endpoint), leaving the route in
 * `res.locals.route` and its decoded path parameters in `res.locals.pathParams`. Answers what the contract's routes
 * cannot: a known path with another method (`405` with `Allow`), `OPTIONS` (`204`), and a body in a media type the
 * route does not take (`415`), before any body is parsed, so nothing is read for a request that will be refused. A
 * path the contract does not know goes on to the app's other paths (the documentation, pictures, metrics), the last
 * of which is {@link unknownPath}.
 */
export function routeTable(contracts: AppRouter[], serve: (req: Request, res: Response, next: NextFunction) => void) {
  const byPath = new Map<string, CompiledPath>();
  for (const contract of contracts) {
    for (const { route } of listRoutes(contract)) {
      const entry = byPath.get(route.path) ?? {
        pattern: compile(route.path),
        names: route.path
          .split('/')
          .filter((segment) => segment.startsWith(':'))
          .map((segment) => segment.slice(1).replace(/\?$/, '')),
        literal: route.path.includes(':') ? undefined : [route.path, `${route.path}/`],
        routes: [],
      };
      entry.routes.push(route);
      byPath.set(route.path, entry);
    }
  }
  // Literal segments win over parameters (`/crm/customers/bulk-delete` before `/crm/customers/:id`), whatever order
  // the contract declares them in: the legacy server's first-match order made its bulk routes unreachable.
  const params = (path: string) => path.split('/').filter((segment) => segment.startsWith(':')).length;
  const paths = [...byPath.entries()].sort(([a], [b]) => params(a) - params(b)).map(([, entry]) => entry);

  const matches = (entry: CompiledPath, path: string) =>
    entry.literal ? entry.literal[0] === path || entry.literal[1] === path : entry.pattern.test(path);
  /** `Allow` for the paths that match: every method they take, HEAD with GET, and OPTIONS. */
  const allowOf = (path: string) => {
    const allowed = new Set(
      paths.filter((entry) => matches(entry, path)).flatMap((entry) => entry.routes.map((r) => r.method as string)),
    );
    if (allowed.has('GET')) allowed.add('HEAD');
    return [...allowed, 'OPTIONS'].join(', ');
  };

  return function checkRoute(req: Request, res: Response, next: NextFunction): void {
    // The first route, in `paths` order, of a matching path that takes the method; a literal path is compared as a
    // string, only paths with parameters need their pattern.
    const path = req.path;
    const method = req.method;
    let known = false;
    let route: AppRoute | undefined;
    let params: PathParams = {};
    for (const entry of paths) {
      // A path with parameters is matched once, and its groups kept for the parameters.
      const match = entry.literal ? null : entry.pattern.exec(path);
      if (entry.literal ? entry.literal[0] !== path && entry.literal[1] !== path : !match) continue;
      known = true;
      route = entry.routes.find((r) => r.method === method || (method === 'HEAD' && r.method === 'GET'));
      if (route) {
        if (entry.names.length > 0) params = paramsOf(entry, match);
        break;
      }
    }
    if (!known) {
      next();
      return;
    }
    if (method === 'OPTIONS') {
      res.setHeader('Allow', allowOf(path));
      res.status(204).end();
      return;
    }
    if (!route) {
      next(new ApiError('METHOD_NOT_ALLOWED', COMMON_MESSAGES.methodNotAllowed, { headers: { Allow: allowOf(path) } }));
      return;
    }
    res.locals.route = route;
    res.locals.pathParams = params;
    if (takesBody(route) && hasBody(req)) {
      const accepted = MEDIA_TYPES[route.contentType ?? 'application/json'] ?? [];
      if (!req.is(accepted)) {
        const sent = req.headers['content-type'] ?? 'none';
        next(new ApiError('UNSUPPORTED_MEDIA_TYPE', COMMON_MESSAGES.mediaTypeRefused(sent, accepted)));
        return;
      }
    }
    serve(req, res, next);
  };
}

/** The last of the app's paths: a path nothing answered is the contract's `404`. */
export function unknownPath(_req: Request, _res: Response, next: NextFunction): void {
  next(new ApiError('NOT_FOUND', COMMON_MESSAGES.notFound));
}
