import { listRoutes, takesBody } from '@cims/contracts';
import { COMMON_MESSAGES } from '@cims/contracts/rules';
import type { AppRoute } from '@ts-rest/core';
import { createExpressEndpoints } from '@ts-rest/express';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { AppContext } from '../context.js';
import { ApiError } from '../errors.js';
import { AUDIO_UPLOAD } from '../modules/crm/audio.js';
import { IMAGE_UPLOAD } from '../modules/files/blob-store.js';
import type { ServerModule } from '../modules/index.js';
import { authenticate } from './authenticate.js';
import { errorHandler } from './error-handler.js';
import { refuseMalformedPathParams, refuseUnsafeText } from './input-guard.js';
import { multipartParser } from './multipart.js';
import { withFastResponses } from './response-check.js';

export interface EndpointOptions {
  /** The largest JSON or URL-encoded body accepted (body-parser's `limit`). */
  bodyLimit: string;
}

/**
 * The contract's routes, served by ts-rest, each entered straight from the route the route table (`route-table.ts`)
 * found (`res.locals.route`, its decoded path parameters in `res.locals.pathParams`). ts-rest registers a route's
 * handlers on an app; here that "app" records them ({@link recordRoute}), and a request runs them one after the other
 * ({@link runChain}), without Express's router: it would match every route's pattern again (a regular expression each,
 * for every route registered before the one asked for) and build its dispatch state per layer, and the route table's
 * choice (literal paths before parameters) is then the only one. The body parsers run only for the routes that declare
 * a body (`c.noBody()` included, as in the route table's 415 check).
 *
 * Every route runs, in order: the path-parameter guard (when it has parameters), the body parsers (when it declares a
 * body), {@link authenticate} (401/403 before the
 * request is validated or an upload read), the multipart parser (files are only read for callers allowed to send
 * them), {@link refuseUnsafeText} (text the database cannot store), then ts-rest's request validation, the handler and
 * the response validation. Every failure, and a request the route does not take after all (a contract 404), is
 * answered by the {@link errorHandler} at once.
 */
export function contractEndpoints(
  modules: ServerModule[],
  context: AppContext,
  options: EndpointOptions,
): RequestHandler {
  const bodyParsers: RequestHandler[] = [
    express.json({ limit: options.bodyLimit }),
    express.urlencoded({ extended: false, limit: options.bodyLimit, parameterLimit: 200 }),
  ];
  const globalMiddleware = [
    authenticate(context.auth.requests),
    multipartParser({ ...context.config.uploads, checks: [AUDIO_UPLOAD, IMAGE_UPLOAD] }),
    refuseUnsafeText,
  ];
  const chains = new Map<AppRoute, RequestHandler[]>();
  for (const module of modules) {
    const implementation = module.router(context);
    for (const { keys, route } of listRoutes(module.contract)) {
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
      const handlers = recordRoute(route, (app) =>
        createExpressEndpoints({ route: withFastResponses(route) }, { route: handler } as never, app as never, {
          logInitialization: false,
          jsonQuery: false,
          // Every response is parsed by the route's declared schema: a field the contract does not name (a password
          // hash, an internal flag) can never leak, and a handler that drifts from the contract fails loudly. A body
          // exactly as declared is recognised by a validator compiled once (response-check.ts); zod parses the rest.
          responseValidation: true,
          globalMiddleware: globalMiddleware as never[],
        }),
      );
      chains.set(route, [
        // Bad percent-encoding in a path parameter is refused before anything else, credentials included.
        ...(route.path.includes(':') ? [refuseMalformedPathParams] : []),
        ...(takesBody(route) ? bodyParsers : []),
        ...handlers,
      ]);
    }
  }

  return function serveEndpoint(req: Request, res: Response, next: NextFunction): void {
    // The route table calls this only with a route it found, and every route it knows belongs to one of these modules.
    const handlers = chains.get(res.locals.route as AppRoute);
    if (!handlers) {
      next(notFound());
      return;
    }
    req.params = (res.locals.pathParams ?? {}) as Request['params'];
    runChain(handlers, req, res, next);
  };
}

/**
 * The handlers ts-rest registers for `route`, in order, recorded by a stand-in for the Express app it mounts them on.
 * Only the route's own method registers handlers; ts-rest's `app.use` of its validation-error handler is left out,
 * since every error of a chain goes to {@link errorHandler}, which answers a `RequestValidationError` as a 422.
 */
function recordRoute(route: AppRoute, mount: (app: object) => void): RequestHandler[] {
  let recorded: RequestHandler[] | undefined;
  const register = (path: string, ...handlers: RequestHandler[]) => {
    if (path !== route.path || recorded) throw new Error(`ts-rest registered more than ${route.method} ${route.path}`);
    recorded = handlers;
  };
  mount({ get: register, post: register, put: register, patch: register, delete: register, use: () => {} });
  if (!recorded) throw new Error(`ts-rest registered nothing for ${route.method} ${route.path}`);
  // runChain calls every handler as (req, res, next); Express would skip an error handler (err, req, res, next) here.
  if (recorded.some((handler) => handler.length > 3)) {
    throw new Error(`An error handler among the handlers of ${route.method} ${route.path}`);
  }
  return recorded;
}

/**
 * Runs a route's handlers as Express would run them on a route: each calls `next()` to hand on, or `next(error)`;
 * an error (thrown, or handed on) goes to the {@link errorHandler}, and a request no handler answers gets the
 * contract's 404. `done` is the app's `next`, which the error handler calls only for a response already started.
 */
function runChain(handlers: RequestHandler[], req: Request, res: Response, done: NextFunction): void {
  let index = 0;
  // The error handler answering fails only when the response cannot be written: Express's own final handler then.
  const fail = (error: unknown): void => {
    try {
      errorHandler(error, req, res, done);
    } catch (failure) {
      done(failure);
    }
  };
  const next = (error?: unknown): void => {
    if (error !== undefined && error !== null) {
      fail(error);
      return;
    }
    const handler = handlers[index++];
    if (!handler) {
      fail(notFound());
      return;
    }
    try {
      handler(req, res, next);
    } catch (thrown) {
      next(thrown ?? new Error('A handler threw nothing'));
    }
  };
  next();
}

/** A request its route did not take after all still gets the contract's 404. */
function notFound(): ApiError {
  return new ApiError('NOT_FOUND', COMMON_MESSAGES.notFound);
}
