export { ceoContract } from './ceo.contract.js';
export {
  type AdminUser,
  AdminUserSchema,
  CeoDashboardSchema,
  CreatedSchema,
  CreateUserSchema,
  PermissionMapSchema,
  PermissionsOverviewSchema,
  ToggleActiveResultSchema,
  UpdateUserSchema,
  UserPermissionsSchema,
} from './ceo.schemas.js';
