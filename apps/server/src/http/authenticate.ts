import { routeMeta } from '@cims/contracts';
import type { AppRoute } from '@ts-rest/core';
import type { NextFunction, Request, Response } from 'express';
import type { AppContext } from '../context.js';
import { ApiError } from '../errors.js';
import type { Caller } from '../modules/auth/auth.service.js';

/**
 * Runs for every contract route before its request is validated: a `bearer` route needs a valid access token of a
 * live session (else 401, so clients refresh), and the route's declared `roles` (else 403). The caller is left in
 * `res.locals.caller`. Enforced here, from the contract, so no handler can forget it.
 */
export function authenticate(ctx: AppContext) {
  return async (req: Request & { tsRestRoute?: AppRoute }, res: Response, next: NextFunction): Promise<void> => {
    try {
      const route = req.tsRestRoute;
      if (!route) return next();
      const meta = routeMeta(route);
      if (meta.auth !== 'bearer') return next();
      const caller = await ctx.auth.authenticate(req.headers.authorization);
      if (meta.roles && !meta.roles.includes(caller.role)) {
        throw new ApiError('FORBIDDEN', `This needs one of the roles ${meta.roles.join(', ')}`);
      }
      res.locals.caller = caller;
      next();
    } catch (error) {
      next(error);
    }
  };
}

/** The caller of a `bearer` route, set by {@link authenticate}. */
export function callerOf(res: Response): Caller {
  const caller = res.locals.caller as Caller | undefined;
  if (!caller) throw new Error('callerOf() used on a route that is not bearer-authenticated');
  return caller;
}
