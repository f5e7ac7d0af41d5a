import type { MockState } from '../state.js';
import { createCrmCore } from './crm/core.js';
import { crmCustomers } from './crm/customers.js';
import { crmManagers } from './crm/managers.js';
import { crmNotes } from './crm/notes.js';
import { crmStatuses } from './crm/statuses.js';
import { byNewest, type CrmModelOptions } from './crm/types.js';

export { type CrmModelOptions, fullName, type MockCustomerInput } from './crm/types.js';

/**
 * The CRM rules of `docs/crm.md` over the mocks' state: statuses, customers (with phone normalisation, status checks
 * and derived insights), notes, the status history, archive, sales-manager assignment with the round robin, and call
 * recordings behind signed URLs. Failures are thrown as {@link MockApiError}.
 */
export function createCrmModel(state: MockState, options: CrmModelOptions) {
  const core = createCrmCore(state, options);
  return {
    statusesInOrder: core.statusesInOrder,
    activeStatuses: core.activeStatuses,
    statusNamed: core.statusNamed,
    activeManagers: core.activeManagers,
    managerRef: core.managerRef,
    managerFor: core.managerFor,
    assignedTo: core.assignedTo,
    liveCustomers: core.liveCustomers,
    serveCustomer: core.serveCustomer,
    serveCustomers: core.serveCustomers,
    requireCustomer: core.requireCustomer,
    byNewest,

    ...crmStatuses(core),
    ...crmCustomers(core),
    ...crmNotes(core),
    ...crmManagers(core),
  };
}

/** The CRM model of one mock API. */
export type CrmModel = ReturnType<typeof createCrmModel>;
