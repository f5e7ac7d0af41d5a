/**
 * The SQL the CRM baseline sends, copied from the server where the server keeps it private. `crm.bench.ts` checks
 * before measuring that every copied text still appears, verbatim (whitespace aside), in the server file it was
 * copied from ({@link COPIED_SQL}), so a change to the server's SQL stops the run until the baseline follows. The
 * pieces the server exports (`CUSTOMER_COLUMNS`, `CUSTOMER_FROM`, `CUSTOMER_SEARCH`, `searchCondition`, the period
 * report's `customerBatchSql`) are imported, not copied.
 */

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CUSTOMER_COLUMNS, CUSTOMER_FROM } from '@cims/server/bench';

/** request-auth.service.ts, `authenticate` */
export const SQL_SESSION_CHECK = `select u.role, u.email from auth_session s join app_user u on u.id = s.user_id
        where s.id = ? and s.user_id = ? and s.revoked_at is null and s.expires_at > now() and u.is_active`;
/** request-auth.service.ts, `holdsPage` (an inactive page grants nothing) */
export const SQL_HOLDS_PAGE = `select 1 from user_page_permission pp join app_page p on p.name = pp.page_name
        where pp.user_id = ? and p.is_active
          and pp.page_name in (select jsonb_array_elements_text(cast(? as jsonb))) limit 1`;
/** status-counts.ts, `loadStatuses` */
export const SQL_STATUSES =
  'select name, display_name, color, category, is_active from customer_status order by sort_order, name';
/** crm-dashboard.ts, `liveTotals` */
export const SQL_LIVE_TOTALS = 'select status, n from customer_status_total where not archived and n <> 0';
/** crm-dashboard.ts, `permissions` */
export const SQL_PERMISSIONS = `select p.display_name from app_page p
        where p.is_active
          and (? or exists (select 1 from user_page_permission pp where pp.page_name = p.name and pp.user_id = ?))
        order by p.sort_order, p.name`;
/** customer-lists.ts, `NEWEST_FIRST` */
export const NEWEST_FIRST = 'c.created_at desc, c.id desc';
/** customer-lists.ts, `customerPage`, with its `where` conditions (joined with `and`) and order filled in. */
export const sqlCustomers = (where: string, order = NEWEST_FIRST) =>
  `select ${CUSTOMER_COLUMNS} from ${CUSTOMER_FROM} where ${where}
        order by ${order} limit ? offset ?`;
/** customer-lists.ts, `searchPage`: a page of a search and its count, with its `where` conditions filled in. */
export const sqlSearchPage = (
  where: string,
) => `with matched as (select c.id, c.created_at from customer c where ${where})
       select (select count(*) from matched) as total_count, page.*
         from (select 1) as one
         left join lateral (
           select ${CUSTOMER_COLUMNS} from ${CUSTOMER_FROM}
            where c.id in (select id from matched order by created_at desc, id desc limit ? offset ?)
         ) as page on true
        order by page.created_at desc, page.id desc`;
/** crm-dashboard.ts, `dashboard`: the condition that hides the `lost` statuses (`show_all=false`). */
export const SQL_NOT_LOST = 'c.status not in (select jsonb_array_elements_text(cast(? as jsonb)))';
/** crm-dashboard.ts, `periodCounts`: the keys in their order, and the statement. */
export const PERIOD_KEYS = ['today', 'this_week', 'this_month', 'last_3_months', 'last_6_months', 'last_year'] as const;
export const SQL_PERIOD_STATS = `select ${PERIOD_KEYS.map((key) => `coalesce(sum(n) filter (where day >= cast(? as date)), 0) as ${key}`).join(', ')}
         from customer_daily_count where not archived and day >= cast(? as date) and day <= cast(? as date)`;

/** period-report.service.ts, `#window`: a report's customers are live and created on its days. */
export const SQL_REPORT_LIVE = 'c.archived_at is null';
export const SQL_REPORT_CREATED = 'c.created_at >= ? and c.created_at < ?';

const AUTH = 'apps/server/src/modules/auth';
const CRM = 'apps/server/src/modules/crm';
/** `${expression}` as it appears in the server's source (a template literal's placeholder). */
const p = (expression: string) => `\${${expression}}`;
/**
 * Each copied statement, as it appears in the server's source: the file and the fragments (template literals are
 * checked in their source form).
 */
export const COPIED_SQL: { name: string; file: string; fragments: string[] }[] = [
  { name: 'session check', file: `${AUTH}/request-auth.service.ts`, fragments: [SQL_SESSION_CHECK] },
  { name: 'page check', file: `${AUTH}/request-auth.service.ts`, fragments: [SQL_HOLDS_PAGE] },
  { name: 'statuses', file: `${CRM}/status-counts.ts`, fragments: [SQL_STATUSES] },
  { name: 'live totals', file: `${CRM}/crm-dashboard.ts`, fragments: [SQL_LIVE_TOTALS] },
  { name: 'permissions', file: `${CRM}/crm-dashboard.ts`, fragments: [SQL_PERMISSIONS] },
  {
    name: 'customer page',
    file: `${CRM}/customer-lists.ts`,
    fragments: [
      `const NEWEST_FIRST = '${NEWEST_FIRST}'`,
      `select ${p('CUSTOMER_COLUMNS')} from ${p('CUSTOMER_FROM')} where ${p('where.sql')}
        order by ${p('options.order ?? NEWEST_FIRST')} limit ? offset ?`,
    ],
  },
  {
    name: 'search page',
    file: `${CRM}/customer-lists.ts`,
    fragments: [
      `with matched as (select c.id, c.created_at from customer c where ${p('where.sql')})
       select (select count(*) from matched) as total_count, page.*
         from (select 1) as one
         left join lateral (
           select ${p('CUSTOMER_COLUMNS')} from ${p('CUSTOMER_FROM')}
            where c.id in (select id from matched order by created_at desc, id desc limit ? offset ?)
         ) as page on true
        order by page.created_at desc, page.id desc`,
    ],
  },
  { name: 'not lost', file: `${CRM}/crm-dashboard.ts`, fragments: [SQL_NOT_LOST] },
  {
    name: 'report window',
    file: `${CRM}/period-report.service.ts`,
    fragments: [
      `.add('${SQL_REPORT_LIVE}') .add('${SQL_REPORT_CREATED}', ...time.instants(from, to));`,
      'const from = custom ? (q.from_date as string) : time.addDays(today, 1 - Number.parseInt(q.period, 10));',
      `const search = searchCondition(CUSTOMER_SEARCH, q.search); where.add(search.sql, ...search.params);`,
    ],
  },
  { name: 'status condition', file: `${CRM}/crm-dashboard.ts`, fragments: [`where.add('c.status = ?', name)`] },
  {
    name: 'period stats',
    file: `${CRM}/crm-dashboard.ts`,
    fragments: [
      `const since = { today, this_week: time.mondayOf(today), this_month: time.firstOfMonth(today),
         last_3_months: time.addDays(today, -89), last_6_months: time.addDays(today, -179),
         last_year: time.addDays(today, -364), };`,
      'const keys = Object.keys(since) as (keyof typeof since)[];',
      `coalesce(sum(n) filter (where day >= cast(? as date)), 0) as ${p('key')}`,
      'from customer_daily_count where not archived and day >= cast(? as date) and day <= cast(? as date)`',
      '[...keys.map((key) => since[key]), earliest, today],',
    ],
  },
];

const squash = (text: string) => text.replace(/\s+/g, ' ').trim();

/** The copied statements that no longer appear in the server's source (none: an empty list). */
export function staleCopies(repoRoot: string): string[] {
  const stale: string[] = [];
  const sources = new Map<string, string>();
  for (const copy of COPIED_SQL) {
    let source = sources.get(copy.file);
    if (source === undefined) {
      source = squash(readFileSync(path.join(repoRoot, copy.file), 'utf8'));
      sources.set(copy.file, source);
    }
    for (const fragment of copy.fragments) {
      if (!source.includes(squash(fragment)))
        stale.push(`${copy.name}: ${squash(fragment).slice(0, 100)}… in ${copy.file}`);
    }
  }
  return stale;
}
