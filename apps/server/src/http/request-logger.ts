import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { type Logger, stdSerializers } from 'pino';

declare module 'http' {
  interface IncomingMessage {
    /** The request id: the `X-Request-ID` sent, when it is short and plain, or a new one (app.ts). */
    id: string;
    /** A logger whose lines carry `reqId`. */
    log: Logger;
  }
}

/** Query parameters that authorize by themselves (a signed URL's `sig`): never logged. */
const SECRET_QUERY = /([?&](?:sig|signature|token|access_token|code)=)[^&#]*/gi;

/** A request URL as it may be logged: secrets in the query replaced by `[redacted]`. */
export function redactUrl(url: string): string {
  return url.replace(SECRET_QUERY, '$1[redacted]');
}

/** What of a request the completion line shows (headers are never logged: they carry credentials). */
function serializeRequest(req: {
  id: string;
  method: string;
  url: string;
  remoteAddress?: string;
  headers: Record<string, unknown>;
}) {
  return {
    id: req.id,
    method: req.method,
    url: redactUrl(req.url),
    remoteAddress: req.remoteAddress,
    userAgent: req.headers['user-agent'],
  };
}

function serializeResponse(res: { statusCode: number }) {
  return { statusCode: res.statusCode };
}

export interface RequestLoggerOptions {
  /** The id of a request; may set response headers. */
  genReqId(req: IncomingMessage, res: ServerResponse): string;
  /**
   * The prototype of the requests the middleware will see (Express's `app.request`), where `req.log` is defined once:
   * defining it on every request would cost each one a property definition and a shape of its own.
   */
  request: object;
}

/** A request's logger, once built; when its response started. */
const LOGGER = Symbol('logger');
const STARTED = Symbol('started');
type Logged = { [LOGGER]?: Logger; [STARTED]?: number };

/**
 * The level of a completion line: `error` for a failure of the server itself (a `500`, or a response that broke off
 * with an error), `warn` for a dependency that is unavailable (`502`, `503`, `504`: the database or the Graph API,
 * answered as the contract says), `info` for everything else — a `4xx`, a request without credentials included, is the
 * client's affair and expected in normal operation.
 */
export function levelOf(statusCode: number, error?: Error): 'error' | 'warn' | 'info' {
  if (error !== undefined) return 'error';
  if (statusCode === 502 || statusCode === 503 || statusCode === 504) return 'warn';
  return statusCode >= 500 ? 'error' : 'info';
}

/**
 * Gives every request an id and `req.log`, and logs one line when its response completes: `request completed` (or
 * `request aborted`, when the client went away first) or `request errored` (a failure or a 5xx), at the level of
 * {@link levelOf}. The lines are the ones pino-http wrote for this server (`quietReqLogger`: handlers' lines carry just `reqId`;
 * the completion line also has `req`, `res` and `responseTime`), built the same way, from the same serializers, by the
 * same child loggers.
 *
 * Unlike pino-http, it builds those child loggers only when a line is written: with nothing to log (`LOG_LEVEL=warn`
 * and a 2xx, say) a request costs an id, a timestamp and two listeners (`close`, which follows `finish` or an abort,
 * and `error`), and no closure of its own.
 */
export function requestLogger(logger: Logger, options: RequestLoggerOptions) {
  // pino-http's logger: the serializers wrapped around pino's standard ones.
  const base = logger.child(
    {},
    {
      serializers: {
        req: stdSerializers.wrapRequestSerializer(serializeRequest as never),
        res: stdSerializers.wrapResponseSerializer(serializeResponse as never),
        err: stdSerializers.wrapErrorSerializer(stdSerializers.err as never),
      },
    },
  );

  /** The request's logger, built on first use: `req.log`, and the base of its completion line. */
  const loggerOf = (req: IncomingMessage & Logged) => {
    req[LOGGER] ??= base.child({ reqId: req.id });
    return req[LOGGER];
  };
  const logProperty: PropertyDescriptor & ThisType<IncomingMessage & Logged> = {
    configurable: true,
    enumerable: true,
    get() {
      return loggerOf(this);
    },
    // A handler may replace `req.log`; the completion line keeps the request's own logger.
    set(value: Logger) {
      Object.defineProperty(this, 'log', { configurable: true, enumerable: true, writable: true, value });
    },
  };

  Object.defineProperty(options.request, 'log', logProperty);

  function onComplete(this: ServerResponse & Logged, error?: Error): void {
    this.removeListener('close', onComplete);
    this.removeListener('error', onComplete);
    const level = levelOf(this.statusCode, error);
    if (!base.isLevelEnabled(level)) return;
    const req = this.req;
    const lineLogger = loggerOf(req).child({ req });
    const responseTime = Date.now() - (this[STARTED] as number);
    const errored = error ?? (this as { err?: Error }).err;
    if (errored || this.statusCode >= 500) {
      lineLogger[level](
        { res: this, err: errored ?? new Error(`failed with status code ${this.statusCode}`), responseTime },
        'request errored',
      );
      return;
    }
    const completed = !req.readableAborted && this.writableEnded;
    lineLogger[level]({ res: this, responseTime }, completed ? 'request completed' : 'request aborted');
  }

  return function logRequest(req: Request, res: Response, next: NextFunction): void {
    req.id ||= options.genReqId(req, res);
    (res as Logged)[STARTED] = Date.now();
    // The completion line shows the client's address; read it now, while the socket is surely open (Node keeps it).
    void req.socket.remoteAddress;
    res.on('close', onComplete);
    res.on('error', onComplete);
    next();
  };
}
