export { ceoContract } from './ceo.contract.js';
export {
  type AdminUser,
  AdminUserSchema,
  CeoDashboardSchema,
  CreatedSchema,
  type CreateUserInput,
  CreateUserSchema,
  PermissionMapSchema,
  PermissionsOverviewSchema,
  ToggleActiveResultSchema,
  type UpdateUserInput,
  UpdateUserSchema,
  UserPermissionsSchema,
} from './ceo.schemas.js';
