import { listRoutes } from '@cims/contracts';
import type { AppRoute, AppRouter } from '@ts-rest/core';
import type { NextFunction, Request, Response } from 'express';
import { ApiError } from '../errors.js';

interface CompiledPath {
  pattern: RegExp;
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
      const entry = byPath.get(route.path) ?? { pattern: compile(route.path), routes: [] };
      entry.routes.push(route);
      byPath.set(route.path, entry);
    }
  }
  // Literal segments win over parameters (`/crm/customers/bulk-delete` before `/crm/customers/:id`), whatever order
  // the contract declares them in: the legacy server's first-match order made its bulk routes unreachable.
  const params = (path: string) => path.split('/').filter((segment) => segment.startsWith(':')).length;
  const paths = [...byPath.entries()].sort(([a], [b]) => params(a) - params(b)).map(([, entry]) => entry);

  return function checkRoute(req: Request, res: Response, next: NextFunction): void {
    const candidates = paths.filter((p) => p.pattern.test(req.path)).flatMap((p) => p.routes);
    if (candidates.length === 0) {
      next(new ApiError('NOT_FOUND', 'Not Found'));
      return;
    }
    const allowed = new Set(candidates.map((r) => r.method as string));
    if (allowed.has('GET')) allowed.add('HEAD');
    const allow = [...allowed, 'OPTIONS'].join(', ');
    if (req.method === 'OPTIONS') {
      res.setHeader('Allow', allow);
      res.status(204).end();
      return;
    }
    const route = candidates.find((r) => r.method === req.method || (req.method === 'HEAD' && r.method === 'GET'));
    if (!route) {
      next(new ApiError('METHOD_NOT_ALLOWED', 'Method Not Allowed', { headers: { Allow: allow } }));
      return;
    }
    res.locals.route = route;
    if ('body' in route && hasBody(req)) {
      const accepted = MEDIA_TYPES[route.contentType ?? 'application/json'] ?? [];
      if (!req.is(accepted)) {
        const sent = req.headers['content-type'] ?? 'none';
        next(
          new ApiError(
            'UNSUPPORTED_MEDIA_TYPE',
            `Content-Type ${sent} is not accepted here; send ${accepted.join(' or ')}`,
          ),
        );
        return;
      }
    }
    next();
  };
}
