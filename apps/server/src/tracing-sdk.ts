import {
  type Attributes,
  type Context,
  context,
  createContextKey,
  DiagLogLevel,
  diag,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  NodeTracerProvider,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-node';
import type { NextFunction, Request, Response } from 'express';
import pg from 'pg';
import { routeLabel, UNMATCHED_ROUTE } from './http/route-label.js';
import { redactUrl } from './modules/instagram/graph-url.js';
import type { RootSpan, TraceablePGlite, Tracing, TracingOptions } from './tracing-types.js';

/** The attribute that carries the request id (`X-Request-ID`) on a request's span and on every span under it. */
export const REQUEST_ID_ATTRIBUTE = 'cims.request_id';

/** Where a request's id travels in the context, for the spans started under it. */
const REQUEST_ID = createContextKey('cims.request_id');

/**
 * The literals of a statement: strings (`'…'` with `''` inside, and node-postgres' `E'…'` with backslash escapes) and
 * numbers. MikroORM writes the values of its statements into the text (`where email = 'a@b.c'`), so a statement is
 * only recorded with every literal replaced by `?`: a password hash or a token digest never reaches a span.
 */
const SQL_LITERAL = /[eE]'(?:[^'\\]|\\.|'')*'|'(?:[^']|'')*'|(?<![\w$])\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/** A statement as spans record it: its literals replaced by `?` (the values of bind parameters are never recorded). */
export function scrubStatement(sql: string): string {
  return sql.replace(SQL_LITERAL, '?');
}

/** The keyword a statement starts with, upper-cased (`SELECT`), for a span's name. */
function operationOf(sql: string): string {
  return /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? 'SQL';
}

/** Copies the request id of the context a span starts in onto the span. */
const requestIdProcessor: SpanProcessor = {
  onStart(span, parentContext: Context) {
    const id = parentContext.getValue(REQUEST_ID);
    if (typeof id === 'string') span.setAttribute(REQUEST_ID_ATTRIBUTE, id);
  },
  onEnd() {},
  forceFlush: async () => {},
  shutdown: async () => {},
};

/** Marks a span failed with the error's name only: messages of drivers and servers may quote what was sent. */
function fail(span: Span, error: unknown): void {
  const name = error instanceof Error ? error.name : 'Error';
  span.setAttribute('error.type', name);
  span.setStatus({ code: SpanStatusCode.ERROR });
}

/** The SDK behind {@link Tracing}; see tracing.ts, which imports this module only when tracing is on. */
export function createTracing(options: TracingOptions): Tracing {
  diag.setLogger(
    {
      error: (message, ...args) => options.logger.warn({ otel: args.map(String) }, `OpenTelemetry: ${message}`),
      warn: (message, ...args) => options.logger.warn({ otel: args.map(String) }, `OpenTelemetry: ${message}`),
      info: () => {},
      debug: () => {},
      verbose: () => {},
    },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (the environment detector) override the defaults.
  const resource = resourceFromAttributes({
    'service.name': options.serviceName,
    'service.version': options.serviceVersion,
  }).merge(detectResources({ detectors: [envDetector] }));
  const provider = new NodeTracerProvider({
    resource,
    spanProcessors: [
      requestIdProcessor,
      options.exporter ? new SimpleSpanProcessor(options.exporter) : new BatchSpanProcessor(new OTLPTraceExporter()),
    ],
  });
  // The AsyncLocalStorage context manager and the W3C trace-context propagator, globally.
  provider.register();
  const tracer = provider.getTracer('@cims/server');

  const pgInstrumentation = new PgInstrumentation({
    // Values of bind parameters are left out by default; the literals MikroORM writes into the text are scrubbed.
    enhancedDatabaseReporting: false,
    requestHook(span, info) {
      const recorded = (span as Span & { attributes?: Attributes }).attributes ?? {};
      for (const key of ['db.statement', 'db.query.text']) {
        if (key in recorded) span.setAttribute(key, scrubStatement(info.query.text));
      }
    },
  });
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      pgInstrumentation,
      new UndiciInstrumentation({
        // The Graph API takes its tokens in the query: the span's URL is the one the Graph client logs.
        startSpanHook(request) {
          const url = redactUrl(new URL(request.path, request.origin).toString());
          const search = url.includes('?') ? url.slice(url.indexOf('?')) : '';
          return { 'url.full': url, 'url.query': search };
        },
      }),
    ],
  });
  // The instrumentation patches `pg` when it is next required; the server imports it as an ES module, which a test
  // runner's loader (vitest's) serves without that hook. The module the server uses is patched here as well: patching
  // again replaces the earlier patch, so statements are never traced twice.
  const pgModule = pgInstrumentation.getModuleDefinitions().find((definition) => definition.name === 'pg');
  pgModule?.patch?.(pg);

  function middleware(req: Request, res: Response, next: NextFunction): void {
    // A caller's `traceparent` makes this request part of its trace.
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer.startSpan(
      req.method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': req.method,
          'url.scheme': req.protocol,
          [REQUEST_ID_ATTRIBUTE]: req.id,
        },
      },
      parent,
    );
    res.once('close', () => {
      // The route is known once the route table found it: the template, never the URL (which may carry ids and a
      // signed URL's signature).
      const route = routeLabel(res);
      span.updateName(`${req.method} ${route}`);
      if (route !== UNMATCHED_ROUTE) span.setAttribute('http.route', route);
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span).setValue(REQUEST_ID, req.id), next);
  }

  function span<T>(name: string, attributes: Record<string, string | number>, work: () => Promise<T>): Promise<T> {
    return tracer.startActiveSpan(name, { kind: SpanKind.CLIENT, attributes }, async (current) => {
      try {
        return await work();
      } catch (error) {
        fail(current, error);
        throw error;
      } finally {
        current.end();
      }
    });
  }

  function root<T>(name: string, work: (span: RootSpan) => Promise<T>): Promise<T> {
    // The root context: a run armed by a timer that a request (or an earlier run) set up belongs to neither.
    return tracer.startActiveSpan(name, { kind: SpanKind.INTERNAL, root: true }, ROOT_CONTEXT, async (current) => {
      try {
        return await work({
          setAttributes: (attributes) => current.setAttributes(attributes),
          fail: (error) => fail(current, error),
        });
      } catch (error) {
        fail(current, error);
        throw error;
      } finally {
        current.end();
      }
    });
  }

  function tracePGlite(pglite: TraceablePGlite): void {
    for (const method of ['query', 'exec'] as const) {
      const run = pglite[method].bind(pglite) as (sql: string, ...rest: unknown[]) => Promise<unknown>;
      pglite[method] = ((sql: string, ...rest: unknown[]) =>
        tracer.startActiveSpan(
          operationOf(sql),
          {
            kind: SpanKind.CLIENT,
            // The attributes the `pg` instrumentation records (the stable database conventions).
            attributes: {
              'db.system.name': 'postgresql',
              'db.namespace': 'postgres',
              'db.query.text': scrubStatement(sql),
            },
          },
          async (current) => {
            try {
              return await run(sql, ...rest);
            } catch (error) {
              fail(current, error);
              throw error;
            } finally {
              current.end();
            }
          },
        )) as TraceablePGlite[typeof method];
    }
  }

  return {
    middleware,
    span,
    root,
    tracePGlite,
    async shutdown() {
      pgModule?.unpatch?.(pg);
      unregister();
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
      diag.disable();
    },
  };
}
