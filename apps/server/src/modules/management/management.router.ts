import { contract } from '@cims/contracts';
import { MANAGEMENT_MESSAGES } from '@cims/contracts/rules';
import { initServer } from '@ts-rest/express';
import type { AppContext } from '../../context.js';
import { requestScope } from '../../http/request-info.js';

const s = initServer();

/** `/management/*`: customer statuses, pages and roles. Writes are CEO-only by the contract's metadata. */
export function managementRouter(ctx: AppContext) {
  const { pages, roles } = ctx.management;
  const { statuses } = ctx.customers;
  return s.router(contract.management, {
    listStatuses: async () => ({ status: 200, body: await statuses.list() }),
    createStatus: async ({ body }) => ({ status: 201, body: await statuses.create(body) }),
    reorderStatuses: async ({ body }) => ({ status: 200, body: await statuses.reorder(body.ids) }),
    updateStatus: async ({ params, body }) => ({ status: 200, body: await statuses.update(params.id, body) }),
    patchStatus: async ({ params, body }) => ({ status: 200, body: await statuses.update(params.id, body) }),
    deleteStatus: async ({ params, query, req, res }) => ({
      status: 200,
      body: await statuses.delete(requestScope(req, res), params.id, { reassignTo: query.reassign_to }),
    }),
    listPages: async () => ({ status: 200, body: await pages.listPages() }),
    createPage: async ({ body }) => ({ status: 201, body: await pages.createPage(body) }),
    updatePage: async ({ params, body }) => ({ status: 200, body: await pages.updatePage(params.id, body) }),
    patchPage: async ({ params, body }) => ({ status: 200, body: await pages.updatePage(params.id, body) }),
    deletePage: async ({ params }) => ({
      status: 200,
      body: { message: MANAGEMENT_MESSAGES.pageDeleted(await pages.deletePage(params.id)) },
    }),
    listRoles: async () => ({ status: 200, body: await roles.listRoles() }),
    createRole: async ({ body }) => ({ status: 201, body: await roles.createRole(body) }),
    updateRole: async ({ params, body }) => ({ status: 200, body: await roles.updateRole(params.id, body) }),
    patchRole: async ({ params, body }) => ({ status: 200, body: await roles.updateRole(params.id, body) }),
    deleteRole: async ({ params }) => ({
      status: 200,
      body: { message: MANAGEMENT_MESSAGES.roleDeleted(await roles.deleteRole(params.id)) },
    }),
  });
}
