import type { CreateStatusSchema, CustomerStatus, UpdateStatusSchema } from '@cims/contracts';
import { CRM_MESSAGES } from '@cims/contracts/rules';
import type { z } from 'zod';
import { MockApiError } from '../../route-handler.js';
import type { MockStatus, MockUser } from '../../state.js';
import { requireSomething } from '../management-model.js';
import type { CrmCore } from './core.js';

/** The statuses of the CRM: list, create, reorder, update and delete. */
export function crmStatuses(core: CrmCore) {
  const { state, now, crm, statusesInOrder, statusNamed, requireStatus, serveStatus, recordStatus } = core;
  return {
    listStatuses: (): CustomerStatus[] => statusesInOrder().map(serveStatus),

    createStatus(input: z.output<typeof CreateStatusSchema>): CustomerStatus {
      if (statusNamed(input.name)) throw new MockApiError('CONFLICT', CRM_MESSAGES.statusExists(input.name));
      const last = statusesInOrder().at(-1);
      const at = now();
      const status: MockStatus = {
        id: ++state.sequences.status,
        name: input.name,
        display_name: input.display_name,
        description: input.description ?? null,
        color: input.color ?? null,
        order: input.order ?? (last ? last.order + 1 : 1),
        category: input.category,
        is_active: input.is_active,
        is_system: false,
        created_at: at,
        updated_at: at,
      };
      crm().statuses.set(status.id, status);
      return serveStatus(status);
    },

    /** Every status id exactly once (else `422`); the orders become 1, 2, 3, … all at once. */
    reorderStatuses(ids: number[]): CustomerStatus[] {
      const { statuses } = crm();
      const exact =
        ids.length === statuses.size && new Set(ids).size === ids.length && ids.every((id) => statuses.has(id));
      if (!exact) {
        throw new MockApiError('VALIDATION_FAILED', [
          {
            loc: ['body', 'ids'],
            msg: CRM_MESSAGES.statusOrder(statuses.size),
            type: 'value_error',
          },
        ]);
      }
      const at = now();
      ids.forEach((id, i) => {
        const status = statuses.get(id);
        if (status && status.order !== i + 1) Object.assign(status, { order: i + 1, updated_at: at });
      });
      return statusesInOrder().map(serveStatus);
    },

    updateStatus(id: number, patch: z.output<typeof UpdateStatusSchema>): CustomerStatus {
      requireSomething(patch);
      const status = requireStatus(id);
      for (const [key, value] of Object.entries(patch)) {
        if (value !== undefined) (status as unknown as Record<string, unknown>)[key] = value;
      }
      status.updated_at = now();
      return serveStatus(status);
    },

    /**
     * Deletes a status: `403` for a system one; while customers (archived ones included) carry it, `409
     * STATUS_IN_USE` with `in_use_count`, unless `reassignTo` names another status: then they move there (each move
     * in their history, by `caller`) and the status goes.
     */
    deleteStatus(
      caller: MockUser,
      id: number,
      { reassignTo }: { reassignTo?: string },
    ):
      | { status: 200; body: { message: string; reassigned_count: number } }
      | { status: 409; body: { detail: string; code: 'STATUS_IN_USE'; in_use_count: number } } {
      const status = requireStatus(id);
      if (status.is_system) {
        throw new MockApiError('FORBIDDEN', CRM_MESSAGES.systemStatus(status.name));
      }
      let target: MockStatus | undefined;
      if (reassignTo !== undefined) {
        target = statusNamed(reassignTo);
        if (!target || target.id === status.id) {
          const msg = target ? CRM_MESSAGES.reassignSame : CRM_MESSAGES.reassignUnknown(reassignTo.trim());
          throw new MockApiError('VALIDATION_FAILED', [{ loc: ['query', 'reassign_to'], msg, type: 'value_error' }]);
        }
      }
      const users = [...crm().customers.values()].filter((customer) => customer.status === status.name);
      if (users.length > 0 && !target) {
        return {
          status: 409,
          body: {
            detail: CRM_MESSAGES.statusInUse(users.length, status.name),
            code: 'STATUS_IN_USE',
            in_use_count: users.length,
          },
        };
      }
      const at = now();
      for (const customer of users) {
        customer.status = target?.name ?? customer.status;
        customer.updated_at = at;
        recordStatus({ customer, from: status.name, by: caller.id, at });
      }
      crm().statuses.delete(status.id);
      return {
        status: 200,
        body: {
          message: CRM_MESSAGES.statusDeleted(
            status.name,
            target ? { count: users.length, to: target.name } : undefined,
          ),
          reassigned_count: users.length,
        },
      };
    },
  };
}
