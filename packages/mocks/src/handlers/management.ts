import type { contract } from '@cims/contracts';
import type { ManagementModel } from '../model/management-model.js';
import type { MockRouter } from '../route-handler.js';

const message = (text: string) => ({ status: 200 as const, body: { message: text } });

/** The `/management` routes over the management model. Only CEOs get here: the `before` hook enforces `roles`. */
export function managementMocks(model: ManagementModel): MockRouter<typeof contract.management> {
  return {
    listPages: () => ({ status: 200, body: model.listPages() }),
    createPage: ({ body }) => ({ status: 201, body: model.createPage(body) }),
    updatePage: ({ params, body }) => ({ status: 200, body: model.updatePage(params.id, body) }),
    patchPage: ({ params, body }) => ({ status: 200, body: model.updatePage(params.id, body) }),
    deletePage: ({ params }) => message(model.deletePage(params.id)),
    listRoles: () => ({ status: 200, body: model.listRoles() }),
    createRole: ({ body }) => ({ status: 201, body: model.createRole(body) }),
    updateRole: ({ params, body }) => ({ status: 200, body: model.updateRole(params.id, body) }),
    patchRole: ({ params, body }) => ({ status: 200, body: model.updateRole(params.id, body) }),
    deleteRole: ({ params }) => message(model.deleteRole(params.id)),
  };
}
