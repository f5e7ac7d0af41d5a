import type { RootSpan, TraceablePGlite, Tracing, TracingOptions } from './tracing-types.js';

export type { RootSpan, TraceablePGlite, Tracing, TracingOptions };

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
    root: tracing.root,
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

/** The span handed to root work while tracing is off: records nothing. */
const UNTRACED: RootSpan = { setAttributes() {}, fail() {} };

/**
 * Runs `work` in the root span of a trace of its own when tracing is on (a scheduled job's run); otherwise just runs
 * it, with a span that records nothing.
 */
export function tracedRoot<T>(name: string, work: (span: RootSpan) => Promise<T>): Promise<T> {
  return active ? active.root(name, work) : work(UNTRACED);
}
