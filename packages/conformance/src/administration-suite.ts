import { ceoLastCeoSuite } from './ceo/last-ceo.js';
import { ceoPagePermissionsSuite } from './ceo/page-permissions.js';
import { ceoUsersSuite } from './ceo/users.js';
import { managementPagesAndRolesSuite } from './management/pages-and-roles.js';
import type { Target, withWorld as WithWorld } from './suite-kit.js';

/**
 * The CEO's administration in detail: users and their page permissions (`/ceo`, in `ceo/`), the pages and roles of
 * `/management` (in `management/`), and how a change of them applies to the next request. Each message is pinned as
 * the server words it.
 */
export function administrationSuite(target: Target, withWorld: typeof WithWorld): void {
  ceoUsersSuite(target, withWorld);
  ceoPagePermissionsSuite(target, withWorld);
  managementPagesAndRolesSuite(target, withWorld);
  ceoLastCeoSuite(target, withWorld);
}
