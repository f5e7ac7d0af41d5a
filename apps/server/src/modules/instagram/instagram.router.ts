import { contract } from '@cims/contracts';
import { initServer } from '@ts-rest/express';
import type { AppContext } from '../../context.js';
import { requestScope } from '../../http/request-info.js';

const s = initServer();

/**
 * `/instagram/*`, CEO only (the contract's `roles`, enforced before these run). The Graph API's failures reach the
 * client as the service maps them: 400, 409, 502 or 503, each with its code.
 */
export function instagramRouter(ctx: AppContext) {
  const { connection, insights, sync } = ctx.instagram;
  return s.router(contract.instagram, {
    setup: async ({ body, req, res }) => ({
      status: 200,
      body: await connection.setup(requestScope(req, res), body),
    }),
    sync: async () => ({ status: 200, body: await sync.sync() }),
    growth: async () => ({ status: 200, body: await insights.growth() }),
    history: async ({ query }) => ({ status: 200, body: await insights.history(query.days) }),
    account: async () => ({ status: 200, body: await insights.account() }),
    disconnect: async ({ query, req, res }) => ({
      status: 200,
      body: await connection.disconnect(requestScope(req, res), query.purge_history),
    }),
  });
}
