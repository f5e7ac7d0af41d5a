import { contract } from '@cims/contracts';
import { initServer } from '@ts-rest/express';
import type { AppContext } from '../../context.js';
import { callerOf } from '../../http/authenticate.js';
import { requestInfo } from '../../http/request-info.js';

const s = initServer();

/**
 * `/instagram/*`, CEO only (the contract's `roles`, enforced before these run). The Graph API's failures reach the
 * client as the service maps them: 400, 409, 502 or 503, each with its code.
 */
export function instagramRouter(ctx: AppContext) {
  const { instagram } = ctx;
  return s.router(contract.instagram, {
    setup: async ({ body, req, res }) => ({
      status: 200,
      body: await instagram.setup(body, callerOf(res), requestInfo(req)),
    }),
    sync: async () => ({ status: 200, body: await instagram.sync() }),
    growth: async () => ({ status: 200, body: await instagram.growth() }),
    history: async ({ query }) => ({ status: 200, body: await instagram.history(query.days) }),
    account: async () => ({ status: 200, body: await instagram.account() }),
    disconnect: async ({ query, req, res }) => ({
      status: 200,
      body: await instagram.disconnect(query.purge_history, callerOf(res), requestInfo(req)),
    }),
  });
}
