import { adminLastCeoSuite } from './admin/last-ceo.js';
import { adminPagePermissionsSuite } from './admin/page-permissions.js';
import { adminPagesAndRolesSuite } from './admin/pages-and-roles.js';
import { adminUsersSuite } from './admin/users.js';
import type { Target, withWorld as WithWorld } from './suite-kit.js';

/**
 * The CEO's administration in detail: users, their page permissions, the pages and roles of `/management`, and how a
 * change of them applies to the next request. Each message is pinned as the server words it.
 */
export function adminSuite(target: Target, withWorld: typeof WithWorld): void {
  adminUsersSuite(target, withWorld);
  adminPagePermissionsSuite(target, withWorld);
  adminPagesAndRolesSuite(target, withWorld);
  adminLastCeoSuite(target, withWorld);
}
