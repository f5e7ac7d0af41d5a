import { contract, type ReadinessCheck } from '@cims/contracts';
import { initServer } from '@ts-rest/express';
import type { AppContext } from '../../context.js';
import type { DatabasePool } from '../../db/orm.js';
import { SERVER_VERSION } from '../../version.js';

const s = initServer();

/** How long the database may take to answer the readiness probe. */
const DATABASE_CHECK_TIMEOUT_MS = 2_000;

/** One pool's check: a round trip on one of its connections, within {@link DATABASE_CHECK_TIMEOUT_MS}. */
async function checkPool(ctx: AppContext, pool: DatabasePool): Promise<ReadinessCheck> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      pool.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), DATABASE_CHECK_TIMEOUT_MS);
      }),
    ]);
    return { status: 'ok', latency_ms: Math.round(performance.now() - started) };
  } catch (error) {
    ctx.logger.warn({ err: error, pool: pool.name }, 'Readiness: database check failed');
    return { status: 'error', latency_ms: Math.round(performance.now() - started), error: 'database unreachable' };
  } finally {
    clearTimeout(timer);
  }
}

/** How long the file store (the data folder, or the bucket) may take to answer the readiness probe. */
const FILES_CHECK_TIMEOUT_MS = 2_000;

/** The file store's check: the bucket answers (or the folder can be written) within {@link FILES_CHECK_TIMEOUT_MS}. */
async function checkFiles(ctx: AppContext): Promise<ReadinessCheck> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const abort = new AbortController();
  try {
    await Promise.race([
      ctx.blobs.check(abort.signal),
      new Promise((_, reject) => {
        timer = setTimeout(() => {
          abort.abort();
          reject(new Error('timed out'));
        }, FILES_CHECK_TIMEOUT_MS);
      }),
    ]);
    return { status: 'ok', latency_ms: Math.round(performance.now() - started) };
  } catch (error) {
    ctx.logger.warn({ err: error, store: ctx.blobs.kind }, 'Readiness: file store check failed');
    return { status: 'error', latency_ms: Math.round(performance.now() - started), error: 'file store unavailable' };
  } finally {
    clearTimeout(timer);
  }
}

export function healthRouter(ctx: AppContext) {
  return s.router(contract.health, {
    liveness: async () => ({
      status: 200,
      body: {
        status: 'ok',
        version: SERVER_VERSION,
        uptime_seconds: Math.round((Date.now() - ctx.lifecycle.startedAt) / 1000),
      },
    }),
    readiness: async ({ query, res }) => {
      res.setHeader('Cache-Control', 'no-store');
      // Every pool the server uses: one that cannot reach the database fails the requests that use it. And where
      // uploads and recordings are kept, reported only (below).
      const [files, ...pools] = await Promise.all([
        checkFiles(ctx),
        ...ctx.db.pools.map(async (pool) => [pool.name, await checkPool(ctx, pool)] as const),
      ]);
      const checks: Record<string, ReadinessCheck> = {
        shutdown: ctx.lifecycle.draining ? { status: 'error', error: 'shutting down' } : { status: 'ok' },
        ...Object.fromEntries(pools),
        files,
      };
      // The file store is reported, but does not take the instance out: every replica shares it, so failing
      // readiness would take the whole API out of the balancer for an outage that only the file routes feel (they
      // answer 503 STORAGE_UNAVAILABLE on their own).
      const ok = Object.entries(checks).every(([name, check]) => name === 'files' || check.status === 'ok');
      const body = { status: ok ? ('ok' as const) : ('unavailable' as const), ...(query.verbose ? { checks } : {}) };
      return ok ? { status: 200, body } : { status: 503, body };
    },
  });
}
