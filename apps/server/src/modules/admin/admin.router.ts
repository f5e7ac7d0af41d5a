import { contract } from '@cims/contracts';
import { CEO_MESSAGES, MANAGEMENT_MESSAGES } from '@cims/contracts/rules';
import { initServer } from '@ts-rest/express';
import type { AppContext } from '../../context.js';
import { callerOf } from '../../http/authenticate.js';
import { requestInfo } from '../../http/request-info.js';

const s = initServer();

/** `/ceo/*`: users and their pages. CEO-only by the contract's metadata, enforced before these run. */
export function ceoRouter(ctx: AppContext) {
  const { admin } = ctx;
  return s.router(contract.ceo, {
    dashboard: async () => ({ status: 200, body: await admin.dashboard() }),
    createUser: async ({ body, req, res }) => {
      const id = await admin.createUser(body, callerOf(res).userId, requestInfo(req));
      return { status: 201, body: { message: CEO_MESSAGES.userCreated, id } };
    },
    updateUser: async ({ params, body, req, res }) => {
      await admin.updateUser(params.id, body, callerOf(res).userId, requestInfo(req));
      return { status: 200, body: { message: CEO_MESSAGES.userUpdated } };
    },
    toggleActive: async ({ params, req, res }) => ({
      status: 200,
      body: await admin.toggleActive(params.id, callerOf(res).userId, requestInfo(req)),
    }),
    deleteUser: async ({ params, req, res }) => {
      await admin.deleteUser(params.id, callerOf(res).userId, requestInfo(req));
      return { status: 200, body: { message: CEO_MESSAGES.userDeleted } };
    },
    getPermissions: async ({ params }) => ({ status: 200, body: await admin.permissions(params.id) }),
    setPermissions: async ({ params, body, req, res }) => {
      const pages = await admin.setPermissions(params.id, body, true, callerOf(res).userId, requestInfo(req));
      return { status: 200, body: { message: CEO_MESSAGES.permissionsSet(pages) } };
    },
    addPermissions: async ({ params, body, req, res }) => {
      const pages = await admin.setPermissions(params.id, body, false, callerOf(res).userId, requestInfo(req));
      return { status: 200, body: { message: CEO_MESSAGES.permissionsGranted(pages) } };
    },
    addPermission: async ({ params, body, req, res }) => {
      const pages = await admin.setPermissions(params.id, body, false, callerOf(res).userId, requestInfo(req));
      return { status: 200, body: { message: CEO_MESSAGES.permissionsGranted(pages) } };
    },
    removePermission: async ({ params, req, res }) => {
      await admin.removePermission(params.id, params.page_name, callerOf(res).userId, requestInfo(req));
      return { status: 200, body: { message: CEO_MESSAGES.permissionRemoved(params.page_name) } };
    },
    permissionsOverview: async () => ({ status: 200, body: await admin.overview() }),
  });
}

/** `/management/*`: customer statuses, pages and roles. Writes are CEO-only by the contract's metadata. */
export function managementRouter(ctx: AppContext) {
  const { admin } = ctx;
  const { statuses } = ctx.customers;
  return s.router(contract.management, {
    listStatuses: async () => ({ status: 200, body: await statuses.list() }),
    createStatus: async ({ body }) => ({ status: 201, body: await statuses.create(body) }),
    reorderStatuses: async ({ body }) => ({ status: 200, body: await statuses.reorder(body.ids) }),
    updateStatus: async ({ params, body }) => ({ status: 200, body: await statuses.update(params.id, body) }),
    patchStatus: async ({ params, body }) => ({ status: 200, body: await statuses.update(params.id, body) }),
    deleteStatus: async ({ params, query, req, res }) => ({
      status: 200,
      body: await statuses.delete(params.id, query.reassign_to, callerOf(res), requestInfo(req)),
    }),
    listPages: async () => ({ status: 200, body: await admin.listPages() }),
    createPage: async ({ body }) => ({ status: 201, body: await admin.createPage(body) }),
    updatePage: async ({ params, body }) => ({ status: 200, body: await admin.updatePage(params.id, body) }),
    patchPage: async ({ params, body }) => ({ status: 200, body: await admin.updatePage(params.id, body) }),
    deletePage: async ({ params }) => ({
      status: 200,
      body: { message: MANAGEMENT_MESSAGES.pageDeleted(await admin.deletePage(params.id)) },
    }),
    listRoles: async () => ({ status: 200, body: await admin.listRoles() }),
    createRole: async ({ body }) => ({ status: 201, body: await admin.createRole(body) }),
    updateRole: async ({ params, body }) => ({ status: 200, body: await admin.updateRole(params.id, body) }),
    patchRole: async ({ params, body }) => ({ status: 200, body: await admin.updateRole(params.id, body) }),
    deleteRole: async ({ params }) => ({
      status: 200,
      body: { message: MANAGEMENT_MESSAGES.roleDeleted(await admin.deleteRole(params.id)) },
    }),
  });
}
