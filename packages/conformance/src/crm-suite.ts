import { crmAssignmentSuite } from './crm/assignment.js';
import { crmAudioSuite } from './crm/audio.js';
import { crmCustomersSuite } from './crm/customers.js';
import { crmIntakeSuite } from './crm/intake.js';
import { crmNotesSuite } from './crm/notes.js';
import { crmPermissionsSuite } from './crm/permissions.js';
import { crmStatisticsSuite } from './crm/statistics.js';
import { crmStatusesSuite } from './crm/statuses.js';
import type { Target, withWorld as WithWorld } from './suite-kit.js';

export { actors, createCustomer, newPhone, newUser, unique } from './crm-kit.js';

// The server and the mocks start with different customers (none, or demo data): every assertion here is about data
// the test created itself (unique names and phone numbers) or about a change (a count before and after).

/** The CRM of docs/crm.md: the same answers from every implementation, one file per topic under `crm/`. */
export function crmSuite(target: Target, withWorld: typeof WithWorld): void {
  crmStatusesSuite(target, withWorld);
  crmCustomersSuite(target, withWorld);
  crmNotesSuite(target, withWorld);
  crmAudioSuite(target, withWorld);
  crmAssignmentSuite(target, withWorld);
  crmStatisticsSuite(target, withWorld);
  crmIntakeSuite(target, withWorld);
  crmPermissionsSuite(target, withWorld);
}
