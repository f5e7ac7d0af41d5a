import type { Customer } from '@cims/contracts';
import type { EntityManager } from '@mikro-orm/postgresql';
import { asInt, query } from '../../db/sql.js';
import { CUSTOMER_COLUMNS, CUSTOMER_FROM, type CustomerRow } from './customer-table.js';
import { type CustomerViewContext, toCustomer } from './customer-view.js';

/**
 * Customers per statement of {@link customerBatches}. Measured on 10,000 customers (bench/README.md, the period
 * report): batches of 200 took about 1.3× as long as batches of 1,000 (more round trips); 5,000 took no less time and
 * more memory.
 */
export const CUSTOMER_BATCH = 1_000;

/**
 * The statement of one batch of {@link customerBatches}: the customers `where` matches (SQL over
 * {@link CUSTOMER_FROM}), newest first, with the key of each row (its `created_at` as PostgreSQL writes it, to the
 * microsecond, which a Date would round to the millisecond and so skip or repeat rows at a batch boundary); `after`
 * adds two placeholders (that key, then the id) before the limit's. Exported for the benchmark's baseline, which sends
 * the same statements.
 */
export function customerBatchSql(where: string, after: boolean): string {
  return `select ${CUSTOMER_COLUMNS}, cast(c.created_at as text) as keyset_created_at from ${CUSTOMER_FROM}
    where ${where}${after ? ' and (c.created_at, c.id) < (cast(? as timestamptz), cast(? as integer))' : ''}
    order by c.created_at desc, c.id desc limit ?`;
}

/**
 * Every customer matching `where` (SQL over {@link CUSTOMER_FROM} with `?` placeholders), newest first, a batch at a
 * time. Each batch is one statement that starts after the last row of the batch before (`created_at desc, id desc`,
 * the order of the live customers' index), so no connection is held between batches: a client that reads slowly
 * holds no database connection, nor, on the embedded database (one session), every other request. The batches are
 * not one snapshot: a customer changed meanwhile shows as it is when its batch is read, and one created meanwhile
 * (newer than the first batch) is not in the list.
 */
export async function* customerBatches(
  em: EntityManager,
  {
    where,
    view,
    size = CUSTOMER_BATCH,
  }: {
    where: { sql: string; params: readonly unknown[] };
    view: CustomerViewContext;
    /** Customers per statement. */
    size?: number;
  },
): AsyncGenerator<Customer[]> {
  const first = customerBatchSql(where.sql, false);
  const next = customerBatchSql(where.sql, true);
  let after: [string, number] | undefined;
  for (;;) {
    const rows = await query<CustomerRow & { keyset_created_at: string }>(
      em,
      after ? next : first,
      after ? [...where.params, ...after, size] : [...where.params, size],
    );
    if (rows.length > 0) yield rows.map((row) => toCustomer(row, view));
    if (rows.length < size) return;
    const last = rows[rows.length - 1] as (typeof rows)[number];
    after = [last.keyset_created_at, asInt(last.id)];
  }
}
