import { listRoutes, takesBody } from '@cims/contracts';
import { COMMON_MESSAGES } from '@cims/contracts/rules';
import type { AppRoute } from '@ts-rest/core';
import { createExpressEndpoints, type RequestValidationError } from '@ts-rest/express';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { AppContext } from '../context.js';
import { ApiError } from '../errors.js';
import { AUDIO_UPLOAD } from '../modules/crm/audio.js';
import { IMAGE_UPLOAD } from '../modules/files/blob-store.js';
import type { ServerModule } from '../modules/index.js';
import { authenticate } from './authenticate.js';
import { errorHandler } from './error-handler.js';
import { refuseUnsafeText } from './input-guard.js';
import { multipartParser } from './multipart.js';
import { withFastResponses } from './response-check.js';

export interface EndpointOptions {
  /** The largest JSON or URL-encoded body accepted (body-parser's `limit`). */
  bodyLimit: string;
}

/**
 * The contract's routes, served by ts-rest, each on an Express router of its own that is entered straight from the
 * route the route table (`route-table.ts`) found (`res.locals.route`). Express would otherwise try every route
 * registered before the one asked for, a regular expression each, on every request; and the route table's choice
 * (literal paths before parameters) is then the only one. The body parsers run only for the routes that declare a
 * body (`c.noBody()` included, as in the route table's 415 check).
 *
 * Every route runs, in order: the body parsers (when it declares a body), {@link authenticate} (401/403 before the
 * request is validated or an upload read), the multipart parser (files are only read for callers allowed to send
 * them), {@link refuseUnsafeText} (text the database cannot store), then ts-rest's request validation, the handler and the response validation. Every failure, and a request
 * the route does not take after all (a contract 404), is answered by the {@link errorHandler} at the end of the
 * route's router, at once (a router that runs out of layers hands an error on only at the next turn of the event
 * loop).
 */
export function contractEndpoints(
  modules: ServerModule[],
  context: AppContext,
  options: EndpointOptions,
): RequestHandler {
  const bodyParsers = [
    express.json({ limit: options.bodyLimit }),
    express.urlencoded({ extended: false, limit: options.bodyLimit, parameterLimit: 200 }),
  ];
  const globalMiddleware = [
    authenticate(context.auth.requests),
    multipartParser({ ...context.config.uploads, checks: [AUDIO_UPLOAD, IMAGE_UPLOAD] }),
    refuseUnsafeText,
  ];
  const routers = new Map<AppRoute, express.Router>();
  for (const module of modules) {
    const implementation = module.router(context);
    for (const { keys, route } of listRoutes(module.contract)) {
      const router = express.Router();
      if (takesBody(route)) router.use(bodyParsers);
      // ts-rest mounts a router of the contract on its implementation: here a router of this one route.
      const handler = keys.reduce<unknown>(
        (at, key) => (at as Record<string, unknown> | undefined)?.[key],
        implementation,
      );
      // ts-rest would skip a route without an implementation and leave its path unanswered.
      if (
        typeof handler !== 'function' &&
        typeof (handler as { handler?: unknown } | undefined)?.handler !== 'function'
      ) {
        throw new Error(`No implementation of ${route.method} ${route.path}`);
      }
      createExpressEndpoints({ route: withFastResponses(route) }, { route: handler } as never, router, {
        logInitialization: false,
        jsonQuery: false,
        // Every response is parsed by the route's declared schema: a field the contract does not name (a password
        // hash, an internal flag) can never leak, and a handler that drifts from the contract fails loudly. A body
        // exactly as declared is recognised by a validator compiled once (response-check.ts); zod parses the rest.
        responseValidation: true,
        requestValidationErrorHandler: (error: RequestValidationError, _req, _res, next) => next(error),
        globalMiddleware: globalMiddleware as never[],
      });
      router.use(unanswered, errorHandler);
      routers.set(route, router);
    }
  }

  return function serveEndpoint(req: Request, res: Response, next: NextFunction): void {
    // The route table answers every path it does not know, and a route it found belongs to one of these modules.
    const router = routers.get(res.locals.route as AppRoute);
    if (router) router(req, res, next);
    else unanswered(req, res, next);
  };
}

/** The last layer of a route's router: a request its route did not take after all still gets the contract's 404. */
function unanswered(_req: Request, _res: Response, next: NextFunction): void {
  next(new ApiError('NOT_FOUND', COMMON_MESSAGES.notFound));
}
