import type { ValidationIssue } from '../errors/error.schemas.js';
import { CRM_MESSAGES } from './crm.messages.js';

/**
 * A status name as customers carry it: statuses are named by lower-case keys, and a customer write may name one in any
 * case and with surrounding spaces (`' Need_To_Call '` is `need_to_call`).
 */
export function statusKey(name: string): string {
  return name.trim().toLowerCase();
}

/** A `422` issue on a customer form field, the kind both status rules report. */
function formIssue(field: string, msg: string): ValidationIssue {
  return { loc: ['body', field], msg, type: 'value_error' };
}

/**
 * The status a customer create or update names. `status` and `customer_status` are one field (the legacy client sends
 * both on edit): when both are sent they must name the same status in any case, else an issue on `customer_status` is
 * pushed to `issues` and the result is undefined. Otherwise the one sent, as sent (undefined when neither was).
 *
 * @example
 * agreedStatus('Contacted', 'contacted', issues); // 'Contacted'
 * agreedStatus('contacted', 'finished', issues); // undefined, with an issue on customer_status
 */
export function agreedStatus(
  status: string | undefined,
  alias: string | undefined,
  issues: ValidationIssue[],
): string | undefined {
  if (status !== undefined && alias !== undefined && statusKey(status) !== statusKey(alias)) {
    issues.push(formIssue('customer_status', CRM_MESSAGES.statusesDisagree));
    return undefined;
  }
  return status ?? alias;
}

/** What {@link usableStatus} needs to know of a status: its key and whether it is active. */
export interface StatusState {
  name: string;
  is_active: boolean;
}

/**
 * Whether a customer write may put a customer in the status named `value` (any case): it must exist and be active,
 * except the customer's `current` status, which the legacy client re-sends on every save even after it was
 * deactivated. `statuses` are all statuses in their order. Gives the status key, or the `422` issue on `status`, which
 * lists the active statuses in that order.
 *
 * @example
 * usableStatus('Contacted', statuses); // { name: 'contacted' }
 * usableStatus('nope', statuses); // { issue: { loc: ['body', 'status'], msg: "Unknown or inactive status 'nope'; …" } }
 */
export function usableStatus(
  value: string,
  statuses: readonly StatusState[],
  current?: string,
): { name: string } | { issue: ValidationIssue } {
  const key = statusKey(value);
  const found = statuses.find((status) => status.name === key);
  if (found && (found.is_active || found.name === current)) return { name: found.name };
  const active = statuses.filter((status) => status.is_active).map((status) => status.name);
  return { issue: formIssue('status', CRM_MESSAGES.unknownStatus(value.trim(), active)) };
}
