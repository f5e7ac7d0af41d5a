/**
 * The period report's scenario of the CRM benchmark: `GET /crm/customers/report/period` without `page` and
 * `page_size`, as the legacy client sends it, on a window of whole business days that holds a given number of
 * customers (10,000 by default, `BENCH_CRM_REPORT_CUSTOMERS`).
 */
import { BusinessTime } from '@cims/server/bench';
import pg from 'pg';

/** The business time zone the benchmark's server and baseline run in (`BUSINESS_TIMEZONE`). */
export const BENCH_ZONE = 'Asia/Tashkent';

/** A window of the report: its days, and how many live customers were created on them. */
export interface ReportWindow {
  from: string;
  to: string;
  customers: number;
  path: string;
}

/**
 * The shortest window of whole days ending today that holds at least `wanted` live customers (the whole history when
 * the database holds fewer), from the trigger-kept daily counts; and the request for it. The seed spreads the
 * customers over two years, more of them recently, so at 100k customers 10,000 are about the last 41 days.
 */
export async function reportWindow(databaseUrl: string, wanted: number): Promise<ReportWindow> {
  const time = new BusinessTime(BENCH_ZONE);
  const to = time.today();
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ day: string; n: string }>(
      `select cast(day as text) as day, sum(n) as n from customer_daily_count
        where not archived and day <= cast($1 as date) group by day order by day desc`,
      [to],
    );
    let customers = 0;
    let from = to;
    for (const row of rows) {
      customers += Number(row.n);
      from = row.day;
      if (customers >= wanted) break;
    }
    return { from, to, customers, path: `/crm/customers/report/period?from_date=${from}&to_date=${to}` };
  } finally {
    await db.end();
  }
}

/** The live customers created on the window's days, counted on the customers themselves (not the kept counts). */
export async function countInWindow(db: pg.Client, window: ReportWindow): Promise<number> {
  const time = new BusinessTime(BENCH_ZONE);
  const { rows } = await db.query<{ n: string }>(
    'select count(*) as n from customer where archived_at is null and created_at >= $1 and created_at < $2',
    time.instants(window.from, window.to),
  );
  return Number(rows[0]?.n);
}
