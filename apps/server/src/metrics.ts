import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { DatabasePool, PoolStats } from './db/orm.js';

/** How a refresh-token presentation ended (auth/sign-in.service.ts `refresh`). */
export type RefreshOutcome = 'rotated' | 'grace' | 'reuse_detected' | 'invalid';

/** How a scheduled run ended on the instance that claimed it, or `claim_failed` when it could not be claimed. */
export type SchedulerRunOutcome = 'succeeded' | 'skipped' | 'failed' | 'claim_failed';

/** How one Graph API call (all of its attempts) ended: `ok`, or the failure kind of graph-client.ts. */
export type GraphCallOutcome = 'ok' | 'token' | 'permission' | 'rate_limited' | 'unavailable' | 'other';

/**
 * The server's Prometheus metrics, in a registry of their own: one per app instance, so that several apps in one
 * process (the tests) never register a name twice in prom-client's global registry.
 *
 * Every label takes values from a set fixed by the code (route templates, methods Node's parser accepts, status codes,
 * job names, outcome and rule names), never from the client's input, so the number of series stays bounded.
 */
export class Metrics {
  readonly registry = new Registry();

  /** Requests answered, by the contract's path template (`/crm/detail/:id`), method and status. */
  readonly httpRequests = new Counter({
    name: 'cims_http_requests_total',
    help: 'HTTP requests answered, by route template, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });

  /** The time from a request's arrival to the end of its response. */
  readonly httpDuration = new Histogram({
    name: 'cims_http_request_duration_seconds',
    help: 'Time from the arrival of a request to the end of its response, by route template, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  /** Scheduled runs by job and outcome. */
  readonly schedulerRuns = new Counter({
    name: 'cims_scheduler_runs_total',
    help: 'Scheduled job runs on this instance, by job and outcome (succeeded, skipped, failed, claim_failed)',
    labelNames: ['job', 'outcome'] as const,
    registers: [this.registry],
  });

  /** Graph API calls (retries included in one call) by outcome. */
  readonly graphCalls = new Counter({
    name: 'cims_graph_api_calls_total',
    help: 'Graph API calls, each with all its attempts, by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  /** Refresh-token presentations by outcome. */
  readonly refreshes = new Counter({
    name: 'cims_refresh_total',
    help: 'Refresh-token presentations, by outcome (rotated, grace, reuse_detected, invalid)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  /** Sign-ins refused for a wrong e-mail address or password. */
  readonly loginFailures = new Counter({
    name: 'cims_login_failures_total',
    help: 'Sign-ins refused for a wrong e-mail address or password',
    registers: [this.registry],
  });

  /** Requests refused with 429 by a rate limit, by rule. */
  readonly rateLimited = new Counter({
    name: 'cims_rate_limited_total',
    help: 'Requests refused by a rate limit, by rule',
    labelNames: ['rule'] as const,
    registers: [this.registry],
  });

  #defaultsCollected = false;

  /**
   * Adds the connection pools' gauges (in use, idle, waiting, size limit), read from the pools when scraped, and the
   * histogram of the time each request for a connection waited (`cims_db_pool_wait_seconds`), observed as it gets one.
   * On the embedded database (PGlite) there is one pool of one connection, the database's single session: `max` is 1
   * and the wait is the time spent queueing behind other statements and transactions.
   */
  watchPools(pools: readonly DatabasePool[]): void {
    const waits = new Histogram({
      name: 'cims_db_pool_wait_seconds',
      help: 'Time a request for a connection of the pool waited until it got one or gave up',
      labelNames: ['pool'] as const,
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    for (const pool of pools) {
      const labelled = waits.labels({ pool: pool.name });
      pool.observeWaits((seconds) => labelled.observe(seconds));
    }
    const gauge = (name: string, help: string, read: (stats: PoolStats) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['pool'] as const,
        registers: [this.registry],
        collect() {
          for (const pool of pools) {
            const stats = pool.stats();
            if (stats) this.set({ pool: pool.name }, read(stats));
          }
        },
      });
    gauge(
      'cims_db_pool_connections_in_use',
      'Connections of the pool lent out to a statement or transaction',
      (s) => s.inUse,
    );
    gauge('cims_db_pool_connections_idle', 'Open connections of the pool waiting to be lent', (s) => s.idle);
    gauge('cims_db_pool_waiting', 'Requests waiting for a connection of the pool', (s) => s.waiting);
    gauge('cims_db_pool_connections_max', 'The most connections the pool opens', (s) => s.max);
  }

  /**
   * Adds Node's and the process's default metrics (`process_*`, `nodejs_*`: CPU, memory, event-loop lag, GC), under
   * their usual names so that stock dashboards work. Only for an app that serves `/metrics`: they install observers
   * (GC, event-loop delay) that live as long as the process.
   */
  collectDefaults(): void {
    if (this.#defaultsCollected) return;
    this.#defaultsCollected = true;
    collectDefaultMetrics({ register: this.registry });
  }
}
