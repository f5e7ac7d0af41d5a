import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from 'cors';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { type AppContext, createContext } from './context.js';
import type { Database } from './db/orm.js';
import { mountDocs } from './http/docs.js';
import { contractEndpoints } from './http/endpoints.js';
import { errorHandler } from './http/error-handler.js';
import { sendJson } from './http/json-response.js';
import { httpMetrics, labelRoute, mountMetrics } from './http/metrics.js';
import { requestLogger } from './http/request-logger.js';
import { routeTable, unknownPath } from './http/route-table.js';
import { API_SECURITY_HEADERS, fixedHeaders, removeHeaders, securityHeaders } from './http/security-headers.js';
import { PROFILE_IMAGE_FOLDER, PROFILE_IMAGE_URL } from './modules/auth/profile.service.js';
import { IMAGE_MEDIA_TYPES } from './modules/files/blob-store.js';
import { serveStoredFiles } from './modules/files/serve-files.js';
import { modules as defaultModules, type ServerModule } from './modules/index.js';
import type { SchedulerClock } from './modules/scheduler/scheduler.js';
import { activeTracing } from './tracing.js';

/**
 * What the CORS preflight allows: every header and method the legacy client sends (`Authorization`, `Content-Type`,
 * `Accept`, and `Cache-Control`, `Pragma`, `Expires` on every authenticated GET), plus the request id, the intake key
 * and `Range` for recordings.
 */
const CORS_ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'Accept',
  'Cache-Control',
  'Pragma',
  'Expires',
  'X-Request-ID',
  'X-Key',
  'Range',
];
const CORS_EXPOSED_HEADERS = ['X-Request-ID', 'Content-Length', 'Content-Range', 'Accept-Ranges', 'Retry-After'];

/** An incoming id is echoed only when it is short and plain, so it cannot forge log lines or headers. */
const REQUEST_ID = /^[\w.:-]{1,128}$/;

export interface CreateAppOptions {
  config: Config;
  db: Database;
  logger: Logger;
  /** The modules to mount. @default every module of the server */
  modules?: ServerModule[];
  /** The clock of the scheduled jobs and the business day (tests move one themselves). @default the system clock */
  clock?: SchedulerClock;
}

/** The Express app and the state shared with the process that serves it. */
export interface App {
  express: Express;
  context: AppContext;
}

/**
 * Builds the HTTP application without listening; `server.ts` (or a test) decides where it listens.
 *
 * Order matters: request id and logging first, so every response (even a refused one) is traceable, then its span
 * (with tracing on) and the request metrics, so every response is traced and counted; then security headers and
 * CORS; then the contract's routes, which nearly every request is for: the route table finds the route (or refuses
 * another method or media type before any body is read) and runs its endpoint (body parsing, credentials,
 * validation, the handler). A path outside the contract goes on to `/metrics` (when `METRICS_TOKEN` is set), the
 * documentation and the profile pictures, and else is a 404; the error handler gives every failure the contract's
 * shape.
 */
export function createApp(options: CreateAppOptions): App {
  const { config, db, logger } = options;
  const mounted = options.modules ?? defaultModules;
  const context = createContext({ config, db, logger, clock: options.clock });
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('etag', false);
  app.response.json = sendJson;

  // Handlers' own lines carry just the request id; the completion line says what happened. Headers are not logged
  // (they carry credentials); REDACT_PATHS guards anything that slips through.
  app.use(
    requestLogger(logger, {
      genReqId: (req: IncomingMessage, res: ServerResponse) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
        res.setHeader('X-Request-ID', id);
        return id;
      },
      request: app.request,
    }),
  );
  // With tracing on (OTEL_EXPORTER_OTLP_ENDPOINT), a span per request, after the request id it carries.
  const tracing = activeTracing();
  if (tracing) app.use(tracing.middleware);
  // Only an app that serves its metrics measures its requests: a counter per request is cheap, but not free.
  if (config.metricsToken) app.use(httpMetrics(context.metrics));
  app.use(fixedHeaders(API_SECURITY_HEADERS));
  if (config.corsOrigins.length > 0) {
    app.use(
      cors({
        origin: config.corsOrigins.includes('*') ? '*' : config.corsOrigins,
        methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
        allowedHeaders: CORS_ALLOWED_HEADERS,
        exposedHeaders: CORS_EXPOSED_HEADERS,
        maxAge: 600,
      }),
    );
  }
  // The contract's routes first: they are what nearly every request asks for. The route table hands a path it does not
  // know on to the paths outside the contract, and the last of those answers 404.
  app.use(
    routeTable(
      mounted.map((m) => m.contract),
      contractEndpoints(mounted, context, { bodyLimit: config.jsonBodyLimit }),
    ),
  );
  if (config.metricsToken) mountMetrics(app, context.metrics, config.metricsToken);
  app.use(['/docs', '/openapi.json'], labelRoute);
  // The reference is an HTML page with its own scripts and styles: helmet's headers for documents, in place of the API's.
  app.use('/docs', removeHeaders(API_SECURITY_HEADERS), securityHeaders(helmet()));
  mountDocs(app);
  app.use(
    PROFILE_IMAGE_URL,
    labelRoute,
    // Pictures are shown by frontends on other origins (CORS_ORIGINS): the API's same-origin CORP would block them.
    (_req: Request, res: Response, next: NextFunction) => {
      res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
      next();
    },
    serveStoredFiles(context.blobs, {
      folder: PROFILE_IMAGE_FOLDER,
      mediaTypes: IMAGE_MEDIA_TYPES,
      maxAgeSeconds: 3600,
    }),
  );
  app.use(unknownPath);
  app.use(errorHandler);
  return { express: app, context };
}
