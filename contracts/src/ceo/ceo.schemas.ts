import { z } from 'zod';
import { EmailSchema, NewPasswordSchema, UserBaseSchema } from '../auth/auth.schemas.js';
import type { Named } from '../shared/named.js';
import { IdSchema } from '../shared/shared.schemas.js';

const adminUserSchema = UserBaseSchema.extend({
  role_name: z.string().nullable().describe('A custom role from /management/roles, when one is assigned.'),
  permissions: z.array(z.string()).describe('The page keys the user may open.'),
}).describe('A user account.');
export interface AdminUserSchema extends Named<typeof adminUserSchema> {}
/** A user as the administration sees it. Never carries the password hash. */
export const AdminUserSchema: AdminUserSchema = adminUserSchema;

const ceoDashboardSchema = z.object({
  users: z.array(AdminUserSchema),
  statistics: z.object({
    user_count: z.number().int(),
    active_user_count: z.number().int(),
    inactive_user_count: z.number().int(),
  }),
});
export interface CeoDashboardSchema extends Named<typeof ceoDashboardSchema> {}
export const CeoDashboardSchema: CeoDashboardSchema = ceoDashboardSchema;

/**
 * A role on input: a built-in role (any legacy spelling) or the key of a custom role from /management/roles, which
 * gives the built-in role `Member` plus that label.
 */
const RoleOrCustomSchema = z.string().trim().min(1).max(100);

const createUserSchema = z.object({
  email: EmailSchema,
  name: z.string().trim().min(1).max(255),
  surname: z.string().trim().max(255).default(''),
  password: NewPasswordSchema,
  role: RoleOrCustomSchema.default('Member'),
  company_code: z.string().trim().min(1).max(255).default('oddiy'),
  telegram_id: z.string().trim().max(50).nullable().optional(),
  job_title: z.string().trim().max(100).nullable().optional(),
  is_active: z.boolean().default(true),
  pages: z.array(z.string().trim().toLowerCase()).optional().describe('Page keys to grant at once.'),
});
export interface CreateUserSchema extends Named<typeof createUserSchema> {}
export const CreateUserSchema: CreateUserSchema = createUserSchema;

const updateUserSchema = z.object({
  email: EmailSchema.optional(),
  name: z.string().trim().min(1).max(255).optional(),
  surname: z.string().trim().max(255).optional(),
  password: NewPasswordSchema.optional().describe('Sets a new password and ends the user’s sessions.'),
  role: RoleOrCustomSchema.optional(),
  company_code: z.string().trim().min(1).max(255).optional(),
  telegram_id: z.string().trim().max(50).nullable().optional(),
  job_title: z.string().trim().max(100).nullable().optional(),
  is_active: z.boolean().optional(),
});
export interface UpdateUserSchema extends Named<typeof updateUserSchema> {}
export const UpdateUserSchema: UpdateUserSchema = updateUserSchema;

const createdSchema = z.object({ message: z.string(), id: IdSchema });
export interface CreatedSchema extends Named<typeof createdSchema> {}
export const CreatedSchema: CreatedSchema = createdSchema;

const toggleActiveResultSchema = z.object({
  is_active: z.boolean(),
  active_user_count: z.number().int(),
  inactive_user_count: z.number().int(),
});
export interface ToggleActiveResultSchema extends Named<typeof toggleActiveResultSchema> {}
export const ToggleActiveResultSchema: ToggleActiveResultSchema = toggleActiveResultSchema;

const permissionMapSchema = z.record(z.string(), z.boolean());
export interface PermissionMapSchema extends Named<typeof permissionMapSchema> {}
/** Page key → granted, as the legacy permission screens send and read it. */
export const PermissionMapSchema: PermissionMapSchema = permissionMapSchema;

const userPermissionsSchema = z.object({
  user_id: IdSchema,
  user_email: z.string(),
  user_name: z.string(),
  permissions: PermissionMapSchema,
  active_permissions_count: z.number().int(),
  total_available_pages: z.number().int(),
});
export interface UserPermissionsSchema extends Named<typeof userPermissionsSchema> {}
export const UserPermissionsSchema: UserPermissionsSchema = userPermissionsSchema;

const permissionsOverviewSchema = z.object({
  users: z.array(
    z.object({
      user_id: IdSchema,
      email: z.string(),
      name: z.string(),
      role: z.string(),
      job_title: z.string().nullable(),
      is_active: z.boolean(),
      permissions: z.array(z.string()),
      permissions_display: z.array(z.string()),
      permissions_count: z.number().int(),
    }),
  ),
  total_users: z.number().int(),
  available_pages: z.array(z.string()),
  summary: z.record(z.string(), z.number().int()).describe('`users_with_<page>_access` for every page.'),
});
export interface PermissionsOverviewSchema extends Named<typeof permissionsOverviewSchema> {}
export const PermissionsOverviewSchema: PermissionsOverviewSchema = permissionsOverviewSchema;

export type AdminUser = z.infer<typeof AdminUserSchema>;
export type CreateUserInput = z.infer<typeof CreateUserSchema>;
export type UpdateUserInput = z.infer<typeof UpdateUserSchema>;
