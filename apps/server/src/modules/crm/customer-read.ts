import type { Customer, CustomerDetail } from '@cims/contracts';
import type { EntityManager } from '@mikro-orm/postgresql';
import { query } from '../../db/sql.js';
import type { Caller, RequestScope } from '../auth/caller.js';
import type { CustomerContext } from './customer-context.js';
import { CUSTOMER_NOT_FOUND, seesArchived } from './customer-rules.js';
import { CUSTOMER_COLUMNS, CUSTOMER_FROM, type CustomerRow } from './customer-table.js';
import { NOTE_COLUMNS, NOTE_FROM, toCustomer, toNote } from './customer-view.js';

/** A customer with its notes (oldest first); archived ones for the CEO only. */
export async function customerDetail(
  ctx: CustomerContext,
  scope: Pick<RequestScope, 'caller'>,
  id: number,
): Promise<CustomerDetail> {
  const em = ctx.em();
  const customer = await customerById(ctx, em, { id, caller: scope.caller });
  const notes = await query(
    em,
    `select ${NOTE_COLUMNS} from ${NOTE_FROM} where n.customer_id = ? order by n.created_at, n.id`,
    [id],
  );
  return { ...customer, additional_notes: notes.map((row) => toNote(row, ctx.deps.time)) };
}

/** The customer `id` as the API shows it, through `em` (a transaction's, to see its own writes); 404 as for a read. */
export async function customerById(
  ctx: CustomerContext,
  em: EntityManager,
  wanted: { id: number; caller: Caller },
): Promise<Customer> {
  const [row] = await query<CustomerRow>(em, `select ${CUSTOMER_COLUMNS} from ${CUSTOMER_FROM} where c.id = ?`, [
    wanted.id,
  ]);
  if (!row || (row.archived_at !== null && !seesArchived(wanted.caller))) throw CUSTOMER_NOT_FOUND();
  return toCustomer(row, ctx.view);
}
