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
import { asInt, query, type Row } from '../../db/sql.js';
import type { Caller } from '../auth/caller.js';
import type { BusinessTime } from './business-time.js';
import { CUSTOMER_COLUMNS, CUSTOMER_FROM, type CustomerViewContext, toCustomer } from './customer-view.js';
import {
  CUSTOMER_SEARCH,
  countMap,
  countsRecord,
  keyLabel,
  legacyCounts,
  loadStatuses,
  percent,
  percentages,
  resolveStatus,
  type StatusInfo,
  searchCondition,
  totalOf,
} from './status-counts.js';

type DashboardQuery = z.output<typeof DashboardQuerySchema>;
type ListQuery = z.output<typeof ListQuerySchema>;
type SalesDetailedQuery = z.output<typeof SalesDetailedQuerySchema>;
type ChartsQuery = z.output<typeof ChartsQuerySchema>;
type PeriodStats = z.output<typeof PeriodStatsSchema>;
type CrmStats = z.output<typeof CrmStatsSchema>;
type StatsSummary = z.output<typeof StatsSummarySchema>;
type SalesStats = z.output<typeof SalesStatsSchema>;
type SalesDetailed = z.output<typeof SalesDetailedSchema>;
type Charts = z.output<typeof ChartsSchema>;

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
  em: EntityManager,
  view: CustomerViewContext,
  where: Conditions,
  options: { limit: number; offset: number; order?: string },
): Promise<Customer[]> {
  const rows = await query(
    em,
    `select ${CUSTOMER_COLUMNS} from ${CUSTOMER_FROM} where ${where.sql}
        order by ${options.order ?? NEWEST_FIRST} limit ? offset ?`,
    [...where.params, options.limit, options.offset],
  );
  return rows.map((row) => toCustomer(row, view));
}

/** `customer_type=local` also counts customers without a type (docs/crm.md, Statistics). */
function typeCondition(type: CustomerType): string {
  return type === 'international'
    ? `c.customer_type = 'international'`
    : `(c.customer_type = 'local' or c.customer_type is null)`;
}

/**
 * The CRM's read side: the dashboard, statistics, the plain lists and the `/sales/*` figures (the period report is in
 * period-report.service.ts). Overall and per-day counts come from the tables the `customer_counts_*` triggers keep
 * exact (`customer_status_total`, `customer_daily_count`), so they cost a few rows whatever the number of customers;
 * lists and filtered counts go to `customer` through its partial indexes and the trigram index. Archived customers are
 * excluded everywhere but the archive list.
 */
export class CrmStatsService {
  /**
   * Every method here is read-only raw SQL outside any transaction, so one fork serves them all (as in AuthService):
   * nothing enters its identity map, and `query` runs each statement on its own pooled connection.
   */
  readonly #reads: EntityManager;

  constructor(
    readonly orm: Orm,
    readonly view: CustomerViewContext,
  ) {
    this.#reads = orm.em.fork() as EntityManager;
  }

  get #time(): BusinessTime {
    return this.view.time;
  }

  #em(): EntityManager {
    return this.#reads;
  }

  // ---------------------------------------------------------------------------------------------- building blocks

  /** A page of customers, newest first unless `order` says otherwise. */
  #customers(
    em: EntityManager,
    where: Conditions,
    options: { limit: number; offset: number; order?: string },
  ): Promise<Customer[]> {
    return customerPage(em, this.view, where, options);
  }

  /**
   * A page of the customers a search matches, and how many match, in one statement: the matches are found once (the
   * trigram index and one pass over their rows), counted, and only the page's rows are joined and returned. With no
   * row on the page, one row of nulls still carries the count.
   */
  async #searchPage(
    em: EntityManager,
    where: Conditions,
    limit: number,
    offset: number,
  ): Promise<{ total: number; customers: Customer[] }> {
    const rows = await query(
      em,
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
      customers: rows.filter((row) => row.id !== null).map((row) => toCustomer(row, this.view)),
    };
  }

  /** Non-archived customers per status, from the trigger-kept totals. */
  async #liveTotals(em: EntityManager): Promise<Map<string, number>> {
    return countMap(await query(em, 'select status, n from customer_status_total where not archived and n <> 0'));
  }

  async #periodStats(em: EntityManager): Promise<PeriodStats> {
    const time = this.#time;
    const today = time.today();
    const since = {
      today,
      this_week: time.mondayOf(today),
      this_month: time.firstOfMonth(today),
      last_3_months: time.addDays(today, -89),
      last_6_months: time.addDays(today, -179),
      last_year: time.addDays(today, -364),
    };
    const keys = Object.keys(since) as (keyof typeof since)[];
    const earliest = Object.values(since).sort()[0] as string;
    const [row] = await query(
      em,
      `select ${keys.map((key) => `coalesce(sum(n) filter (where day >= cast(? as date)), 0) as ${key}`).join(', ')}
         from customer_daily_count where not archived and day >= cast(? as date) and day <= cast(? as date)`,
      [...keys.map((key) => since[key]), earliest, today],
    );
    return Object.fromEntries(keys.map((key) => [key, asInt(row?.[key] ?? 0)])) as PeriodStats;
  }

  // ---------------------------------------------------------------------------------------------- /crm

  async dashboard(q: DashboardQuery, caller: Caller): Promise<Dashboard> {
    const em = this.#em();
    const [statuses, totals] = await Promise.all([loadStatuses(em), this.#liveTotals(em)]);
    const where = new Conditions().add('c.archived_at is null');
    let selected: string | null = null;
    // Which statuses the list may show, when that alone decides its size.
    let shown: (name: string) => boolean = () => true;
    if (q.status_filter !== undefined) {
      const name = resolveStatus(statuses, q.status_filter);
      selected = name ?? q.status_filter.toLowerCase();
      if (name) where.add('c.status = ?', name);
      else where.add('false');
      shown = (status) => status === name;
    } else if (!q.show_all) {
      const lost = statuses.filter((status) => status.category === 'lost').map((status) => status.name);
      if (lost.length > 0) {
        where.add('c.status not in (select jsonb_array_elements_text(cast(? as jsonb)))', JSON.stringify(lost));
      }
      shown = (status) => !lost.includes(status);
    }
    const offset = (q.page - 1) * q.page_size;
    let page: Promise<{ total: number; customers: Customer[] }>;
    if (q.search) {
      const search = searchCondition(CUSTOMER_SEARCH, q.search);
      where.add(search.sql, ...search.params);
      page = this.#searchPage(em, where, q.page_size, offset);
    } else {
      let total = 0;
      for (const [status, n] of totals) if (shown(status)) total += n;
      page = (offset < total ? this.#customers(em, where, { limit: q.page_size, offset }) : Promise.resolve([])).then(
        (customers) => ({ total, customers }),
      );
    }
    const [{ total: totalItems, customers }, permissions, periodStats] = await Promise.all([
      page,
      this.#permissions(em, caller),
      this.#periodStats(em),
    ]);
    const stats = this.#statusStats(statuses, totals);
    return {
      customers,
      page: q.page,
      page_size: q.page_size,
      total_items: totalItems,
      total_pages: Math.ceil(totalItems / q.page_size),
      status_stats: {
        total_customers: stats.total_customers,
        ...legacyCounts(stats.status_dict),
        ...stats.status_dict,
      },
      status_dict: stats.status_dict,
      status_percentages: stats.status_percentages,
      status_choices: statuses
        .filter((status) => status.active)
        .map((status) => ({ value: status.name, label: status.label, color: status.color, category: status.category })),
      permissions,
      selected_status: selected,
      period_stats: periodStats,
    };
  }

  /** The caller's pages by display name, in menu order; the CEO holds every active page (as in `/auth/me`). */
  async #permissions(em: EntityManager, caller: Caller): Promise<string[]> {
    const rows = await query(
      em,
      `select p.display_name from app_page p
        where p.is_active
          and (? or exists (select 1 from user_page_permission pp where pp.page_name = p.name and pp.user_id = ?))
        order by p.sort_order, p.name`,
      [caller.role === 'CEO', caller.userId],
    );
    return rows.map((row) => String(row.display_name));
  }

  #statusStats(statuses: StatusInfo[], totals: Map<string, number>) {
    const total = totalOf(totals);
    const dict = countsRecord(statuses, totals);
    return { total_customers: total, status_dict: dict, status_percentages: percentages(dict, total) };
  }

  async stats(): Promise<CrmStats> {
    const em = this.#em();
    const [statuses, totals] = await Promise.all([loadStatuses(em), this.#liveTotals(em)]);
    const stats = this.#statusStats(statuses, totals);
    return { ...stats, ...legacyCounts(stats.status_dict) };
  }

  async periodStats(): Promise<{ period_stats: PeriodStats; generated_at: string }> {
    const em = this.#em();
    return { period_stats: await this.#periodStats(em), generated_at: this.#time.format(this.#time.now()) };
  }

  /** New customers per status over the last 1, 3, 7, 30 and 90 days (today included), from the daily counts. */
  async summary(): Promise<StatsSummary> {
    const em = this.#em();
    const time = this.#time;
    const today = time.today();
    const windows = { today: 1, last_3_days: 3, last_7_days: 7, last_30_days: 30, last_90_days: 90 } as const;
    const keys = Object.keys(windows) as (keyof typeof windows)[];
    const [statuses, rows] = await Promise.all([
      loadStatuses(em),
      query(
        em,
        `select status, ${keys.map((key) => `coalesce(sum(n) filter (where day >= cast(? as date)), 0) as ${key}`).join(', ')}
           from customer_daily_count
          where not archived and day >= cast(? as date) and day <= cast(? as date)
          group by status`,
        [...keys.map((key) => time.addDays(today, 1 - windows[key])), time.addDays(today, -89), today],
      ),
    ]);
    const out = { generated_at: time.format(time.now()) } as StatsSummary;
    for (const key of keys) {
      const counts = countMap(rows, key);
      const total = totalOf(counts);
      const record = countsRecord(statuses, counts);
      out[key] = { total_customers: total, status_stats: record, status_percentages: percentages(record, total) };
    }
    return out;
  }

  /** The newest non-archived customers. */
  async latest(limit: number): Promise<Customer[]> {
    return this.#customers(this.#em(), new Conditions().add('c.archived_at is null'), { limit, offset: 0 });
  }

  /** Non-archived customers in a status (any case), from a platform, or created on a range of days; newest first. */
  async filter(filter: CustomerFilter, page: ListQuery): Promise<Customer[]> {
    const em = this.#em();
    const where = new Conditions().add('c.archived_at is null');
    if ('status' in filter) {
      const name = resolveStatus(await loadStatuses(em), filter.status);
      if (!name) return [];
      where.add('c.status = ?', name);
    } else if ('platform' in filter) {
      where.add('c.platform = ?', filter.platform);
    } else {
      if (filter.from > filter.to) return [];
      where.add('c.created_at >= ? and c.created_at < ?', ...this.#time.instants(filter.from, filter.to));
    }
    return this.#customers(em, where, page);
  }

  /** Archived customers, most recently archived first. */
  async archived(page: ListQuery): Promise<Customer[]> {
    return this.#customers(this.#em(), new Conditions().add('c.archived_at is not null'), {
      ...page,
      order: 'c.archived_at desc, c.id desc',
    });
  }

  // ---------------------------------------------------------------------------------------------- /sales

  /** Today, yesterday, this week and last week (Monday to Sunday), optionally for one customer type. */
  async #salesSummary(em: EntityManager, type: CustomerType | undefined): Promise<SalesStats> {
    const time = this.#time;
    const today = time.today();
    const yesterday = time.addDays(today, -1);
    const monday = time.mondayOf(today);
    const lastMonday = time.addDays(monday, -7);
    const periods: Record<'today' | 'yesterday' | 'this_week' | 'last_week', [string, string]> = {
      today: [today, today],
      yesterday: [yesterday, yesterday],
      this_week: [monday, today],
      last_week: [lastMonday, time.addDays(monday, -1)],
    };
    const keys = Object.keys(periods) as (keyof typeof periods)[];
    let row: Row | undefined;
    if (type === undefined) {
      [row] = await query(
        em,
        `select ${keys.map((key) => `coalesce(sum(n) filter (where day >= cast(? as date) and day <= cast(? as date)), 0) as ${key}`).join(', ')}
           from customer_daily_count where not archived and day >= cast(? as date) and day <= cast(? as date)`,
        [...keys.flatMap((key) => periods[key]), lastMonday, today],
      );
    } else {
      const ranges = keys.map((key) => this.#time.instants(...periods[key]));
      [row] = await query(
        em,
        `select ${keys.map((key) => `count(*) filter (where c.created_at >= ? and c.created_at < ?) as ${key}`).join(', ')}
           from customer c
          where c.archived_at is null and ${typeCondition(type)} and c.created_at >= ? and c.created_at < ?`,
        [...ranges.flat(), ...this.#time.instants(lastMonday, today)],
      );
    }
    return {
      today: asInt(row?.today ?? 0),
      yesterday: asInt(row?.yesterday ?? 0),
      this_week: asInt(row?.this_week ?? 0),
      last_week: asInt(row?.last_week ?? 0),
      customer_type: type ?? null,
    };
  }

  /** New customers per (business) day and status over `from`..`to`, optionally for one customer type. */
  async #perDayAndStatus(
    em: EntityManager,
    from: string,
    to: string,
    type: CustomerType | undefined,
  ): Promise<{ day: string; status: string; n: number }[]> {
    const rows =
      type === undefined
        ? await query(
            em,
            `select cast(day as text) as day, status, sum(n) as n from customer_daily_count
              where not archived and day >= cast(? as date) and day <= cast(? as date)
              group by day, status`,
            [from, to],
          )
        : await query(
            em,
            `select cast(cast(c.created_at at time zone ? as date) as text) as day, c.status, count(*) as n
               from customer c
              where c.archived_at is null and ${typeCondition(type)} and c.created_at >= ? and c.created_at < ?
              group by 1, 2`,
            [this.#time.zone, ...this.#time.instants(from, to)],
          );
    return rows.map((row) => ({ day: String(row.day), status: String(row.status), n: asInt(row.n) }));
  }

  /** Every day of `from`..`to` with its count, zeros included. */
  #trend(from: string, to: string, rows: { day: string; n: number }[]): { date: string; count: number }[] {
    const perDay = new Map<string, number>();
    for (const row of rows) perDay.set(row.day, (perDay.get(row.day) ?? 0) + row.n);
    return this.#time.days(from, to).map((date) => ({ date, count: perDay.get(date) ?? 0 }));
  }

  async sales(type: CustomerType | undefined): Promise<SalesStats> {
    return this.#salesSummary(this.#em(), type);
  }

  async salesDetailed(q: SalesDetailedQuery): Promise<SalesDetailed> {
    const em = this.#em();
    const today = this.#time.today();
    const from = this.#time.addDays(today, 1 - q.days);
    const [summary, rows] = await Promise.all([
      this.#salesSummary(em, q.customer_type),
      this.#perDayAndStatus(em, from, today, q.customer_type),
    ]);
    return { summary, daily_breakdown: this.#trend(from, today, rows), date_range: `${from} to ${today}` };
  }

  async charts(q: ChartsQuery): Promise<Charts> {
    const em = this.#em();
    const today = this.#time.today();
    const from = this.#time.addDays(today, 1 - q.days);
    const where = new Conditions()
      .add('c.archived_at is null')
      .add('c.created_at >= ? and c.created_at < ?', ...this.#time.instants(from, today));
    if (q.customer_type) where.add(typeCondition(q.customer_type));
    const [statuses, summary, rows, sources] = await Promise.all([
      loadStatuses(em),
      this.#salesSummary(em, q.customer_type),
      this.#perDayAndStatus(em, from, today, q.customer_type),
      query(
        em,
        `select c.platform, c.customer_type = 'international' as international, count(*) as n
           from customer c where ${where.sql} group by 1, 2`,
        where.params,
      ),
    ]);
    const perStatus = countMap(rows);
    const total = totalOf(perStatus);
    const byName = new Map(statuses.map((status, index) => [status.name, { ...status, index }]));
    const item = (key: string, label: string, value: number) => ({
      key,
      label,
      value,
      percentage: percent(value, total, 2),
    });
    const won = [...perStatus].reduce((sum, [name, n]) => sum + (byName.get(name)?.category === 'won' ? n : 0), 0);
    const perPlatform = new Map<string, number>();
    let local = 0;
    let international = 0;
    for (const row of sources) {
      const n = asInt(row.n);
      perPlatform.set(String(row.platform), (perPlatform.get(String(row.platform)) ?? 0) + n);
      if (row.international === true) international += n;
      else local += n;
    }
    return {
      customer_type: q.customer_type ?? null,
      period: { start_date: from, end_date: today, days: q.days },
      summary: {
        total_period_leads: total,
        today: summary.today,
        yesterday: summary.yesterday,
        this_week: summary.this_week,
        last_week: summary.last_week,
        project_started: perStatus.get('project_started') ?? 0,
        finished: perStatus.get('finished') ?? 0,
        rejected: perStatus.get('rejected') ?? 0,
        conversion_rate_percent: percent(won, total, 2),
      },
      trend: this.#trend(from, today, rows),
      status_distribution: [...perStatus]
        .filter(([, n]) => n > 0)
        .sort(
          ([a, n], [b, m]) =>
            m - n || (byName.get(a)?.index ?? Infinity) - (byName.get(b)?.index ?? Infinity) || a.localeCompare(b),
        )
        .map(([name, n]) => item(name, byName.get(name)?.label ?? keyLabel(name), n)),
      platform_distribution: [...perPlatform]
        .filter(([, n]) => n > 0)
        .sort(([a, n], [b, m]) => m - n || a.localeCompare(b))
        .slice(0, q.platform_limit)
        .map(([platform, n]) => item(platform, keyLabel(platform), n)),
      customer_type_distribution: [
        item('local', 'Local', local),
        item('international', 'International', international),
      ],
    };
  }

  /** The newest international customers. */
  async international(limit: number): Promise<Customer[]> {
    return this.#customers(
      this.#em(),
      new Conditions().add('c.archived_at is null').add(typeCondition('international')),
      { limit, offset: 0 },
    );
  }
}
