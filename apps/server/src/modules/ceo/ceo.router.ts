import { contract } from '@cims/contracts';
import { CEO_MESSAGES } from '@cims/contracts/rules';
import { initServer } from '@ts-rest/express';
import type { AppContext } from '../../context.js';
import { requestScope } from '../../http/request-info.js';

const s = initServer();

/** `/ceo/*`: users and their pages. CEO-only by the contract's metadata, enforced before these run. */
export function ceoRouter(ctx: AppContext) {
  const { users, permissions } = ctx.ceo;
  return s.router(contract.ceo, {
    dashboard: async () => ({ status: 200, body: await users.dashboard() }),
    createUser: async ({ body, req, res }) => {
      const id = await users.createUser(requestScope(req, res), body);
      return { status: 201, body: { message: CEO_MESSAGES.userCreated, id } };
    },
    updateUser: async ({ params, body, req, res }) => {
      await users.updateUser(requestScope(req, res), params.id, body);
      return { status: 200, body: { message: CEO_MESSAGES.userUpdated } };
    },
    toggleActive: async ({ params, req, res }) => ({
      status: 200,
      body: await users.toggleActive(requestScope(req, res), params.id),
    }),
    deleteUser: async ({ params, req, res }) => {
      await users.deleteUser(requestScope(req, res), params.id);
      return { status: 200, body: { message: CEO_MESSAGES.userDeleted } };
    },
    getPermissions: async ({ params }) => ({ status: 200, body: await permissions.permissions(params.id) }),
    setPermissions: async ({ params, body, req, res }) => {
      const scope = requestScope(req, res);
      const pages = await permissions.setPermissions(scope, params.id, { permissions: body, replace: true });
      return { status: 200, body: { message: CEO_MESSAGES.permissionsSet(pages) } };
    },
    addPermissions: async ({ params, body, req, res }) => {
      const scope = requestScope(req, res);
      const pages = await permissions.setPermissions(scope, params.id, { permissions: body, replace: false });
      return { status: 200, body: { message: CEO_MESSAGES.permissionsGranted(pages) } };
    },
    addPermission: async ({ params, body, req, res }) => {
      const scope = requestScope(req, res);
      const pages = await permissions.setPermissions(scope, params.id, { permissions: body, replace: false });
      return { status: 200, body: { message: CEO_MESSAGES.permissionsGranted(pages) } };
    },
    removePermission: async ({ params, req, res }) => {
      await permissions.removePermission(requestScope(req, res), params.id, params.page_name);
      return { status: 200, body: { message: CEO_MESSAGES.permissionRemoved(params.page_name) } };
    },
    permissionsOverview: async () => ({ status: 200, body: await permissions.overview() }),
  });
}
