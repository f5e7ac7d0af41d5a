import type { Request } from 'express';
import type { RequestInfo } from '../modules/auth/auth.service.js';

/** Where a request came from (client IP honours `TRUST_PROXY`). */
export function requestInfo(req: Pick<Request, 'ip' | 'get' | 'id'>): RequestInfo {
  return {
    ip: req.ip ?? null,
    userAgent: req.get('user-agent') ?? null,
    requestId: typeof req.id === 'string' ? req.id : req.id === undefined ? null : String(req.id),
  };
}
