import type { contract } from '@cims/contracts';
import type { MockRouter } from '../route-handler.js';
import type { MockState } from '../state.js';

/** The mocks' version stands in for the server's. */
export const MOCK_SERVER_VERSION = 'mock';

export function healthMocks(state: MockState): MockRouter<typeof contract.health> {
  return {
    liveness: () => ({
      status: 200,
      body: {
        status: 'ok',
        version: MOCK_SERVER_VERSION,
        uptime_seconds: Math.round((Date.now() - state.startedAt) / 1000),
      },
    }),
    readiness: ({ query }) => {
      const database =
        state.scenario === 'database-down'
          ? { status: 'error' as const, latency_ms: 0, error: 'database unreachable' }
          : { status: 'ok' as const, latency_ms: 0 };
      const checks = { shutdown: { status: 'ok' as const }, database };
      const ok = database.status === 'ok';
      const body = { status: ok ? ('ok' as const) : ('unavailable' as const), ...(query.verbose ? { checks } : {}) };
      return ok ? { status: 200, body } : { status: 503, body };
    },
  };
}
