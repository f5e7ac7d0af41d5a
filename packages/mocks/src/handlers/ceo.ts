import type { contract } from '@cims/contracts';
import { CEO_MESSAGES } from '@cims/contracts/rules';
import type { CeoModel } from '../model/ceo-model.js';
import type { MockRouter } from '../route-handler.js';

const message = (text: string) => ({ status: 200 as const, body: { message: text } });

/** The `/ceo` routes over the CEO model. Only CEOs get here: the `before` hook enforces the routes' `roles`. */
export function ceoMocks(model: CeoModel): MockRouter<typeof contract.ceo> {
  return {
    dashboard: () => ({ status: 200, body: model.dashboard() }),
    createUser: ({ body }) => ({
      status: 201,
      body: { message: CEO_MESSAGES.userCreated, id: model.createUser(body) },
    }),
    updateUser: ({ params, body }) => {
      model.updateUser(params.id, body);
      return message(CEO_MESSAGES.userUpdated);
    },
    toggleActive: ({ params }) => ({ status: 200, body: model.toggleActive(params.id) }),
    deleteUser: ({ params }) => {
      model.deleteUser(params.id);
      return message(CEO_MESSAGES.userDeleted);
    },
    getPermissions: ({ params }) => ({ status: 200, body: model.permissions(params.id) }),
    setPermissions: ({ params, body }) => message(model.setPermissions(params.id, body)),
    addPermissions: ({ params, body }) => message(model.addPermissions(params.id, body)),
    addPermission: ({ params, body }) => message(model.addPermissions(params.id, body)),
    removePermission: ({ params }) => message(model.removePermission(params.id, params.page_name)),
    permissionsOverview: () => ({ status: 200, body: model.overview() }),
  };
}
