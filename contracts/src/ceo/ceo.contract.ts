import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { errorResponses } from '../errors/error.schemas.js';
import { MessageSchema } from '../management/management.schemas.js';
import { meta } from '../shared/route-meta.js';
import { IdParamSchema, IdParamsSchema } from '../shared/shared.schemas.js';
import {
  CeoDashboardSchema,
  CreatedSchema,
  CreateUserSchema,
  PermissionMapSchema,
  PermissionsOverviewSchema,
  ToggleActiveResultSchema,
  UpdateUserSchema,
  UserPermissionsSchema,
} from './ceo.schemas.js';

const c = initContract();
const ceoOnly = (description?: string) =>
  meta({ auth: 'bearer', roles: ['CEO'], description: `CEO only.${description ? ` ${description}` : ''}` });

/** User and page-permission administration: the CEO's tools. */
export const ceoContract = c.router(
  {
    dashboard: {
      method: 'GET',
      path: '/ceo/dashboard',
      summary: 'Every user with role and pages, and counts',
      metadata: ceoOnly(),
      responses: { 200: CeoDashboardSchema, ...errorResponses(401, 403, 500) },
    },
    createUser: {
      method: 'POST',
      path: '/ceo/users',
      summary: 'Create a user',
      metadata: ceoOnly('The account is verified; the CEO hands over the password.'),
      body: CreateUserSchema,
      responses: { 201: CreatedSchema, ...errorResponses(400, 401, 403, 409, 413, 415, 422, 500) },
    },
    updateUser: {
      method: 'PUT',
      path: '/ceo/users/:id',
      summary: 'Change a user',
      metadata: ceoOnly('A new password or deactivation ends the user’s sessions. The last active CEO stays a CEO.'),
      pathParams: IdParamsSchema,
      body: UpdateUserSchema,
      responses: { 200: MessageSchema, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422, 500) },
    },
    toggleActive: {
      method: 'PATCH',
      path: '/ceo/users/:id/toggle-active',
      summary: 'Activate or deactivate a user',
      metadata: ceoOnly('Deactivation ends the user’s sessions at once. The last active CEO cannot be deactivated.'),
      pathParams: IdParamsSchema,
      body: c.noBody(),
      responses: { 200: ToggleActiveResultSchema, ...errorResponses(401, 403, 404, 409, 422, 500) },
    },
    deleteUser: {
      method: 'DELETE',
      path: '/ceo/users/:id',
      summary: 'Delete a user',
      metadata: ceoOnly('The last active CEO cannot be deleted.'),
      pathParams: IdParamsSchema,
      body: c.noBody(),
      responses: { 200: MessageSchema, ...errorResponses(401, 403, 404, 409, 422, 500) },
    },
    getPermissions: {
      method: 'GET',
      path: '/ceo/users/:id/permissions',
      summary: 'A user’s pages',
      metadata: ceoOnly(),
      pathParams: IdParamsSchema,
      responses: { 200: UserPermissionsSchema, ...errorResponses(401, 403, 404, 422, 500) },
    },
    setPermissions: {
      method: 'PUT',
      path: '/ceo/users/:id/permissions',
      summary: 'Replace a user’s pages',
      metadata: ceoOnly('The pages whose value is true become the whole set. Unknown or inactive pages: 422.'),
      pathParams: IdParamsSchema,
      body: PermissionMapSchema,
      responses: { 200: MessageSchema, ...errorResponses(400, 401, 403, 404, 413, 415, 422, 500) },
    },
    addPermissions: {
      method: 'POST',
      path: '/ceo/users/:id/permissions/add',
      summary: 'Grant pages',
      metadata: ceoOnly('Grants the pages whose value is true; removes nothing.'),
      pathParams: IdParamsSchema,
      body: PermissionMapSchema,
      responses: { 200: MessageSchema, ...errorResponses(400, 401, 403, 404, 413, 415, 422, 500) },
    },
    addPermission: {
      method: 'POST',
      path: '/ceo/users/:id/permissions/add-single',
      summary: 'Grant pages (legacy alias of …/add)',
      metadata: ceoOnly(),
      pathParams: IdParamsSchema,
      body: PermissionMapSchema,
      responses: { 200: MessageSchema, ...errorResponses(400, 401, 403, 404, 413, 415, 422, 500) },
    },
    removePermission: {
      method: 'DELETE',
      path: '/ceo/users/:id/permissions/:page_name',
      summary: 'Revoke a page',
      metadata: ceoOnly(),
      pathParams: z.object({ id: IdParamSchema, page_name: z.string().trim().toLowerCase().min(1).max(100) }),
      body: c.noBody(),
      responses: { 200: MessageSchema, ...errorResponses(401, 403, 404, 422, 500) },
    },
    permissionsOverview: {
      method: 'GET',
      path: '/ceo/users/permissions/overview',
      summary: 'Every user’s pages at a glance',
      metadata: ceoOnly(),
      responses: { 200: PermissionsOverviewSchema, ...errorResponses(401, 403, 500) },
    },
  },
  { strictStatusCodes: true },
);
