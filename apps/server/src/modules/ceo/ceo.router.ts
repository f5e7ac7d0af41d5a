import { contract } from '@cims/contracts';
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
      return { status: 201, body: { message: 'User created', id } };
    },
    updateUser: async ({ params, body, req, res }) => {
      await users.updateUser(requestScope(req, res), params.id, body);
      return { status: 200, body: { message: 'User updated' } };
    },
    toggleActive: async ({ params, req, res }) => ({
      status: 200,
      body: await users.toggleActive(requestScope(req, res), params.id),
    }),
    deleteUser: async ({ params, req, res }) => {
      await users.deleteUser(requestScope(req, res), params.id);
      return { status: 200, body: { message: 'User deleted' } };
    },
    getPermissions: async ({ params }) => ({ status: 200, body: await permissions.permissions(params.id) }),
    setPermissions: async ({ params, body, req, res }) => {
      const scope = requestScope(req, res);
      const pages = await permissions.setPermissions(scope, params.id, { permissions: body, replace: true });
      return { status: 200, body: { message: `Permissions updated: ${pages.join(', ') || 'none'}` } };
    },
    addPermissions: async ({ params, body, req, res }) => {
      const scope = requestScope(req, res);
      const pages = await permissions.setPermissions(scope, params.id, { permissions: body, replace: false });
      return { status: 200, body: { message: `Permissions granted: ${pages.join(', ') || 'none'}` } };
    },
    addPermission: async ({ params, body, req, res }) => {
      const scope = requestScope(req, res);
      const pages = await permissions.setPermissions(scope, params.id, { permissions: body, replace: false });
      return { status: 200, body: { message: `Permissions granted: ${pages.join(', ') || 'none'}` } };
    },
    removePermission: async ({ params, req, res }) => {
      await permissions.removePermission(requestScope(req, res), params.id, params.page_name);
      return { status: 200, body: { message: `Permission '${params.page_name}' removed` } };
    },
    permissionsOverview: async () => ({ status: 200, body: await permissions.overview() }),
  });
}
