export { managementContract } from './management.contract.js';
export {
  CreatePageSchema,
  CreateRoleSchema,
  KeySchema,
  type ManagedRole,
  ManagedRoleSchema,
  MessageSchema,
  type Page,
  PageSchema,
  UpdatePageSchema,
  UpdateRoleSchema,
} from './management.schemas.js';
export { DEFAULT_PAGES } from './pages.js';
