import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { errorResponses } from '../errors/error.schemas.js';
import { meta } from '../shared/route-meta.js';
import { IdParamSchema } from '../shared/shared.schemas.js';
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
const idParams = z.object({ id: IdParamSchema });

const updatePage = {
  path: '/management/pages/:id',
  summary: 'Update a page',
  metadata: ceoOnly('`name` cannot change. PUT and PATCH behave the same.'),
  pathParams: idParams,
  body: UpdatePageSchema,
  responses: { 200: PageSchema, ...errorResponses(400, 401, 403, 404, 422, 500) },
} as const;

const updateRole = {
  path: '/management/roles/:id',
  summary: 'Update a role',
  metadata: ceoOnly('`name` cannot change. PUT and PATCH behave the same.'),
  pathParams: idParams,
  body: UpdateRoleSchema,
  responses: { 200: ManagedRoleSchema, ...errorResponses(400, 401, 403, 404, 422, 500) },
} as const;

/** Pages and roles, as the CEO's Management page edits them. */
export const managementContract = c.router(
  {
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
      responses: { 201: PageSchema, ...errorResponses(401, 403, 409, 422, 500) },
    },
    updatePage: { method: 'PUT', ...updatePage },
    patchPage: { method: 'PATCH', ...updatePage },
    deletePage: {
      method: 'DELETE',
      path: '/management/pages/:id',
      summary: 'Delete a page',
      metadata: ceoOnly('Built-in pages cannot be deleted (403); a page granted to users cannot either (409).'),
      pathParams: idParams,
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
      responses: { 201: ManagedRoleSchema, ...errorResponses(401, 403, 409, 422, 500) },
    },
    updateRole: { method: 'PUT', ...updateRole },
    patchRole: { method: 'PATCH', ...updateRole },
    deleteRole: {
      method: 'DELETE',
      path: '/management/roles/:id',
      summary: 'Delete a role',
      metadata: ceoOnly('Built-in roles cannot be deleted (403); a role held by users cannot either (409).'),
      pathParams: idParams,
      body: c.noBody(),
      responses: { 200: MessageSchema, ...errorResponses(401, 403, 404, 409, 422, 500) },
    },
  },
  { strictStatusCodes: true },
);
