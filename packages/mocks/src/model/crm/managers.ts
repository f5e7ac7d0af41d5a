import { CRM_MESSAGES } from '@cims/contracts/rules';
import { MockApiError } from '../../route-handler.js';
import { clearCustomers, type MockCustomer, type MockUser } from '../../state.js';
import type { CrmCore } from './core.js';
import { compare } from './types.js';

/** The sales managers and assignment, and the steps the seed and the scenarios use. */
export function crmManagers(core: CrmCore) {
  const {
    state,
    time,
    activeManagers,
    managerRef,
    assignmentOf,
    assign,
    recordStatus,
    visibleCustomer,
    requireCustomer,
    indexes,
  } = core;
  return {
    /** The active sales managers by name, with how many customers each has now (archived ones included). */
    salesManagers() {
      const loads = new Map<number, number>();
      for (const assignment of indexes().assignments.values()) {
        loads.set(assignment.sales_manager_id, (loads.get(assignment.sales_manager_id) ?? 0) + 1);
      }
      const key = (user: MockUser) => [user.name, user.surname];
      return activeManagers()
        .sort((a, b) => compare(key(a), key(b)) || a.id - b.id)
        .map((user) => ({ ...managerRef(user), assigned_leads_count: loads.get(user.id) ?? 0 }));
    },

    /** Replaces the customer's assignment (the customer may be archived); the target must be an active manager. */
    assign(caller: MockUser, input: { customer_id: number; sales_manager_id: number }) {
      const customer = requireCustomer(input.customer_id);
      const manager = activeManagers().find((user) => user.id === input.sales_manager_id);
      if (!manager) throw new MockApiError('NOT_FOUND', CRM_MESSAGES.managerNotFound);
      const assignment = assign({ customerId: customer.id, managerId: manager.id, by: caller.id });
      return { ...assignment, assigned_at: time.format(assignment.assigned_at) };
    },

    /** Who a customer is assigned to; `404` when nobody, no such customer, or archived and the caller not the CEO. */
    customerManager(caller: MockUser, id: number) {
      visibleCustomer(id, caller);
      const assignment = assignmentOf(id);
      const manager = assignment && state.users.get(assignment.sales_manager_id);
      if (!assignment || !manager) throw new MockApiError('NOT_FOUND', CRM_MESSAGES.noManagerAssigned);
      return {
        assignment_id: assignment.id,
        customer_id: id,
        sales_manager: managerRef(manager),
        assigned_at: time.format(assignment.assigned_at),
        assigned_by:
          assignment.assigned_by !== null && state.users.has(assignment.assigned_by) ? assignment.assigned_by : null,
      };
    },

    /** The sales manager a customer is assigned to now, if any. */
    managerOf(customerId: number): MockUser | undefined {
      const assignment = assignmentOf(customerId);
      return assignment && state.users.get(assignment.sales_manager_id);
    },

    /** Forgets every customer (the `empty-crm` scenario); statuses stay. */
    clearCustomers: () => clearCustomers(state),

    /** Records a status change as if `by` made it at `at` (seeds). */
    changeStatus({
      customer,
      status,
      by,
      at,
    }: {
      customer: MockCustomer;
      status: string;
      by: number | null;
      at: number;
    }): void {
      const before = customer.status;
      customer.status = status;
      customer.updated_at = at;
      recordStatus({ customer, from: before, by, at });
    },
  };
}
