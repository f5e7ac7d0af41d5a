import type {
  ChartsQuerySchema,
  ChartsSchema,
  CrmStatsSchema,
  Customer,
  CustomerType,
  Dashboard,
  DashboardQuerySchema,
  ListQuerySchema,
  PeriodStatsSchema,
  SalesDetailedQuerySchema,
  SalesDetailedSchema,
  SalesStatsSchema,
  StatsSummarySchema,
} from '@cims/contracts';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { z } from 'zod';
import type { Orm } from '../../db/orm.js';
import type { RequestScope } from '../auth/caller.js';
import { crmStats, dashboard, periodStats, statsSummary } from './crm-dashboard.js';
import {
  archivedCustomers,
  type CrmReads,
  type CustomerFilter,
  filteredCustomers,
  internationalCustomers,
  latestCustomers,
} from './customer-lists.js';
import type { CustomerViewContext } from './customer-view.js';
import { salesCharts, salesDetailed, salesStats } from './sales-stats.js';

/**
 * The CRM's read side: the dashboard and statistics (`crm-dashboard.ts`), the plain lists (`customer-lists.ts`) and
 * the `/sales/*` figures (`sales-stats.ts`); the period report is in period-report.service.ts. Overall and per-day
 * counts come from the tables the `customer_counts_*` triggers keep exact (`customer_status_total`,
 * `customer_daily_count`), so they cost a few rows whatever the number of customers; lists and filtered counts go to
 * `customer` through its partial indexes and the trigram index. Archived customers are excluded everywhere but the
 * archive list.
 */
export class CrmStatsService {
  /**
   * Every read here is raw SQL outside any transaction, so one fork serves them all (as in AuthService): nothing
   * enters its identity map, and `query` runs each statement on its own pooled connection.
   */
  readonly #reads: CrmReads;

  constructor(
    readonly orm: Orm,
    readonly view: CustomerViewContext,
  ) {
    this.#reads = { em: orm.em.fork() as EntityManager, view };
  }

  dashboard({ caller }: Pick<RequestScope, 'caller'>, q: z.output<typeof DashboardQuerySchema>): Promise<Dashboard> {
    return dashboard(this.#reads, q, caller);
  }

  stats(): Promise<z.output<typeof CrmStatsSchema>> {
    return crmStats(this.#reads);
  }

  periodStats(): Promise<{ period_stats: z.output<typeof PeriodStatsSchema>; generated_at: string }> {
    return periodStats(this.#reads);
  }

  summary(): Promise<z.output<typeof StatsSummarySchema>> {
    return statsSummary(this.#reads);
  }

  /** The newest non-archived customers. */
  latest(limit: number): Promise<Customer[]> {
    return latestCustomers(this.#reads, limit);
  }

  /** Non-archived customers in a status (any case), from a platform, or created on a range of days; newest first. */
  filter(filter: CustomerFilter, page: z.output<typeof ListQuerySchema>): Promise<Customer[]> {
    return filteredCustomers(this.#reads, filter, page);
  }

  /** Archived customers, most recently archived first. */
  archived(page: z.output<typeof ListQuerySchema>): Promise<Customer[]> {
    return archivedCustomers(this.#reads, page);
  }

  sales(type: CustomerType | undefined): Promise<z.output<typeof SalesStatsSchema>> {
    return salesStats(this.#reads, type);
  }

  salesDetailed(q: z.output<typeof SalesDetailedQuerySchema>): Promise<z.output<typeof SalesDetailedSchema>> {
    return salesDetailed(this.#reads, q);
  }

  charts(q: z.output<typeof ChartsQuerySchema>): Promise<z.output<typeof ChartsSchema>> {
    return salesCharts(this.#reads, q);
  }

  /** The newest international customers. */
  international(limit: number): Promise<Customer[]> {
    return internationalCustomers(this.#reads, limit);
  }
}
