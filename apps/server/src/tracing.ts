import type { SpanExporter } from '@opentelemetry/sdk-trace-node';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

/**
 * OpenTelemetry tracing, on when `OTEL_EXPORTER_OTLP_ENDPOINT` is set (config.ts `tracing`).
 *
 * This module imports nothing of OpenTelemetry at run time (the import above is a type): the SDK, the exporter and
 * the instrumentations live in `tracing-sdk.ts`, which {@link startTracing} imports dynamically. With tracing off, no
 * `@opentelemetry/*` module is ever loaded and the hook points below cost one comparison.
 *
 * Tracing is per process, as OpenTelemetry's global tracer provider, context manager and module patches are: one
 * {@link Tracing} at most is active at a time.
 */
export interface Tracing {
  /**
   * Express middleware, mounted after the request id is set: a server span per request, named after the route template
   * as the metrics label it (`GET /crm/detail/:id`), with the request id; statements, Graph API calls and SMTP sends
   * made for the request become its children and carry the request id too.
   */
  readonly middleware: RequestHandler;
  /** Runs `work` in a client span of its own (an outgoing call that no instrumentation sees, such as SMTP). */
  span<T>(name: string, attributes: Record<string, string | number>, work: () => Promise<T>): Promise<T>;
  /** Gives every statement of an embedded database (PGlite) a span, as the `pg` instrumentation does on PostgreSQL. */
  tracePGlite(pglite: TraceablePGlite): void;
  /** Exports the spans still buffered, removes the module patches and unregisters the global tracer provider. */
  shutdown(): Promise<void>;
}

/** The methods of a PGlite instance that run statements. */
export interface TraceablePGlite {
  query(sql: string, ...rest: never[]): Promise<unknown>;
  exec(sql: string, ...rest: never[]): Promise<unknown>;
}

/** How {@link startTracing} sets up the SDK. */
export interface TracingOptions {
  /** The `service.name` resource attribute (`OTEL_SERVICE_NAME`, else `cims-server`). */
  serviceName: string;
  /** The `service.version` resource attribute. */
  serviceVersion: string;
  /** Where the SDK's own diagnostics (a failed export) are written. */
  logger: Logger;
  /**
   * Where the spans go instead of the OTLP HTTP exporter (which reads the standard `OTEL_EXPORTER_OTLP_*` variables):
   * tests pass an `InMemorySpanExporter`. Such an exporter gets each span as it ends, without batching.
   */
  exporter?: SpanExporter;
}

let active: Tracing | undefined;

/** The tracing of this process while it is on; undefined when it is off. */
export function activeTracing(): Tracing | undefined {
  return active;
}

/**
 * Loads the OpenTelemetry SDK, registers it globally and patches the `pg` driver and Node's `fetch` (undici). Call it
 * before the database is opened: the `pg` instrumentation patches the driver when it is next required.
 *
 * @throws when tracing is already on in this process.
 */
export async function startTracing(options: TracingOptions): Promise<Tracing> {
  if (active) throw new Error('Tracing is already on in this process');
  const { createTracing } = await import('./tracing-sdk.js');
  const tracing = createTracing(options);
  const handle: Tracing = {
    middleware: tracing.middleware,
    span: tracing.span,
    tracePGlite: tracing.tracePGlite,
    shutdown: async () => {
      if (active === handle) active = undefined;
      await tracing.shutdown();
    },
  };
  active = handle;
  return handle;
}

/** Runs `work` in a client span when tracing is on; otherwise just runs it. */
export function traced<T>(
  name: string,
  attributes: Record<string, string | number>,
  work: () => Promise<T>,
): Promise<T> {
  return active ? active.span(name, attributes, work) : work();
}
