import type {
  ChartsQuerySchema,
  ChartsSchema,
  CustomerType,
  SalesDetailedQuerySchema,
  SalesDetailedSchema,
  SalesStatsSchema,
} from '@cims/contracts';
import type { z } from 'zod';
import { asInt, query } from '../../db/sql.js';
import { Conditions, type CrmReads, typeCondition } from './customer-lists.js';
import { countMap, keyLabel, loadStatuses, percent, totalOf } from './status-counts.js';

type SalesDetailedQuery = z.output<typeof SalesDetailedQuerySchema>;
type ChartsQuery = z.output<typeof ChartsQuerySchema>;
type SalesStats = z.output<typeof SalesStatsSchema>;
type SalesDetailed = z.output<typeof SalesDetailedSchema>;
type Charts = z.output<typeof ChartsSchema>;

type SalesPeriod = 'today' | 'yesterday' | 'this_week' | 'last_week';

/** Today, yesterday, this week and last week (Monday to Sunday), optionally for one customer type. */
export async function salesStats(reads: CrmReads, type: CustomerType | undefined): Promise<SalesStats> {
  const time = reads.view.time;
  const today = time.today();
  const yesterday = time.addDays(today, -1);
  const monday = time.mondayOf(today);
  const lastMonday = time.addDays(monday, -7);
  const periods: Record<SalesPeriod, [string, string]> = {
    today: [today, today],
    yesterday: [yesterday, yesterday],
    this_week: [monday, today],
    last_week: [lastMonday, time.addDays(monday, -1)],
  };
  const keys = Object.keys(periods) as SalesPeriod[];
  let row: Record<SalesPeriod, number | string> | undefined;
  if (type === undefined) {
    [row] = await query<Record<SalesPeriod, number | string>>(
      reads.em,
      `select ${keys.map((key) => `coalesce(sum(n) filter (where day >= cast(? as date) and day <= cast(? as date)), 0) as ${key}`).join(', ')}
         from customer_daily_count where not archived and day >= cast(? as date) and day <= cast(? as date)`,
      [...keys.flatMap((key) => periods[key]), lastMonday, today],
    );
  } else {
    const ranges = keys.map((key) => time.instants(...periods[key]));
    [row] = await query<Record<SalesPeriod, number | string>>(
      reads.em,
      `select ${keys.map((key) => `count(*) filter (where c.created_at >= ? and c.created_at < ?) as ${key}`).join(', ')}
         from customer c
        where c.archived_at is null and ${typeCondition(type)} and c.created_at >= ? and c.created_at < ?`,
      [...ranges.flat(), ...time.instants(lastMonday, today)],
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
async function perDayAndStatus(
  reads: CrmReads,
  days: { from: string; to: string; type: CustomerType | undefined },
): Promise<{ day: string; status: string; n: number }[]> {
  const { from, to, type } = days;
  const time = reads.view.time;
  const rows =
    type === undefined
      ? await query<{ day: string; status: string; n: number | string }>(
          reads.em,
          `select cast(day as text) as day, status, sum(n) as n from customer_daily_count
            where not archived and day >= cast(? as date) and day <= cast(? as date)
            group by day, status`,
          [from, to],
        )
      : await query<{ day: string; status: string; n: number | string }>(
          reads.em,
          `select cast(cast(c.created_at at time zone ? as date) as text) as day, c.status, count(*) as n
             from customer c
            where c.archived_at is null and ${typeCondition(type)} and c.created_at >= ? and c.created_at < ?
            group by 1, 2`,
          [time.zone, ...time.instants(from, to)],
        );
  return rows.map((row) => ({ day: row.day, status: row.status, n: asInt(row.n) }));
}

/** Every day of `from`..`to` with its count, zeros included. */
function trend(
  reads: CrmReads,
  days: { from: string; to: string },
  rows: { day: string; n: number }[],
): { date: string; count: number }[] {
  const perDay = new Map<string, number>();
  for (const row of rows) perDay.set(row.day, (perDay.get(row.day) ?? 0) + row.n);
  return reads.view.time.days(days.from, days.to).map((date) => ({ date, count: perDay.get(date) ?? 0 }));
}

/** `GET /sales/stats/detailed`: the summary and the new customers per day over the last `days` days. */
export async function salesDetailed(reads: CrmReads, q: SalesDetailedQuery): Promise<SalesDetailed> {
  const time = reads.view.time;
  const today = time.today();
  const from = time.addDays(today, 1 - q.days);
  const [summary, rows] = await Promise.all([
    salesStats(reads, q.customer_type),
    perDayAndStatus(reads, { from, to: today, type: q.customer_type }),
  ]);
  return {
    summary,
    daily_breakdown: trend(reads, { from, to: today }, rows),
    date_range: `${from} to ${today}`,
  };
}

/** `GET /sales/charts`: the figures of the dashboard's charts over the last `days` days. */
export async function salesCharts(reads: CrmReads, q: ChartsQuery): Promise<Charts> {
  const time = reads.view.time;
  const today = time.today();
  const from = time.addDays(today, 1 - q.days);
  const where = new Conditions()
    .add('c.archived_at is null')
    .add('c.created_at >= ? and c.created_at < ?', ...time.instants(from, today));
  if (q.customer_type) where.add(typeCondition(q.customer_type));
  const [statuses, summary, rows, sources] = await Promise.all([
    loadStatuses(reads.em),
    salesStats(reads, q.customer_type),
    perDayAndStatus(reads, { from, to: today, type: q.customer_type }),
    query<{ platform: string; international: boolean | null; n: number | string }>(
      reads.em,
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
    perPlatform.set(row.platform, (perPlatform.get(row.platform) ?? 0) + n);
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
    trend: trend(reads, { from, to: today }, rows),
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
    customer_type_distribution: [item('local', 'Local', local), item('international', 'International', international)],
  };
}
