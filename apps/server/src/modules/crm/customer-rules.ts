import { leadInsights } from '@cims/contracts';
import { CRM_MESSAGES } from '@cims/contracts/rules';
import type { EntityManager } from '@mikro-orm/postgresql';
import { query, type Row } from '../../db/sql.js';
import { ApiError } from '../../errors.js';
import type { Caller } from '../auth/caller.js';
import { INSIGHT_COLUMNS } from './customer-table.js';

export const CUSTOMER_NOT_FOUND = () => new ApiError('NOT_FOUND', CRM_MESSAGES.customerNotFound);

/** Whether the caller sees archived customers: the CEO only (docs/crm.md, "Who may do what"). */
export const seesArchived = (caller: Caller) => caller.role === 'CEO';

/** Which customer {@link visibleCustomer} reads, for whom, and how. */
export interface CustomerLookup {
  id: number;
  caller: Caller;
  /** The columns of `customer c` to read (a constant SQL fragment); `c.id` by default. */
  columns?: string;
  /** Lock the row for the rest of the transaction (`em` must be in one). */
  lock?: boolean;
}

/**
 * The customer `id` as `columns` of `customer c`, or 404 when it does not exist, or is archived and the caller is not
 * the CEO.
 */
export async function visibleCustomer<TRow extends Row = Row>(
  em: EntityManager,
  { id, caller, columns = 'c.id', lock = false }: CustomerLookup,
): Promise<TRow & { archived_at: unknown }> {
  const [row] = await query<TRow & { archived_at: unknown }>(
    em,
    `select c.archived_at, ${columns} from customer c where c.id = ?${lock ? ' for update' : ''}`,
    [id],
  );
  if (!row || (row.archived_at !== null && !seesArchived(caller))) throw CUSTOMER_NOT_FOUND();
  return row;
}

/** `set` assignments of the insight columns, for an UPDATE. */
export const INSIGHTS_SET = INSIGHT_COLUMNS.map((column) => `${column} = ?`).join(', ');

/** The values of {@link INSIGHTS_SET}, from a customer's own notes and its notes list (oldest first). */
export function insightValues(notes: string | null, additionalNotes: readonly string[]): unknown[] {
  const insights = leadInsights(notes, additionalNotes);
  return INSIGHT_COLUMNS.map((column) => insights[column]);
}

/** The customer's notes list, oldest first, as leadInsights reads it. */
export async function notesOf(em: EntityManager, customerId: number): Promise<string[]> {
  const rows = await query<{ note: string }>(
    em,
    'select note from customer_note where customer_id = ? order by created_at, id',
    [customerId],
  );
  return rows.map((row) => row.note);
}

/**
 * Recomputes the derived summary and priority of a customer after its notes list changed, in the caller's
 * transaction (the customer row should be locked by it, so two note writes cannot interleave their recomputations).
 */
export async function refreshInsights(em: EntityManager, customerId: number): Promise<void> {
  const [customer] = await query<{ notes: string | null }>(em, 'select notes from customer where id = ?', [customerId]);
  if (!customer) return;
  await query(em, `update customer set ${INSIGHTS_SET} where id = ?`, [
    ...insightValues(customer.notes, await notesOf(em, customerId)),
    customerId,
  ]);
}
