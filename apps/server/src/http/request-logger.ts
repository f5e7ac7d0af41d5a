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
}

/**
 * Gives every request an id and `req.log`, and logs one line when its response completes: `request completed` (or
 * `request aborted`, when the client went away first) at `info`, or `request errored` at `error` for a failure or a
 * 5xx. The lines are the ones pino-http wrote for this
 * server (`quietReqLogger`: handlers' lines carry just `reqId`; the completion line also has `req`, `res` and
 * `responseTime`), built the same way, from the same serializers, by the same child loggers.
 *
 * Unlike pino-http, it builds those child loggers only when a line is written: with nothing to log (`LOG_LEVEL=warn`
 * and a 2xx, say) a request costs an id, a timestamp and the completion listeners.
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

  return function logRequest(req: Request, res: Response, next: NextFunction): void {
    const id = req.id || options.genReqId(req, res);
    req.id = id;
    const start = Date.now();
    // The completion line shows the client's address; read it now, while the socket is surely open (Node keeps it).
    void req.socket.remoteAddress;

    let reqLogger: Logger | undefined;
    const log = () => {
      reqLogger ??= base.child({ reqId: id });
      return reqLogger;
    };
    Object.defineProperty(req, 'log', {
      configurable: true,
      enumerable: true,
      get: log,
      set(value: Logger) {
        reqLogger = value;
      },
    });

    const onComplete = (error?: Error) => {
      res.removeListener('close', onComplete);
      res.removeListener('finish', onComplete);
      res.removeListener('error', onComplete);
      const failed = error !== undefined || res.statusCode >= 500;
      const level = failed ? 'error' : 'info';
      if (!base.isLevelEnabled(level)) return;
      const lineLogger = log().child({ req });
      const responseTime = Date.now() - start;
      const errored = error ?? (res as { err?: Error }).err;
      if (errored || res.statusCode >= 500) {
        lineLogger[level](
          { res, err: errored ?? new Error(`failed with status code ${res.statusCode}`), responseTime },
          'request errored',
        );
        return;
      }
      const completed = !req.readableAborted && res.writableEnded;
      lineLogger[level]({ res, responseTime }, completed ? 'request completed' : 'request aborted');
    };
    res.on('close', onComplete);
    res.on('finish', onComplete);
    res.on('error', onComplete);
    next();
  };
}
