import type { Customer, CustomerType, ListQuerySchema } from '@cims/contracts';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { z } from 'zod';
import { asInt, query } from '../../db/sql.js';
import { CUSTOMER_COLUMNS, CUSTOMER_FROM, type CustomerRow } from './customer-table.js';
import { type CustomerViewContext, toCustomer } from './customer-view.js';
import { loadStatuses, resolveStatus } from './status-counts.js';

type ListQuery = z.output<typeof ListQuerySchema>;

/** What the CRM's read side works with: one long-lived read-only fork, and how customers are rendered. */
export interface CrmReads {
  /** Read-only raw SQL outside any transaction: nothing enters its identity map. */
  em: EntityManager;
  view: CustomerViewContext;
}

/** What the plain list routes filter on: a status, a platform, or a range of business days (both included). */
export type CustomerFilter = { status: string } | { platform: string } | { from: string; to: string };

/** SQL conditions joined with `and`, with their parameters in order. */
export class Conditions {
  readonly parts: string[] = [];
  readonly params: unknown[] = [];

  add(sql: string, ...params: unknown[]): this {
    this.parts.push(sql);
    this.params.push(...params);
    return this;
  }

  get sql(): string {
    return this.parts.length === 0 ? 'true' : this.parts.join(' and ');
  }
}

const NEWEST_FIRST = 'c.created_at desc, c.id desc';

/** A page of the customers `where` matches, newest first unless `order` says otherwise. */
export async function customerPage(
  reads: CrmReads,
  where: Conditions,
  options: { limit: number; offset: number; order?: string },
): Promise<Customer[]> {
  const rows = await query<CustomerRow>(
    reads.em,
    `select ${CUSTOMER_COLUMNS} from ${CUSTOMER_FROM} where ${where.sql}
        order by ${options.order ?? NEWEST_FIRST} limit ? offset ?`,
    [...where.params, options.limit, options.offset],
  );
  return rows.map((row) => toCustomer(row, reads.view));
}

/**
 * A page of the customers a search matches, and how many match, in one statement: the matches are found once (the
 * trigram index and one pass over their rows), counted, and only the page's rows are joined and returned. With no
 * row on the page, one row of nulls still carries the count.
 */
export async function searchPage(
  reads: CrmReads,
  where: Conditions,
  page: { limit: number; offset: number },
): Promise<{ total: number; customers: Customer[] }> {
  const { limit, offset } = page;
  const rows = await query<CustomerRow & { total_count: number | string }>(
    reads.em,
    `with matched as (select c.id, c.created_at from customer c where ${where.sql})
       select (select count(*) from matched) as total_count, page.*
         from (select 1) as one
         left join lateral (
           select ${CUSTOMER_COLUMNS} from ${CUSTOMER_FROM}
            where c.id in (select id from matched order by created_at desc, id desc limit ? offset ?)
         ) as page on true
        order by page.created_at desc, page.id desc`,
    [...where.params, limit, offset],
  );
  return {
    total: asInt(rows[0]?.total_count ?? 0),
    customers: rows.filter((row) => row.id !== null).map((row) => toCustomer(row, reads.view)),
  };
}

/** `customer_type=local` also counts customers without a type (docs/crm.md, Statistics). */
export function typeCondition(type: CustomerType): string {
  return type === 'international'
    ? `c.customer_type = 'international'`
    : `(c.customer_type = 'local' or c.customer_type is null)`;
}

/** The newest non-archived customers. */
export function latestCustomers(reads: CrmReads, limit: number): Promise<Customer[]> {
  return customerPage(reads, new Conditions().add('c.archived_at is null'), { limit, offset: 0 });
}

/** Non-archived customers in a status (any case), from a platform, or created on a range of days; newest first. */
export async function filteredCustomers(reads: CrmReads, filter: CustomerFilter, page: ListQuery): Promise<Customer[]> {
  const where = new Conditions().add('c.archived_at is null');
  if ('status' in filter) {
    const name = resolveStatus(await loadStatuses(reads.em), filter.status);
    if (!name) return [];
    where.add('c.status = ?', name);
  } else if ('platform' in filter) {
    where.add('c.platform = ?', filter.platform);
  } else {
    if (filter.from > filter.to) return [];
    where.add('c.created_at >= ? and c.created_at < ?', ...reads.view.time.instants(filter.from, filter.to));
  }
  return customerPage(reads, where, page);
}

/** Archived customers, most recently archived first. */
export function archivedCustomers(reads: CrmReads, page: ListQuery): Promise<Customer[]> {
  return customerPage(reads, new Conditions().add('c.archived_at is not null'), {
    ...page,
    order: 'c.archived_at desc, c.id desc',
  });
}

/** The newest international customers. */
export function internationalCustomers(reads: CrmReads, limit: number): Promise<Customer[]> {
  return customerPage(reads, new Conditions().add('c.archived_at is null').add(typeCondition('international')), {
    limit,
    offset: 0,
  });
}
