import { authExtraSuite } from './auth-extra-suite.js';
import { crmExtraSuite } from './crm-extra-suite.js';
import { profileSuite } from './profile-suite.js';
import type { Target, withWorld as WithWorld } from './suite-kit.js';

/**
 * The details of the API that the mocks' own tests used to pin for the mocks alone: sign-in, bearer tokens,
 * registration, the profile and call recordings. Every implementation runs them.
 */
export function detailSuites(target: Target, withWorld: typeof WithWorld): void {
  authExtraSuite(target, withWorld);
  profileSuite(target, withWorld);
  crmExtraSuite(target, withWorld);
}
