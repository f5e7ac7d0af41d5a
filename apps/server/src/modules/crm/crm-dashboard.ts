import type {
  CrmStatsSchema,
  Customer,
  Dashboard,
  DashboardQuerySchema,
  PeriodStatsSchema,
  StatsSummarySchema,
} from '@cims/contracts';
import type { z } from 'zod';
import { asInt, query } from '../../db/sql.js';
import type { Caller } from '../auth/caller.js';
import { Conditions, type CrmReads, customerPage, searchPage } from './customer-lists.js';
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

type DashboardQuery = z.output<typeof DashboardQuerySchema>;
type PeriodStats = z.output<typeof PeriodStatsSchema>;
type CrmStats = z.output<typeof CrmStatsSchema>;
type StatsSummary = z.output<typeof StatsSummarySchema>;

/** Non-archived customers per status, from the trigger-kept totals. */
async function liveTotals(reads: CrmReads): Promise<Map<string, number>> {
  return countMap(await query(reads.em, 'select status, n from customer_status_total where not archived and n <> 0'));
}

/** New non-archived customers today, this week, this month and over the last 3, 6 and 12 months. */
async function periodCounts(reads: CrmReads): Promise<PeriodStats> {
  const time = reads.view.time;
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
  const [row] = await query<Record<keyof typeof since, number | string>>(
    reads.em,
    `select ${keys.map((key) => `coalesce(sum(n) filter (where day >= cast(? as date)), 0) as ${key}`).join(', ')}
         from customer_daily_count where not archived and day >= cast(? as date) and day <= cast(? as date)`,
    [...keys.map((key) => since[key]), earliest, today],
  );
  return Object.fromEntries(keys.map((key) => [key, asInt(row?.[key] ?? 0)])) as PeriodStats;
}

/** The caller's pages by display name, in menu order; the CEO holds every active page (as in `/auth/me`). */
async function permissions(reads: CrmReads, caller: Caller): Promise<string[]> {
  const rows = await query<{ display_name: string }>(
    reads.em,
    `select p.display_name from app_page p
        where p.is_active
          and (? or exists (select 1 from user_page_permission pp where pp.page_name = p.name and pp.user_id = ?))
        order by p.sort_order, p.name`,
    [caller.role === 'CEO', caller.userId],
  );
  return rows.map((row) => row.display_name);
}

function statusStats(statuses: StatusInfo[], totals: Map<string, number>) {
  const total = totalOf(totals);
  const dict = countsRecord(statuses, totals);
  return { total_customers: total, status_dict: dict, status_percentages: percentages(dict, total) };
}

/** `GET /crm/dashboard`: a page of customers (filtered, searched), the status figures and the caller's pages. */
export async function dashboard(reads: CrmReads, q: DashboardQuery, caller: Caller): Promise<Dashboard> {
  const [statuses, totals] = await Promise.all([loadStatuses(reads.em), liveTotals(reads)]);
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
    page = searchPage(reads, where, { limit: q.page_size, offset });
  } else {
    let total = 0;
    for (const [status, n] of totals) if (shown(status)) total += n;
    page = (offset < total ? customerPage(reads, where, { limit: q.page_size, offset }) : Promise.resolve([])).then(
      (customers) => ({ total, customers }),
    );
  }
  const [{ total: totalItems, customers }, pages, periodStats] = await Promise.all([
    page,
    permissions(reads, caller),
    periodCounts(reads),
  ]);
  const stats = statusStats(statuses, totals);
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
    permissions: pages,
    selected_status: selected,
    period_stats: periodStats,
  };
}

/** `GET /crm/stats`: non-archived customers per status. */
export async function crmStats(reads: CrmReads): Promise<CrmStats> {
  const [statuses, totals] = await Promise.all([loadStatuses(reads.em), liveTotals(reads)]);
  const stats = statusStats(statuses, totals);
  return { ...stats, ...legacyCounts(stats.status_dict) };
}

/** `GET /crm/stats/period`: the period counts, and when they were taken. */
export async function periodStats(reads: CrmReads): Promise<{ period_stats: PeriodStats; generated_at: string }> {
  const time = reads.view.time;
  return { period_stats: await periodCounts(reads), generated_at: time.format(time.now()) };
}

/** New customers per status over the last 1, 3, 7, 30 and 90 days (today included), from the daily counts. */
export async function statsSummary(reads: CrmReads): Promise<StatsSummary> {
  const time = reads.view.time;
  const today = time.today();
  const windows = { today: 1, last_3_days: 3, last_7_days: 7, last_30_days: 30, last_90_days: 90 } as const;
  const keys = Object.keys(windows) as (keyof typeof windows)[];
  const [statuses, rows] = await Promise.all([
    loadStatuses(reads.em),
    query(
      reads.em,
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
