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
      // Every pool the server uses: one that cannot reach the database fails the requests that use it.
      const pools = await Promise.all(ctx.db.pools.map(async (pool) => [pool.name, await checkPool(ctx, pool)]));
      const checks: Record<string, ReadinessCheck> = {
        shutdown: ctx.lifecycle.draining ? { status: 'error', error: 'shutting down' } : { status: 'ok' },
        ...Object.fromEntries(pools),
      };
      const ok = Object.values(checks).every((check) => check.status === 'ok');
      const body = { status: ok ? ('ok' as const) : ('unavailable' as const), ...(query.verbose ? { checks } : {}) };
      return ok ? { status: 200, body } : { status: 503, body };
    },
  });
}
