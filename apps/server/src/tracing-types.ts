import type { SpanExporter } from '@opentelemetry/sdk-trace-node';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

/** What tracing.ts hands out and tracing-sdk.ts implements; in a module of its own so that neither imports the other. */
export interface Tracing {
  /**
   * Express middleware, mounted after the request id is set: a server span per request, named after the route template
   * as the metrics label it (`GET /crm/detail/:id`), with the request id; statements, Graph API calls and SMTP sends
   * made for the request become its children and carry the request id too.
   */
  readonly middleware: RequestHandler;
  /** Runs `work` in a client span of its own (an outgoing call that no instrumentation sees, such as SMTP). */
  span<T>(name: string, attributes: Record<string, string | number>, work: () => Promise<T>): Promise<T>;
  /**
   * Runs `work` in the root span of a trace of its own (a scheduled job's run), whatever span or request is active when
   * it starts: statements and calls made inside become its children.
   */
  root<T>(name: string, work: (span: RootSpan) => Promise<T>): Promise<T>;
  /** Gives every statement of an embedded database (PGlite) a span, as the `pg` instrumentation does on PostgreSQL. */
  tracePGlite(pglite: TraceablePGlite): void;
  /** Exports the spans still buffered, removes the module patches and unregisters the global tracer provider. */
  shutdown(): Promise<void>;
}

/** What the work of {@link Tracing.root} may record on its span as it learns it. */
export interface RootSpan {
  /** Adds attributes (an outcome, whether this instance did the work); never a secret. */
  setAttributes(attributes: Record<string, string | number | boolean>): void;
  /** Marks the span failed, with the error's name only (its message may quote what was sent). */
  fail(error: unknown): void;
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
