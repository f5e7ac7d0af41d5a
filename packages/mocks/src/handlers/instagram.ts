import type { contract } from '@cims/contracts';
import type { InstagramModel } from '../model/instagram-model.js';
import type { MockRouter } from '../route-handler.js';

/**
 * The `/instagram` routes over the Instagram model. Only CEOs get here: the `before` hook enforces the routes' `roles`.
 * Setup and sync ask the fake Graph API (in process); the other routes read the stored state only.
 */
export function instagramMocks(model: InstagramModel): MockRouter<typeof contract.instagram> {
  return {
    setup: async ({ body }) => ({ status: 200, body: await model.setup(body) }),
    sync: async () => ({ status: 200, body: await model.sync() }),
    growth: () => ({ status: 200, body: model.growth() }),
    history: ({ query }) => ({ status: 200, body: model.history(query.days) }),
    account: () => ({ status: 200, body: model.account() }),
    disconnect: ({ query }) => ({ status: 200, body: model.disconnect(query.purge_history) }),
  };
}
