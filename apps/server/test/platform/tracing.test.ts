import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { describe, expect, it } from 'vitest';
import { bearer, CEO, sendJson, tokens } from '../auth/helpers.js';
import { serverBuild } from '../cli.js';
import { pgliteTemplate } from '../database-template.js';
import { createTestApp, postgresPass } from '../harness.js';
import { APP_ENV, DEMO_SETUP, FAKE_GRAPH_DEMO, instagramWorld } from '../instagram/helpers.js';
import { ManualClock } from '../manual-clock.js';

const serverDir = fileURLToPath(new URL('../..', import.meta.url));
/** Turns tracing on; the spans go to the test's in-memory exporter, never to this address. */
const TRACING_ENV = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' };
const SERVER = 1; // SpanKind.SERVER
const CLIENT = 2; // SpanKind.CLIENT
const INTERNAL = 0; // SpanKind.INTERNAL
/** A pattern that does not tick during a test (1 January, 00:00). */
const NEVER = '0 0 1 1 *';

/**
 * An in-memory exporter that says when spans arrive: a span ends after its work (a server span once the response has
 * gone), so a test waits for the export itself instead of polling for it.
 */
class WatchedExporter extends InMemorySpanExporter {
  readonly #waiters = new Set<() => void>();

  override export(spans: ReadableSpan[], done: Parameters<InMemorySpanExporter['export']>[1]): void {
    super.export(spans, done);
    for (const check of [...this.#waiters]) check();
  }

  /** The first finished span `find` picks, waiting for its export when it has not come yet (vitest's timeout ends a hang). */
  span(find: (spans: ReadableSpan[]) => ReadableSpan | undefined): Promise<ReadableSpan> {
    return new Promise((resolve) => {
      const check = () => {
        const found = find(this.getFinishedSpans());
        if (!found) return;
        this.#waiters.delete(check);
        resolve(found);
      };
      this.#waiters.add(check);
      check();
    });
  }
}

/** The ended server span of the request sent with this `X-Request-ID`, once it has ended. */
function serverSpan(exporter: WatchedExporter, requestId: string): Promise<ReadableSpan> {
  return exporter.span((spans) =>
    spans.find((span) => span.kind === SERVER && span.attributes['cims.request_id'] === requestId),
  );
}

/** Whether `span` sits under `ancestor` in its trace. */
function isUnder(span: ReadableSpan, ancestor: ReadableSpan, all: ReadableSpan[]): boolean {
  const byId = new Map(all.map((s) => [s.spanContext().spanId, s]));
  let parentId = span.parentSpanContext?.spanId;
  while (parentId) {
    if (parentId === ancestor.spanContext().spanId) return true;
    parentId = byId.get(parentId)?.parentSpanContext?.spanId;
  }
  return false;
}

/** The spans of one request: under its server span, each with its request id. */
function spansOf(exporter: InMemorySpanExporter, server: ReadableSpan): ReadableSpan[] {
  const all = exporter.getFinishedSpans();
  return all.filter((span) => span !== server && isUnder(span, server, all));
}

describe('OpenTelemetry tracing (OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  it('gives a request a server span named after its route, with its SQL and Graph API calls under it', async () => {
    const exporter = new WatchedExporter();
    await using w = await instagramWorld({ env: TRACING_ENV, spanExporter: exporter });
    const { access_token } = await tokens(w.t, CEO.email, CEO.password);
    const setup = await sendJson(
      w.t,
      'POST',
      '/instagram/setup',
      DEMO_SETUP,
      bearer(access_token, {
        'x-request-id': 'trace-setup-1',
      }),
    );
    expect(setup.res.status).toBe(200);

    const server = await serverSpan(exporter, 'trace-setup-1');
    expect(server.name).toBe('POST /instagram/setup');
    expect(server.attributes).toMatchObject({
      'http.route': '/instagram/setup',
      'http.request.method': 'POST',
      'http.response.status_code': 200,
      'cims.request_id': 'trace-setup-1',
    });
    expect(server.resource.attributes['service.name']).toBe('cims-server');

    const children = spansOf(exporter, server);
    const sql = children.filter((span) => span.attributes['db.system.name'] === 'postgresql');
    expect(sql.length).toBeGreaterThan(0);
    const graph = children.filter(
      (span) => span.kind === CLIENT && String(span.attributes['url.full']).startsWith(w.fake.url),
    );
    expect(graph.length).toBeGreaterThan(0);
    for (const span of [...sql, ...graph]) expect(span.attributes['cims.request_id']).toBe('trace-setup-1');
    // The Graph API's token travels in the query: the span shows it redacted.
    expect(graph.some((span) => String(span.attributes['url.full']).includes('access_token=***'))).toBe(true);

    const recorded = JSON.stringify(exporter.getFinishedSpans().map((span) => span.attributes));
    for (const secret of [FAKE_GRAPH_DEMO.token, APP_ENV.META_APP_SECRET, CEO.password, access_token, '$2b$']) {
      expect(recorded).not.toContain(secret);
    }
    expect(recorded.toLowerCase()).not.toContain('authorization');
  });

  it('gives an SMTP send a span under the request that sent it, and never records the code or the addresses', async () => {
    const exporter = new WatchedExporter();
    await using t = await createTestApp({ env: TRACING_ENV, spanExporter: exporter });
    const forgot = await sendJson(
      t,
      'POST',
      '/auth/forgot-password',
      { email: CEO.email },
      {
        'x-request-id': 'trace-mail-1',
      },
    );
    expect(forgot.res.status).toBe(200);
    const mail = await t.inbox.latest(CEO.email);

    const server = await serverSpan(exporter, 'trace-mail-1');
    expect(server.name).toBe('POST /auth/forgot-password');
    const smtp = await exporter.span(() => spansOf(exporter, server).find((span) => span.name === 'smtp send'));
    expect(smtp.kind).toBe(CLIENT);
    expect(smtp.attributes).toEqual({
      'server.address': new URL(t.inbox.url).hostname,
      'server.port': Number(new URL(t.inbox.url).port),
      'cims.request_id': 'trace-mail-1',
    });
    const recorded = JSON.stringify(exporter.getFinishedSpans().map((span) => span.attributes));
    expect(mail.code).toMatch(/^\d{6}$/);
    expect(recorded).not.toContain(mail.code);
    expect(recorded).not.toContain(CEO.email);
  });

  it('names unknown paths and methods `unmatched`, and continues the trace of a caller’s traceparent', async () => {
    const exporter = new WatchedExporter();
    await using t = await createTestApp({ env: TRACING_ENV, spanExporter: exporter });
    expect(
      (await sendJson(t, 'GET', '/no/such/path/12345', undefined, { 'x-request-id': 'trace-404' })).res.status,
    ).toBe(404);
    expect((await sendJson(t, 'DELETE', '/auth/me', undefined, { 'x-request-id': 'trace-405' })).res.status).toBe(405);
    const notFound = await serverSpan(exporter, 'trace-404');
    expect(notFound.name).toBe('GET unmatched');
    expect(notFound.attributes['http.route']).toBeUndefined();
    expect(notFound.attributes['http.response.status_code']).toBe(404);
    expect((await serverSpan(exporter, 'trace-405')).name).toBe('DELETE unmatched');

    // node:http, which no instrumentation touches, so the header is the only traceparent sent.
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const status = await new Promise<number | undefined>((resolve, reject) => {
      request(
        `${t.url}/healthz`,
        { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01`, 'x-request-id': 'trace-parent' } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
        },
      )
        .on('error', reject)
        .end();
    });
    expect(status).toBe(200);
    const continued = await serverSpan(exporter, 'trace-parent');
    expect(continued.spanContext().traceId).toBe(traceId);
    expect(continued.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
  });

  it('gives each scheduled run a root span named after its job, with its statements under it', async () => {
    const exporter = new WatchedExporter();
    const clock = new ManualClock(Date.now());
    await using app = await createTestApp({
      env: {
        ...TRACING_ENV,
        INSTAGRAM_SCHEDULER: 'true',
        INSTAGRAM_SYNC_CRON: '* * * * * *',
        INSTAGRAM_SYNC_RETRY_CRON: NEVER,
        INSTAGRAM_TOKEN_RENEWAL_CRON: NEVER,
      },
      spanExporter: exporter,
      clock,
    });
    // Nothing is connected: the run is claimed and skipped. Its span has ended (and been exported) with the run.
    await clock.tick('instagram-sync', [app.server.app.context.scheduler]);
    const run = exporter.getFinishedSpans().find((span) => span.name === 'instagram-sync');
    if (!run) throw new Error('The run has no span');
    expect(run.kind).toBe(INTERNAL);
    expect(run.parentSpanContext).toBeUndefined();
    expect(run.attributes).toEqual({
      'cims.job.slot': expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/),
      'cims.job.claimed': true,
      'cims.job.outcome': 'skipped',
    });
    const statements = spansOf(exporter, run)
      .filter((span) => span.attributes['db.system.name'] === 'postgresql' || span.attributes['db.system'])
      .map((span) => String(span.attributes['db.query.text'] ?? span.attributes['db.statement']));
    // The claim, the job's own reads, and the record of how it ended.
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.stringContaining('insert into scheduled_job_run'),
        expect.stringContaining('instagram_account'),
        expect.stringContaining('update scheduled_job_run'),
      ]),
    );
    // A run is no request: nothing of one leaks into its trace.
    for (const span of [run, ...spansOf(exporter, run)]) expect(span.attributes['cims.request_id']).toBeUndefined();
  });

  it('records nothing without OTEL_EXPORTER_OTLP_ENDPOINT', async () => {
    const exporter = new WatchedExporter();
    await using t = await createTestApp({ spanExporter: exporter });
    expect((await tokens(t, CEO.email, CEO.password)).access_token).toEqual(expect.any(String));
    expect((await sendJson(t, 'POST', '/auth/forgot-password', { email: CEO.email })).res.status).toBe(200);
    await t.inbox.latest(CEO.email);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});

/** Starts the server in a child process with the module probe, sends it one request, stops it. */
async function serverModules(env: Record<string, string>): Promise<{ status: number; modules: string[] }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cims-otel-probe-'));
  const template = path.join(dataDir, 'template.tar');
  writeFileSync(template, Buffer.from(await (await pgliteTemplate()).arrayBuffer()));
  const { OTEL_EXPORTER_OTLP_ENDPOINT: _inherited, ...parentEnv } = process.env;
  const build = serverBuild();
  const child = spawn(
    process.execPath,
    ['--import', pathToFileURL(build.otelProbe).href, build.otelProbeServer, template],
    {
      cwd: serverDir,
      env: {
        ...parentEnv,
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        PORT: '0',
        CIMS_DATA_DIR: dataDir,
        CIMS_DEMO_DATA: 'false',
        INSTAGRAM_SCHEDULER: 'false',
        LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  let errors = '';
  child.stderr.on('data', (chunk) => {
    errors += String(chunk);
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk) => {
        output += String(chunk);
        const ready = /CIMS server ready at (\S+)/.exec(output);
        if (ready?.[1]) resolve(ready[1]);
      });
      child.on('exit', () => reject(new Error(`The server exited before it was ready:\n${output}\n${errors}`)));
    });
    // Readiness round-trips the database.
    const ready = await fetch(`${url}/readyz`);
    await ready.text();
    child.kill('SIGTERM');
    await exited;
    const line = /^OTEL_MODULES (.*)$/m.exec(output);
    if (!line?.[1]) throw new Error(`The probe printed nothing:\n${output}\n${errors}`);
    return { status: ready.status, modules: JSON.parse(line[1]) as string[] };
  } finally {
    child.kill('SIGKILL');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The package names (`@opentelemetry/api`) of module paths. */
function packagesOf(modules: string[]): string[] {
  return [
    ...new Set(modules.map((file) => /\/(@opentelemetry\/[^/]+)\/(?!.*\/@opentelemetry\/)/.exec(file)?.[1] ?? file)),
  ];
}

/** A child process starts the compiled server and loads a database: generous, for a busy machine. */
const CHILD_TIMEOUT_MS = 300_000;

// A child process on the embedded database in either pass: the PGlite pass runs it.
describe.skipIf(postgresPass)('the server without OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  it(
    'loads no OpenTelemetry SDK, exporter or instrumentation, at start or for a request',
    async () => {
      const off = await serverModules({});
      expect(off.status).toBe(200);
      // prom-client 15 depends on the OpenTelemetry API and loads it with its default metrics (for exemplars), tracing
      // or not: the API alone is a set of no-op facades.
      expect(packagesOf(off.modules).filter((name) => name !== '@opentelemetry/api')).toEqual([]);
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'loads the SDK and the instrumentations when tracing is on (what the test above would see)',
    async () => {
      // A collector that takes every export: the server's last flush at its stop ends at once, where an address that
      // refuses connections had its exporter retry for its whole timeout (10 s).
      const exports: string[] = [];
      const collector = createServer((req, res) => {
        exports.push(`${req.method} ${req.url}`);
        req.resume();
        req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
      });
      await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
      const { port } = collector.address() as AddressInfo;
      let on: Awaited<ReturnType<typeof serverModules>>;
      try {
        on = await serverModules({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` });
      } finally {
        collector.closeAllConnections();
        await new Promise((resolve) => collector.close(resolve));
      }
      expect(on.status).toBe(200);
      // The spans of the readiness request were exported when the server stopped.
      expect(exports).toContain('POST /v1/traces');
      expect(packagesOf(on.modules)).toEqual(
        expect.arrayContaining([
          '@opentelemetry/sdk-trace-node',
          '@opentelemetry/exporter-trace-otlp-http',
          '@opentelemetry/instrumentation-pg',
          '@opentelemetry/instrumentation-undici',
        ]),
      );
    },
    CHILD_TIMEOUT_MS,
  );
});
