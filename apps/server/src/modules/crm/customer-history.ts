import type { StatusChange } from '@cims/contracts';
import type { EntityManager } from '@mikro-orm/postgresql';
import { asDate, asInt, query } from '../../db/sql.js';
import type { RequestScope } from '../auth/caller.js';
import type { CustomerContext } from './customer-context.js';
import { visibleCustomer } from './customer-rules.js';

/** A row of the status history with its author's name. */
type StatusChangeRow = {
  id: number | string;
  customer_id: number | string;
  from_status: string | null;
  to_status: string;
  changed_by: number | string | null;
  changed_at: Date | string;
  changed_by_full_name: string | null;
};

/** Every status the customer had, oldest first: the first one (from `null`), each change, each move. */
export async function statusHistory(
  ctx: CustomerContext,
  scope: Pick<RequestScope, 'caller'>,
  id: number,
): Promise<StatusChange[]> {
  const em = ctx.em();
  await visibleCustomer(em, { id, caller: scope.caller });
  const rows = await query<StatusChangeRow>(
    em,
    `select h.id, h.customer_id, h.from_status, h.to_status, h.changed_by, h.changed_at,
            case when u.id is null then null else u.name || ' ' || u.surname end as changed_by_full_name
       from customer_status_change h left join app_user u on u.id = h.changed_by
      where h.customer_id = ? order by h.changed_at, h.id`,
    [id],
  );
  return rows.map((row) => ({
    id: asInt(row.id),
    customer_id: asInt(row.customer_id),
    from_status: row.from_status,
    to_status: row.to_status,
    changed_by: row.changed_by === null ? null : asInt(row.changed_by),
    changed_by_full_name: row.changed_by_full_name,
    changed_at: ctx.deps.time.format(asDate(row.changed_at)),
  }));
}

/**
 * Records a status a customer got, with the sales manager it is assigned to at that moment (so per-manager
 * statistics stay right after a reassignment), in the caller's transaction.
 */
export async function recordStatus(
  tem: EntityManager,
  change: { customerId: number; from: string | null; to: string; by: number | null; at: Date | null },
): Promise<void> {
  await query(
    tem,
    `insert into customer_status_change (customer_id, from_status, to_status, changed_by, sales_manager_id, changed_at)
     values (?, ?, ?, ?, (select sales_manager_id from sales_manager_assignment where customer_id = ?), coalesce(?, now()))`,
    [change.customerId, change.from, change.to, change.by, change.customerId, change.at],
  );
}
