import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;
type Step = { set: string; value: number | string | readonly string[] } | { remove: string };

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
