import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;
type Step = { set: string; value: number | string | readonly string[] } | { remove: string };

/**
 * The headers of every answer but the HTML reference at `/docs`: JSON (and the files some routes serve) that no
 * browser should render, frame, cache or hand to another origin's page, as the OWASP REST security cheat sheet has
 * them. Stricter for an API than helmet's defaults, which are made for HTML pages (its CSP lets the page run its own
 * scripts and styles, and its `X-DNS-Prefetch-Control`, `X-Download-Options`, `X-Permitted-Cross-Domain-Policies`,
 * `Origin-Agent-Cluster` and `X-XSS-Protection` only concern documents); fewer bytes on every answer too. A route
 * that may be cached says so itself (a profile picture's `Cache-Control` replaces `no-store`).
 */
export const API_SECURITY_HEADERS: readonly (readonly [string, string])[] = [
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
  ['Cache-Control', 'no-store'],
  ['Cross-Origin-Resource-Policy', 'same-origin'],
  ['Referrer-Policy', 'no-referrer'],
  ['Strict-Transport-Security', 'max-age=31536000; includeSubDomains'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
];

/** Sets fixed headers on every response it sees. */
export function fixedHeaders(headers: readonly (readonly [string, string])[]) {
  return function setFixedHeaders(_req: Request, res: Response, next: NextFunction): void {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}

/**
 * The headers of a middleware that always sets the same ones (helmet with fixed options), set per request from a
 * list recorded once at start-up by running it on a recording response, instead of running its dozen functions for
 * every request. A middleware that does anything else (reads the request, answers, fails, completes later) is refused
 * at start-up.
 */
export function securityHeaders(middleware: Middleware) {
  const steps: Step[] = [];
  const recorder = {
    setHeader(name: string, value: number | string | readonly string[]) {
      steps.push({ set: name, value });
      return recorder;
    },
    removeHeader(name: string) {
      steps.push({ remove: name });
    },
  };
  let completed = false;
  middleware(new Proxy({}, { get: refuse }) as IncomingMessage, recorder as unknown as ServerResponse, (error) => {
    if (error) throw error;
    completed = true;
  });
  if (!completed) throw new Error('securityHeaders: the middleware did not complete at once');

  return function setSecurityHeaders(_req: Request, res: Response, next: NextFunction): void {
    for (const step of steps) {
      if ('set' in step) res.setHeader(step.set, step.value);
      else res.removeHeader(step.remove);
    }
    next();
  };
}

function refuse(_target: object, property: string | symbol): never {
  throw new Error(`securityHeaders: the middleware reads the request (${String(property)}), so its headers may vary`);
}

/** Removes headers an earlier middleware set (a part of the app that needs others in their place). */
export function removeHeaders(headers: readonly (readonly [string, string])[]) {
  return function removeFixedHeaders(_req: Request, res: Response, next: NextFunction): void {
    for (const [name] of headers) res.removeHeader(name);
    next();
  };
}
