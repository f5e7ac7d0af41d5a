import { type Customer, type ReportQuerySchema, type ReportSchema, unpagedReportPaging } from '@cims/contracts';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { z } from 'zod';
import type { Orm } from '../../db/orm.js';
import { query } from '../../db/sql.js';
import { customerBatches } from './customer-batches.js';
import { Conditions, customerPage } from './customer-lists.js';
import type { CustomerViewContext } from './customer-view.js';
import {
  CUSTOMER_SEARCH,
  countMap,
  countsRecord,
  legacyCounts,
  loadStatuses,
  percentages,
  resolveStatus,
  type StatusInfo,
  searchCondition,
  totalOf,
} from './status-counts.js';

type ReportQuery = z.output<typeof ReportQuerySchema>;
type Report = z.output<typeof ReportSchema>;

/** A report of every customer of its period, to be streamed: the fields before and after its (long) list. */
export interface StreamedReport {
  head: Pick<Report, 'period' | 'from_date' | 'to_date'>;
  /** The customers, newest first, a batch at a time. */
  customers: AsyncIterable<Customer[]>;
  /** The fields after the list, once `customers` has been read to its end. */
  tail(): Omit<Report, 'period' | 'from_date' | 'to_date' | 'customers'>;
}

/**
 * `GET /crm/customers/report/period`: the customers created in N whole days ending today (business time zone) or in
 * a custom range, with their counts per status. The contract's `reportPage` decides whether a request pages: a page
 * is built as any other list ({@link page}); without paging, every customer of the period is streamed ({@link all}),
 * as the legacy client expects (it never pages).
 */
export class PeriodReportService {
  /** Read-only raw SQL outside transactions, as in CrmStatsService: one fork serves every request. */
  readonly #reads: EntityManager;

  constructor(
    readonly orm: Orm,
    readonly view: CustomerViewContext,
  ) {
    this.#reads = orm.em.fork() as EntityManager;
  }

  /**
   * The report's days, and the conditions on its customers: not archived, created on those days, in the status
   * filter (`status` is null for a status that does not exist, which matches nothing) and matching the search.
   */
  async #window(q: ReportQuery) {
    const time = this.view.time;
    const today = time.today();
    const custom = q.from_date !== undefined && q.to_date !== undefined;
    const from = custom ? (q.from_date as string) : time.addDays(today, 1 - Number.parseInt(q.period, 10));
    const to = custom ? (q.to_date as string) : today;
    const statuses = await loadStatuses(this.#reads);
    const where = new Conditions()
      .add('c.archived_at is null')
      .add('c.created_at >= ? and c.created_at < ?', ...time.instants(from, to));
    let status: string | null | undefined;
    if (q.status_filter !== undefined) {
      status = resolveStatus(statuses, q.status_filter) ?? null;
      if (status) where.add('c.status = ?', status);
      else where.add('false');
    }
    if (q.search) {
      const search = searchCondition(CUSTOMER_SEARCH, q.search);
      where.add(search.sql, ...search.params);
    }
    return { head: { period: custom ? 'custom' : q.period, from_date: from, to_date: to }, statuses, where, status };
  }

  /** Customers per status in the report's three shapes. */
  #stats(statuses: StatusInfo[], counts: Map<string, number>) {
    const dict = countsRecord(statuses, counts);
    return {
      status_stats: { ...legacyCounts(dict), ...dict },
      status_dict: dict,
      status_percentages: percentages(dict, totalOf(counts)),
    };
  }

  /** One page of the report, with the counts of all its customers. */
  async page(q: ReportQuery, paging: { page: number; page_size: number }): Promise<Report> {
    const em = this.#reads;
    const { head, statuses, where, status } = await this.#window(q);
    let counts: Map<string, number>;
    if (q.search) {
      counts = countMap(
        await query(
          em,
          `select c.status, count(*) as n from customer c where ${where.sql} group by c.status`,
          where.params,
        ),
      );
    } else if (status === null) {
      counts = new Map();
    } else {
      // Whole business days: the trigger's daily counts give the same numbers without touching the customers.
      const daily = new Conditions()
        .add('not archived')
        .add('day >= cast(? as date) and day <= cast(? as date)', head.from_date, head.to_date);
      if (status) daily.add('status = ?', status);
      counts = countMap(
        await query(
          em,
          `select status, sum(n) as n from customer_daily_count where ${daily.sql} group by status`,
          daily.params,
        ),
      );
    }
    const total = totalOf(counts);
    const offset = (paging.page - 1) * paging.page_size;
    const customers =
      offset < total ? await customerPage({ em, view: this.view }, where, { limit: paging.page_size, offset }) : [];
    return {
      ...head,
      total_customers: total,
      page: paging.page,
      page_size: paging.page_size,
      total_pages: Math.ceil(total / paging.page_size),
      customers,
      ...this.#stats(statuses, counts),
    };
  }

  /**
   * Every customer of the report, however many, for a streamed answer: the period now, the customers batch by batch
   * ({@link customerBatches}: memory stays at about a batch, and no connection is held while the client reads), and
   * the counts once the last batch has been read. The counts are taken from the customers as they are listed, so the
   * answer always agrees with itself even while customers change. The first batch is read before this returns, so
   * that a database that fails at once still gets an error response rather than a cut one.
   */
  async all(q: ReportQuery): Promise<StreamedReport> {
    const { head, statuses, where } = await this.#window(q);
    const counts = new Map<string, number>();
    const batches = customerBatches(this.#reads, { where, view: this.view });
    const first = await batches.next();
    async function* counted(): AsyncGenerator<Customer[]> {
      for (let next = first; !next.done; next = await batches.next()) {
        for (const customer of next.value) counts.set(customer.status, (counts.get(customer.status) ?? 0) + 1);
        yield next.value;
      }
    }
    return {
      head,
      customers: counted(),
      tail: () => {
        const total = totalOf(counts);
        return { total_customers: total, ...unpagedReportPaging(total), ...this.#stats(statuses, counts) };
      },
    };
  }
}
