import type { contract } from '@cims/contracts';
import type { AuthModel } from '../model/auth-model.js';
import type { CrmModel } from '../model/crm-model.js';
import type { ManagementModel } from '../model/management-model.js';
import type { MockRouter } from '../route-handler.js';

const message = (text: string) => ({ status: 200 as const, body: { message: text } });

/**
 * The `/management` routes: customer statuses over the CRM model, pages and roles over the management model. The
 * `before` hook enforces who may call them (the CEO; listing the statuses also a user with the `crm` page).
 */
export function managementMocks(
  model: ManagementModel,
  crm: CrmModel,
  auth: AuthModel,
): MockRouter<typeof contract.management> {
  return {
    listStatuses: () => ({ status: 200, body: crm.listStatuses() }),
    createStatus: ({ body }) => ({ status: 201, body: crm.createStatus(body) }),
    reorderStatuses: ({ body }) => ({ status: 200, body: crm.reorderStatuses(body.ids) }),
    updateStatus: ({ params, body }) => ({ status: 200, body: crm.updateStatus(params.id, body) }),
    patchStatus: ({ params, body }) => ({ status: 200, body: crm.updateStatus(params.id, body) }),
    deleteStatus: ({ params, query, request }) =>
      crm.deleteStatus(auth.principal(request).user, params.id, { reassignTo: query.reassign_to }),
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
