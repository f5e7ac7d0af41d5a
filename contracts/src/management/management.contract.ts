import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import {
  CreateStatusSchema,
  CustomerStatusSchema,
  DeletedStatusSchema,
  DeleteStatusQuerySchema,
  ReorderStatusesSchema,
  StatusInUseErrorSchema,
  UpdateStatusSchema,
} from '../crm/statuses.schemas.js';
import { errorResponses } from '../errors/error.schemas.js';
import { meta } from '../shared/route-meta.js';
import { IdParamsSchema } from '../shared/shared.schemas.js';
import {
  CreatePageSchema,
  CreateRoleSchema,
  ManagedRoleSchema,
  MessageSchema,
  PageSchema,
  UpdatePageSchema,
  UpdateRoleSchema,
} from './management.schemas.js';

const c = initContract();
const ceoOnly = (description?: string) =>
  meta({ auth: 'bearer', roles: ['CEO'], description: `CEO only.${description ? ` ${description}` : ''}` });

const updatePage = {
  path: '/management/pages/:id',
  summary: 'Update a page',
  metadata: ceoOnly('`name` cannot change. PUT and PATCH behave the same.'),
  pathParams: IdParamsSchema,
  body: UpdatePageSchema,
  responses: { 200: PageSchema, ...errorResponses(400, 401, 403, 404, 413, 415, 422, 500) },
} as const;

const updateRole = {
  path: '/management/roles/:id',
  summary: 'Update a role',
  metadata: ceoOnly('`name` cannot change. PUT and PATCH behave the same.'),
  pathParams: IdParamsSchema,
  body: UpdateRoleSchema,
  responses: { 200: ManagedRoleSchema, ...errorResponses(400, 401, 403, 404, 413, 415, 422, 500) },
} as const;

const updateStatus = {
  path: '/management/statuses/:id',
  summary: 'Update a status',
  metadata: ceoOnly('`name` cannot change: renaming changes the label only. PUT and PATCH behave the same.'),
  pathParams: IdParamsSchema,
  body: UpdateStatusSchema,
  responses: { 200: CustomerStatusSchema, ...errorResponses(400, 401, 403, 404, 413, 415, 422, 500) },
} as const;

/** Customer statuses, pages and roles, as the CEO's Management page edits them. */
export const managementContract = c.router(
  {
    listStatuses: {
      method: 'GET',
      path: '/management/statuses',
      summary: 'Every customer status, in order',
      metadata: meta({
        auth: 'bearer',
        roles: ['CEO'],
        pages: ['crm'],
        description: 'The CEO or a user with the `crm` page. Inactive statuses included.',
      }),
      responses: { 200: z.array(CustomerStatusSchema), ...errorResponses(401, 403, 500) },
    },
    createStatus: {
      method: 'POST',
      path: '/management/statuses',
      summary: 'Add a customer status',
      metadata: ceoOnly('`is_system` is not accepted: only the six legacy statuses are system statuses.'),
      body: CreateStatusSchema,
      responses: { 201: CustomerStatusSchema, ...errorResponses(400, 401, 403, 409, 413, 415, 422, 500) },
    },
    reorderStatuses: {
      method: 'PUT',
      path: '/management/statuses/order',
      summary: 'Put the statuses in a new order',
      metadata: ceoOnly('Takes every status id exactly once (422 otherwise); applied atomically.'),
      body: ReorderStatusesSchema,
      responses: { 200: z.array(CustomerStatusSchema), ...errorResponses(400, 401, 403, 413, 415, 422, 500) },
    },
    updateStatus: { method: 'PUT', ...updateStatus },
    patchStatus: { method: 'PATCH', ...updateStatus },
    deleteStatus: {
      method: 'DELETE',
      path: '/management/statuses/:id',
      summary: 'Delete a customer status',
      metadata: ceoOnly(
        'System statuses cannot be deleted (403). A status customers use answers 409 with `in_use_count`, unless ' +
          '`reassign_to` names another status: then its customers move there and the status goes, in one transaction.',
      ),
      pathParams: IdParamsSchema,
      query: DeleteStatusQuerySchema,
      body: c.noBody(),
      responses: {
        200: DeletedStatusSchema,
        ...errorResponses(401, 403, 404, 422, 500),
        409: StatusInUseErrorSchema,
      },
    },
    listPages: {
      method: 'GET',
      path: '/management/pages',
      summary: 'Every page, in order',
      metadata: ceoOnly(),
      responses: { 200: z.array(PageSchema), ...errorResponses(401, 403, 500) },
    },
    createPage: {
      method: 'POST',
      path: '/management/pages',
      summary: 'Add a page',
      metadata: ceoOnly(),
      body: CreatePageSchema,
      responses: { 201: PageSchema, ...errorResponses(400, 401, 403, 409, 413, 415, 422, 500) },
    },
    updatePage: { method: 'PUT', ...updatePage },
    patchPage: { method: 'PATCH', ...updatePage },
    deletePage: {
      method: 'DELETE',
      path: '/management/pages/:id',
      summary: 'Delete a page',
      metadata: ceoOnly('Built-in pages cannot be deleted (403); a page granted to users cannot either (409).'),
      pathParams: IdParamsSchema,
      body: c.noBody(),
      responses: { 200: MessageSchema, ...errorResponses(401, 403, 404, 409, 422, 500) },
    },
    listRoles: {
      method: 'GET',
      path: '/management/roles',
      summary: 'Every role',
      metadata: ceoOnly(),
      responses: { 200: z.array(ManagedRoleSchema), ...errorResponses(401, 403, 500) },
    },
    createRole: {
      method: 'POST',
      path: '/management/roles',
      summary: 'Add a role',
      metadata: ceoOnly('A custom role labels users; what they may do comes from their pages.'),
      body: CreateRoleSchema,
      responses: { 201: ManagedRoleSchema, ...errorResponses(400, 401, 403, 409, 413, 415, 422, 500) },
    },
    updateRole: { method: 'PUT', ...updateRole },
    patchRole: { method: 'PATCH', ...updateRole },
    deleteRole: {
      method: 'DELETE',
      path: '/management/roles/:id',
      summary: 'Delete a role',
      metadata: ceoOnly('Built-in roles cannot be deleted (403); a role held by users cannot either (409).'),
      pathParams: IdParamsSchema,
      body: c.noBody(),
      responses: { 200: MessageSchema, ...errorResponses(401, 403, 404, 409, 422, 500) },
    },
  },
  { strictStatusCodes: true },
);
