import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';

/** One measured load phase against one target. */
export interface LoadResult {
  /** Seconds the phase actually lasted. */
  seconds: number;
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Successful (2xx) responses per second: the throughput the ratios use. */
  okPerSecond: number;
  latencyMs: { mean: number; p50: number; p90: number; p99: number; p999: number; max: number };
  statusCodes: Record<string, number>;
}

function fromAutocannon(result: autocannon.Result): LoadResult {
  const statusCodes: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stat.count ?? 0;
  const ok = result['2xx'];
  return {
    seconds: result.duration,
    requests: ok + result.non2xx,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    okPerSecond: ok / result.duration,
    latencyMs: {
      mean: result.latency.mean,
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      p999: result.latency.p99_9,
      max: result.latency.max,
    },
    statusCodes,
  };
}

/** Runs autocannon (in this process, no worker threads) and resolves with its result. */
export function cannon(options: autocannon.Options): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    autocannon({ timeout: 10, ...options }, (error, result) =>
      error ? reject(error) : resolve(fromAutocannon(result)),
    );
  });
}

/**
 * Closed-loop load at `connections` (autocannon): every connection sends its next request as soon as the previous
 * answer arrived. `body`, when given, is called once per request (a fresh refresh token each time).
 */
export function saturate(options: {
  url: string;
  method: 'GET' | 'POST';
  path: string;
  connections: number;
  seconds: number;
  headers?: Record<string, string>;
  body?: () => string;
}): Promise<LoadResult> {
  const { body } = options;
  return cannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    requests: [
      {
        method: options.method,
        path: options.path,
        headers: options.headers,
        ...(body ? { setupRequest: (request: autocannon.Request) => ({ ...request, body: body() }) } : {}),
      },
    ],
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/**
 * Open-loop latency probe: `rate` requests per second, each sent on schedule whatever happened to the previous ones
 * (so a stall in the server shows up in the latencies instead of silently slowing the probe down — autocannon's rate
 * limit sends each second's budget in a burst, which would measure our own burst). Latency is from the moment the
 * request is handed to `http.request` to the end of the response body; percentiles are exact (every sample kept).
 */
export async function probe(options: {
  url: string;
  path: string;
  headers: Record<string, string>;
  rate: number;
  seconds: number;
  /** Requests sent at once before the probe to open keep-alive connections (default 8), not in the samples. */
  warmup?: number;
}): Promise<LoadResult> {
  const target = new URL(options.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  let errors = 0;
  const once = () =>
    new Promise<void>((resolve) => {
      const started = performance.now();
      const req = http.request(
        { agent, host: target.hostname, port: target.port, path: options.path, headers: options.headers },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(performance.now() - started);
            const code = String(res.statusCode);
            statusCodes[code] = (statusCodes[code] ?? 0) + 1;
            resolve();
          });
        },
      );
      req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end();
    });
  // Open a few keep-alive connections first, so connection set-up is not in the samples.
  await Promise.all(Array.from({ length: options.warmup ?? 8 }, once));
  latencies.length = 0;
  for (const code of Object.keys(statusCodes)) delete statusCodes[code];
  errors = 0;

  const total = Math.round(options.rate * options.seconds);
  const interval = 1000 / options.rate;
  const start = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const wait = start + i * interval - performance.now();
    if (wait >= 1) await sleep(wait);
    pending.push(once());
  }
  await Promise.all(pending);
  const seconds = (performance.now() - start) / 1000;
  agent.destroy();
  const sorted = [...latencies].sort((a, b) => a - b);
  const ok = Object.entries(statusCodes).reduce((n, [code, count]) => (code.startsWith('2') ? n + count : n), 0);
  return {
    seconds,
    requests: latencies.length,
    ok,
    non2xx: latencies.length - ok,
    errors,
    timeouts: 0,
    okPerSecond: ok / seconds,
    latencyMs: {
      mean: sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length),
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      p999: percentile(sorted, 99.9),
      max: sorted.at(-1) ?? Number.NaN,
    },
    statusCodes,
  };
}

/** Background logins: `workers` loops, each logging in again as soon as its previous login answered. */
export interface LoginLoad {
  stop(): Promise<{ ok: number; failed: number; seconds: number; meanMs: number; maxMs: number }>;
}

export function startLogins(options: { url: string; workers: number; email: string; password: string }): LoginLoad {
  const target = new URL(options.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.workers });
  const body = new URLSearchParams({ username: options.email, password: options.password }).toString();
  let running = true;
  let ok = 0;
  let failed = 0;
  let totalMs = 0;
  let maxMs = 0;
  const started = performance.now();
  const login = () =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      const req = http.request(
        {
          agent,
          method: 'POST',
          host: target.hostname,
          port: target.port,
          path: '/auth/login',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            const ms = performance.now() - t0;
            totalMs += ms;
            maxMs = Math.max(maxMs, ms);
            if (res.statusCode === 200) ok++;
            else failed++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        failed++;
        resolve();
      });
      req.end(body);
    });
  const loops = Array.from({ length: options.workers }, async () => {
    while (running) await login();
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      agent.destroy();
      const seconds = (performance.now() - started) / 1000;
      return { ok, failed, seconds, meanMs: totalMs / Math.max(1, ok + failed), maxMs };
    },
  };
}
