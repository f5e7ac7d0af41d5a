import { listRoutes, takesBody } from '@cims/contracts';
import { COMMON_MESSAGES } from '@cims/contracts/rules';
import type { AppRoute, AppRouter } from '@ts-rest/core';
import type { NextFunction, Request, Response } from 'express';
import { ApiError } from '../errors.js';

interface CompiledPath {
  pattern: RegExp;
  /** A path without parameters: the two request paths it matches (with and without a trailing slash). */
  literal?: [string, string];
  routes: AppRoute[];
}

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
 * Answers what the contract's routes cannot: an unknown path (`404`), a known path with another method (`405` with
 * `Allow`), and a body in a media type the route does not take (`415`). It runs before any body is parsed, so nothing
 * is read for a request that will be refused.
 */
export function routeTable(contracts: AppRouter[]) {
  const byPath = new Map<string, CompiledPath>();
  for (const contract of contracts) {
    for (const { route } of listRoutes(contract)) {
      const entry = byPath.get(route.path) ?? {
        pattern: compile(route.path),
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
    for (const entry of paths) {
      if (!matches(entry, path)) continue;
      known = true;
      route = entry.routes.find((r) => r.method === method || (method === 'HEAD' && r.method === 'GET'));
      if (route) break;
    }
    if (!known) {
      next(new ApiError('NOT_FOUND', COMMON_MESSAGES.notFound));
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
    if (takesBody(route) && hasBody(req)) {
      const accepted = MEDIA_TYPES[route.contentType ?? 'application/json'] ?? [];
      if (!req.is(accepted)) {
        const sent = req.headers['content-type'] ?? 'none';
        next(new ApiError('UNSUPPORTED_MEDIA_TYPE', COMMON_MESSAGES.mediaTypeRefused(sent, accepted)));
        return;
      }
    }
    next();
  };
}
