import { routeMeta } from '@cims/contracts';
import { forbiddenMessage, routeAccess } from '@cims/contracts/rules';
import type { AppRoute } from '@ts-rest/core';
import type { NextFunction, Request, Response } from 'express';
import { ApiError } from '../errors.js';
import type { Caller } from '../modules/auth/caller.js';
import type { RequestAuthService } from '../modules/auth/request-auth.service.js';

/**
 * Runs for every contract route before its request is validated: a `bearer` route needs a valid access token of a
 * live session (else 401, so clients refresh), and the route's `roles` or `pages` (else 403, decided by the contract's
 * `routeAccess`, the same rule the mocks apply); an `apiKey` route needs
 * the intake key (the only one there is). The caller is left in `res.locals.caller`. Enforced here, from the
 * contract, so no handler can forget it. Takes only what it asks of auth, so the pipeline depends on no other module.
 */
export function authenticate(auth: Pick<RequestAuthService, 'authenticate' | 'holdsPage' | 'verifyIntakeKey'>) {
  return async (req: Request & { tsRestRoute?: AppRoute }, res: Response, next: NextFunction): Promise<void> => {
    try {
      const route = req.tsRestRoute;
      if (!route) return next();
      const meta = routeMeta(route);
      // The intake key is checked before the body is validated: a caller without it learns nothing about the API.
      if (meta.auth === 'apiKey') {
        auth.verifyIntakeKey(req.header('x-key'));
        return next();
      }
      // A signed URL carries its own proof (checked by the route); a token, when sent, must still be valid.
      if (meta.auth === 'signedUrl' && req.headers.authorization === undefined) return next();
      if (meta.auth !== 'bearer' && meta.auth !== 'signedUrl') return next();
      const caller = await auth.authenticate(req.headers.authorization);
      const access = routeAccess(meta, caller.role);
      if (access === 'deny' || (access === 'pages' && !(await auth.holdsPage(caller, meta.pages ?? [])))) {
        throw new ApiError('FORBIDDEN', forbiddenMessage(meta));
      }
      res.locals.caller = caller;
      next();
    } catch (error) {
      next(error);
    }
  };
}

/** The caller of a `bearer` route (or a `signedUrl` route called with a token), if any. */
export function maybeCallerOf(res: Response): Caller | undefined {
  return res.locals.caller as Caller | undefined;
}

/** The caller of a `bearer` route, set by {@link authenticate}. */
export function callerOf(res: Response): Caller {
  const caller = res.locals.caller as Caller | undefined;
  if (!caller) throw new Error('callerOf() used on a route that is not bearer-authenticated');
  return caller;
}
