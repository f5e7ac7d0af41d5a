import { createHash, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Express, NextFunction, Request, Response } from 'express';
import { ApiError } from '../errors.js';
import type { Metrics } from '../metrics.js';
import { routeLabel } from './route-label.js';

/** The path the metrics are served at (outside the contract: an operations endpoint, in Prometheus's text format). */
export const METRICS_PATH = '/metrics';

/** When a request arrived (`performance.now()`), and the metrics it is counted in. */
const STARTED = Symbol('metricsStarted');
const METRICS = Symbol('metrics');
type Measured = ServerResponse & { [STARTED]?: number; [METRICS]?: Metrics };

/** Counts one finished (or aborted) response; one shared function, so a request costs no closure of its own. */
function onClose(this: Measured): void {
  const metrics = this[METRICS] as Metrics;
  const seconds = (performance.now() - (this[STARTED] as number)) / 1000;
  const res = this as unknown as Response;
  const labels = { route: routeLabel(res), method: res.req.method, status: String(res.statusCode) };
  metrics.httpRequests.inc(labels);
  metrics.httpDuration.observe(labels, seconds);
}

/**
 * Counts every request by route template, method and status, with its duration (to the end of the response, or to
 * the moment the client went away). Mounted first, so that refused requests (404, 405, 401, 429) are counted too.
 */
export function httpMetrics(metrics: Metrics) {
  return function measure(_req: Request, res: Response, next: NextFunction): void {
    const measured = res as unknown as Measured;
    measured[STARTED] = performance.now();
    measured[METRICS] = metrics;
    res.once('close', onClose);
    next();
  };
}

/**
 * Labels the requests of a path mounted outside the contract (the documentation, profile pictures) with its mount
 * path (`req.baseUrl`), which the code fixes, rather than `unmatched`.
 */
export function labelRoute(req: Request, res: Response, next: NextFunction): void {
  res.locals.metricsRoute = req.baseUrl;
  next();
}

/** A token's digest: comparing digests of equal length keeps the comparison constant-time whatever the lengths. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * Serves `GET /metrics` in Prometheus's text format to a scraper sending `Authorization: Bearer <METRICS_TOKEN>`; any
 * other request gets `401 UNAUTHENTICATED`. Not mounted at all without a token: then `/metrics` is an unknown path
 * (404), so the metrics are never public by accident.
 */
export function mountMetrics(app: Express, metrics: Metrics, token: string): void {
  const expected = digest(token);
  metrics.collectDefaults();
  app.get(METRICS_PATH, (req: Request, res: Response, next: NextFunction) => {
    res.locals.metricsRoute = METRICS_PATH;
    const presented = req.headers.authorization?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
    if (presented === undefined || !timingSafeEqual(digest(presented), expected)) {
      next(
        new ApiError('UNAUTHENTICATED', 'The metrics need the bearer token of METRICS_TOKEN', {
          headers: { 'WWW-Authenticate': 'Bearer' },
        }),
      );
      return;
    }
    metrics.registry.metrics().then(
      (text) => {
        res.setHeader('Content-Type', metrics.registry.contentType);
        res.setHeader('Cache-Control', 'no-store');
        res.end(text);
      },
      (error: unknown) => next(error),
    );
  });
}
