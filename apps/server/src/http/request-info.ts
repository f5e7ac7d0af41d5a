import { isIP } from 'node:net';
import type { Request, Response } from 'express';
import type { RequestInfo } from '../modules/audit/audit.js';
import type { RequestScope } from '../modules/auth/caller.js';
import { callerOf } from './authenticate.js';

/**
 * Where a request came from. The client IP honours `TRUST_PROXY`; anything that is not an IP address (a forged
 * forwarding header) is dropped rather than stored or used as a rate-limit key.
 */
export function requestInfo(req: Pick<Request, 'ip' | 'get' | 'id'>): RequestInfo {
  const ip = req.ip && isIP(req.ip) ? req.ip : null;
  return {
    ip,
    userAgent: req.get('user-agent')?.slice(0, 500) ?? null,
    requestId: typeof req.id === 'string' ? req.id : req.id === undefined ? null : String(req.id),
  };
}

/** The caller of a `bearer` route and where its request came from: the scope the services' methods take first. */
export function requestScope(req: Pick<Request, 'ip' | 'get' | 'id'>, res: Response): RequestScope {
  return { caller: callerOf(res), info: requestInfo(req) };
}
