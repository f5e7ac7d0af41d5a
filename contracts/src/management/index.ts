export { managementContract } from './management.contract.js';
export {
  type CreatePageInput,
  CreatePageSchema,
  type CreateRoleInput,
  CreateRoleSchema,
  KeySchema,
  type ManagedRole,
  ManagedRoleSchema,
  MessageSchema,
  type Page,
  PageSchema,
  type UpdatePageInput,
  UpdatePageSchema,
  type UpdateRoleInput,
  UpdateRoleSchema,
} from './management.schemas.js';
export { DEFAULT_PAGES } from './pages.js';
