/**
 * The BASELINE of the CRM benchmark: `GET /crm/dashboard`, `GET /crm/stats`, `GET /crm/customers/filter/status` and
 * the unpaged `GET /crm/customers/report/period` on plain `node:http` + `pg`, with no framework at all. For each
 * request it does the work the server does:
 *
 * - authentication as the server's `authenticate` middleware does it for a CRM route (`CRM_ACCESS`: the CEO, or the
 *   `crm` page): the access token checked by the server's own `AccessTokens`, the session check of
 *   `RequestAuthService.authenticate`, and for anyone but the CEO the page check of `RequestAuthService.holdsPage`
 *   (SQL copied from apps/server/src/modules/auth/request-auth.service.ts);
 * - the statements of `CrmStatsService` (apps/server/src/modules/crm/crm-stats.service.ts and its topic files), in the
 *   same order and with the same concurrency (the same `Promise.all` groups). The statements the server keeps private are copied
 *   into lib/crm-sql.ts, which the benchmark checks against the server's source before each run; the pieces the
 *   server exports are imported: `CUSTOMER_COLUMNS` and `CUSTOMER_FROM` (customer-view.ts), the searched column
 *   `CUSTOMER_SEARCH` and `searchCondition` (status-counts.ts), and the period report's batches, `customerBatchSql`
 *   and `CUSTOMER_BATCH` (customer-batches.ts);
 * - the same rendering, by the server's own pure functions: `toCustomer` with the server's `BusinessTime` (timestamps
 *   in the business zone), `countMap`, `countsRecord`, `percentages`, `totalOf` and `resolveStatus`.
 *
 * `crm.bench.ts` checks, before measuring, that the copied SQL is still the server's and that both answer every
 * scenario with the same body. What the baseline
 * leaves out is what the ratio measures: Express, helmet, pino-http, the route table, ts-rest's request and response
 * validation (zod), MikroORM's entity-manager forks and knex. It validates its query strings only as far as the
 * benchmark's requests need.
 *
 * Run as a child process of `crm.bench.ts` (IPC): it reports `{ type: 'ready', url }` and exits on `{ type: 'stop' }`.
 */

import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AccessTokens,
  BusinessTime,
  CUSTOMER_BATCH,
  CUSTOMER_SEARCH,
  type CustomerRow,
  type CustomerViewContext,
  countMap,
  countsRecord,
  customerBatchSql,
  percentages,
  resolveStatus,
  type StatusInfo,
  searchCondition,
  toCustomer,
  totalOf,
} from '@cims/server/bench';
import pg from 'pg';
import { LEGACY_STATUSES, type StatusCategory, unpagedReportPaging } from '../../contracts/src/index.js';
import { serveProcessStats } from './lib/child-stats.js';
import {
  PERIOD_KEYS,
  SQL_HOLDS_PAGE,
  SQL_LIVE_TOTALS,
  SQL_NOT_LOST,
  SQL_PERIOD_STATS,
  SQL_PERMISSIONS,
  SQL_REPORT_CREATED,
  SQL_REPORT_LIVE,
  SQL_SESSION_CHECK,
  SQL_STATUSES,
  sqlCustomers,
  sqlSearchPage,
} from './lib/crm-sql.js';

const env = process.env;
const databaseUrl = env.DATABASE_URL;
const jwtSecret = env.JWT_SECRET;
if (!databaseUrl || !jwtSecret) throw new Error('The baseline needs DATABASE_URL and JWT_SECRET');
const accessTokenSeconds = Number(env.ACCESS_TOKEN_EXPIRE_MINUTES ?? 3000) * 60;
const time = new BusinessTime(env.BUSINESS_TIMEZONE || 'Asia/Tashkent');
const audioTtlSeconds = Number(env.AUDIO_URL_TTL_SECONDS ?? 3600);

// ------------------------------------------------------------------------------------------------ the database

type Rows = Record<string, unknown>[];
/** A row of the period report's batches (`customerBatchSql`). */
type BatchRow = CustomerRow & { keyset_created_at: string };

/** knex turns `?` into `$1, $2, …`; so does this (once per statement text). */
const texts = new Map<string, string>();
function numbered(sql: string): string {
  let text = texts.get(sql);
  if (text === undefined) {
    let n = 0;
    text = sql.replace(/\?/g, () => `$${++n}`);
    texts.set(sql, text);
  }
  return text;
}

// The server's pool on PostgreSQL: `pool: { min: 0, max: 10 }` (apps/server/src/db/orm.ts), with knex's pool (tarn)
// closing idle connections after 30 s.
const pool = new pg.Pool({ connectionString: databaseUrl, min: 0, max: 10, idleTimeoutMillis: 30_000 });
const query = async <TRow extends Rows[number] = Rows[number]>(sql: string, params: unknown[] = []): Promise<TRow[]> =>
  (await pool.query(numbered(sql), params)).rows;

// secrets.ts: keys are HMAC-SHA-256(JWT_SECRET, purpose).
const derive = (purpose: string) => new Uint8Array(createHmac('sha256', jwtSecret).update(purpose).digest());
const accessTokens = new AccessTokens(derive('cims-access-token'), accessTokenSeconds);
const audioKey = derive('cims-audio-url');

/** audio.ts, `AudioService.url`: the signed, relative URL of a recording (the seed has none; for completeness). */
function audioUrl(fileId: string): string {
  const expires = Math.floor(Date.now() / 1000) + audioTtlSeconds;
  const sig = createHmac('sha256', audioKey).update(`${fileId}.${expires}`).digest('base64url');
  return `/crm/customers/audio/${encodeURIComponent(fileId)}?expires=${expires}&sig=${sig}`;
}
const view: CustomerViewContext = { time, audioUrl };

// ------------------------------------------------------------------------------------------------ the server's work

/** status-counts.ts, `loadStatuses` */
async function loadStatuses(): Promise<StatusInfo[]> {
  const rows = await query(SQL_STATUSES);
  return rows.map((row) => ({
    name: String(row.name),
    label: String(row.display_name),
    color: (row.color as string | null) ?? null,
    category: row.category as StatusCategory,
    active: row.is_active === true,
  }));
}

const liveTotals = async () => countMap(await query(SQL_LIVE_TOTALS));

async function periodStats(): Promise<Record<(typeof PERIOD_KEYS)[number], number>> {
  const today = time.today();
  const since = {
    today,
    this_week: time.mondayOf(today),
    this_month: time.firstOfMonth(today),
    last_3_months: time.addDays(today, -89),
    last_6_months: time.addDays(today, -179),
    last_year: time.addDays(today, -364),
  };
  const earliest = Object.values(since).sort()[0] as string;
  const [row] = await query(SQL_PERIOD_STATS, [...PERIOD_KEYS.map((key) => since[key]), earliest, today]);
  return Object.fromEntries(PERIOD_KEYS.map((key) => [key, Number(row?.[key] ?? 0)])) as Record<
    (typeof PERIOD_KEYS)[number],
    number
  >;
}

async function customers(where: { parts: string[]; params: unknown[] }, limit: number, offset: number) {
  const rows = await query<CustomerRow>(sqlCustomers(where.parts.join(' and ')), [...where.params, limit, offset]);
  return rows.map((row) => toCustomer(row, view));
}

interface Caller {
  userId: number;
  sessionId: number;
  role: string;
}

async function permissions(caller: Caller): Promise<string[]> {
  const rows = await query(SQL_PERMISSIONS, [caller.role === 'CEO', caller.userId]);
  return rows.map((row) => String(row.display_name));
}

function statusStats(statuses: StatusInfo[], totals: Map<string, number>) {
  const total = totalOf(totals);
  const dict = countsRecord(statuses, totals);
  return { total_customers: total, status_dict: dict, status_percentages: percentages(dict, total) };
}

const legacyCounts = (dict: Record<string, number>) =>
  Object.fromEntries(LEGACY_STATUSES.map((name) => [name, dict[name] ?? 0]));

// ------------------------------------------------------------------------------------------------ HTTP

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(String(body.detail));
  }
}
const unauthenticated = (detail: string) =>
  new HttpError(401, { detail, code: 'UNAUTHENTICATED' }, { 'WWW-Authenticate': 'Bearer' });
const invalid = (field: string) =>
  new HttpError(422, { detail: `Invalid query parameter ${field}`, code: 'VALIDATION_FAILED' });

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** `authenticate` for a route with `CRM_ACCESS` (roles: CEO; pages: crm). */
async function authenticate(req: IncomingMessage): Promise<Caller> {
  const match = req.headers.authorization?.match(/^Bearer\s+(\S+)\s*$/i);
  if (!match?.[1]) throw unauthenticated('Not authenticated');
  const claims = await accessTokens.verify(match[1]);
  if (!claims) throw unauthenticated('The access token is invalid or expired');
  const [row] = await query(SQL_SESSION_CHECK, [claims.sessionId, claims.userId]);
  if (!row) throw unauthenticated('The session has ended');
  const caller = { userId: claims.userId, sessionId: claims.sessionId, role: String(row.role) };
  if (caller.role !== 'CEO' && (await query(SQL_HOLDS_PAGE, [caller.userId, JSON.stringify(['crm'])])).length === 0) {
    throw new HttpError(403, { detail: 'This needs the role CEO or the page crm', code: 'FORBIDDEN' });
  }
  return caller;
}

/** A positive integer query parameter within [min, max], or its default. */
function intParam(params: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = params.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw invalid(name);
  return value;
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);
function boolParam(params: URLSearchParams, name: string): boolean {
  const raw = params.get(name)?.trim().toLowerCase();
  if (raw === undefined) return false;
  if (TRUE_WORDS.has(raw)) return true;
  if (FALSE_WORDS.has(raw)) return false;
  throw invalid(name);
}

/** `CrmStatsService.dashboard` */
async function dashboard(params: URLSearchParams, caller: Caller) {
  const page = intParam(params, 'page', 1, 1, Number.MAX_SAFE_INTEGER);
  const pageSize = intParam(params, 'page_size', 50, 1, 50);
  const showAll = boolParam(params, 'show_all');
  const search = params.get('search')?.trim() || undefined;
  const statusFilter = params.get('status_filter')?.trim();
  if (statusFilter === '') throw invalid('status_filter');

  const [statuses, totals] = await Promise.all([loadStatuses(), liveTotals()]);
  const where = { parts: ['c.archived_at is null'], params: [] as unknown[] };
  let selected: string | null = null;
  let shown: (name: string) => boolean = () => true;
  if (statusFilter !== undefined) {
    const name = resolveStatus(statuses, statusFilter);
    selected = name ?? statusFilter.toLowerCase();
    if (name) {
      where.parts.push('c.status = ?');
      where.params.push(name);
    } else where.parts.push('false');
    shown = (status) => status === name;
  } else if (!showAll) {
    const lost = statuses.filter((status) => status.category === 'lost').map((status) => status.name);
    if (lost.length > 0) {
      where.parts.push(SQL_NOT_LOST);
      where.params.push(JSON.stringify(lost));
    }
    shown = (status) => !lost.includes(status);
  }
  const offset = (page - 1) * pageSize;
  let pageOf: Promise<{ total: number; list: unknown[] }>;
  if (search) {
    const condition = searchCondition(CUSTOMER_SEARCH, search);
    where.parts.push(condition.sql);
    where.params.push(...condition.params);
    pageOf = query<CustomerRow & { total_count: unknown }>(sqlSearchPage(where.parts.join(' and ')), [
      ...where.params,
      pageSize,
      offset,
    ]).then((rows) => ({
      total: Number(rows[0]?.total_count ?? 0),
      list: rows.filter((row) => row.id !== null).map((row) => toCustomer(row, view)),
    }));
  } else {
    let total = 0;
    for (const [status, n] of totals) if (shown(status)) total += n;
    pageOf = (offset < total ? customers(where, pageSize, offset) : Promise.resolve([])).then((list) => ({
      total,
      list,
    }));
  }
  const [{ total: totalItems, list }, pages, period] = await Promise.all([pageOf, permissions(caller), periodStats()]);
  const stats = statusStats(statuses, totals);
  return {
    customers: list,
    page,
    page_size: pageSize,
    total_items: totalItems,
    total_pages: Math.ceil(totalItems / pageSize),
    status_stats: { total_customers: stats.total_customers, ...legacyCounts(stats.status_dict), ...stats.status_dict },
    status_dict: stats.status_dict,
    status_percentages: stats.status_percentages,
    status_choices: statuses
      .filter((status) => status.active)
      .map((status) => ({ value: status.name, label: status.label, color: status.color, category: status.category })),
    permissions: pages,
    selected_status: selected,
    period_stats: period,
  };
}

/** `CrmStatsService.stats` */
async function stats() {
  const [statuses, totals] = await Promise.all([loadStatuses(), liveTotals()]);
  const result = statusStats(statuses, totals);
  return { ...result, ...legacyCounts(result.status_dict) };
}

/** `CrmStatsService.filter({ status })` */
async function filterByStatus(params: URLSearchParams) {
  const limit = intParam(params, 'limit', 500, 1, 1000);
  const offset = intParam(params, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
  const statusFilter = params.get('status_filter')?.trim();
  if (!statusFilter) throw invalid('status_filter');
  const name = resolveStatus(await loadStatuses(), statusFilter);
  if (!name) return [];
  return customers({ parts: ['c.archived_at is null', 'c.status = ?'], params: [name] }, limit, offset);
}

/** A body written as it is produced (a route's answer that is too long to build in memory). */
class Streamed {
  constructor(readonly chunks: AsyncIterable<string>) {}
}

const REPORT_DAYS: Record<string, number> = { '1d': 1, '3d': 3, '7d': 7, '15d': 15, '30d': 30, '90d': 90 };
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * `PeriodReportService.all` without paging (the only report the benchmark asks for; `page`, `page_size` and
 * `status_filter` are refused): the window's conditions, the customers in keyset batches with the server's own
 * statements (`customerBatchSql`), written as they come, and the counts taken from them at the end.
 */
async function report(params: URLSearchParams): Promise<Streamed> {
  for (const name of ['page', 'page_size', 'status_filter']) if (params.has(name)) throw invalid(name);
  const period = params.get('period') ?? '7d';
  const days = REPORT_DAYS[period];
  if (days === undefined) throw invalid('period');
  const fromDate = params.get('from_date')?.trim();
  const toDate = params.get('to_date')?.trim();
  if ((fromDate === undefined) !== (toDate === undefined)) throw invalid('from_date');
  if (fromDate !== undefined && !DAY.test(fromDate)) throw invalid('from_date');
  if (toDate !== undefined && (!DAY.test(toDate) || (fromDate as string) > toDate)) throw invalid('to_date');
  const search = params.get('search')?.trim() || undefined;
  const today = time.today();
  const custom = fromDate !== undefined && toDate !== undefined;
  const from = custom ? fromDate : time.addDays(today, 1 - days);
  const to = custom ? toDate : today;
  const statuses = await loadStatuses();
  const where = { parts: [SQL_REPORT_LIVE, SQL_REPORT_CREATED], params: [...time.instants(from, to)] as unknown[] };
  if (search) {
    const condition = searchCondition(CUSTOMER_SEARCH, search);
    where.parts.push(condition.sql);
    where.params.push(...condition.params);
  }
  const sql = where.parts.join(' and ');
  const [first, next] = [customerBatchSql(sql, false), customerBatchSql(sql, true)];
  const head = { period: custom ? 'custom' : period, from_date: from, to_date: to };
  // The first batch before the answer starts, as the server reads it (an error can still be a status).
  let rows = await query<BatchRow>(first, [...where.params, CUSTOMER_BATCH]);
  async function* chunks(): AsyncGenerator<string> {
    yield `${JSON.stringify(head).slice(0, -1)},"customers":[`;
    const counts = new Map<string, number>();
    let written = 0;
    for (;;) {
      if (rows.length > 0) {
        const list = rows.map((row) => toCustomer(row, view));
        for (const customer of list) counts.set(customer.status, (counts.get(customer.status) ?? 0) + 1);
        const text = list.map((customer) => JSON.stringify(customer)).join(',');
        yield written === 0 ? text : `,${text}`;
        written += list.length;
      }
      if (rows.length < CUSTOMER_BATCH) break;
      const last = rows[rows.length - 1] as BatchRow;
      rows = await query<BatchRow>(next, [...where.params, last.keyset_created_at, Number(last.id), CUSTOMER_BATCH]);
    }
    const total = totalOf(counts);
    const dict = countsRecord(statuses, counts);
    const tail = {
      total_customers: total,
      ...unpagedReportPaging(total),
      status_stats: { ...legacyCounts(dict), ...dict },
      status_dict: dict,
      status_percentages: percentages(dict, total),
    };
    yield `],${JSON.stringify(tail).slice(1)}`;
  }
  return new Streamed(chunks());
}

const routes: Record<string, (params: URLSearchParams, caller: Caller) => Promise<unknown>> = {
  '/crm/dashboard': dashboard,
  '/crm/stats': stats,
  '/crm/customers/filter/status': filterByStatus,
  '/crm/customers/report/period': report,
};

const http = createServer((req, res) => {
  const url = req.url ?? '/';
  const mark = url.indexOf('?');
  const handler = req.method === 'GET' ? routes[mark < 0 ? url : url.slice(0, mark)] : undefined;
  if (!handler) return send(res, 404, { detail: 'Not Found', code: 'NOT_FOUND' });
  const params = new URLSearchParams(mark < 0 ? '' : url.slice(mark + 1));
  authenticate(req)
    .then((caller) => handler(params, caller))
    .then(
      (body) => {
        if (!(body instanceof Streamed)) return send(res, 200, body);
        res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
        // Backpressure as the server's pipe: the next batch is read once the socket has taken the last one.
        pipeline(Readable.from(body.chunks, { objectMode: false, highWaterMark: 64 * 1024 }), res).catch(() =>
          res.destroy(),
        );
      },
      (error: unknown) => {
        if (error instanceof HttpError) return send(res, error.status, error.body, error.headers);
        console.error(error);
        if (!res.headersSent) send(res, 500, { detail: 'Internal Server Error', code: 'INTERNAL' });
      },
    );
});
serveProcessStats();
// Node's defaults, as for the server's http.createServer (keep-alive on).
http.listen(0, '127.0.0.1', () => {
  const { port } = http.address() as AddressInfo;
  process.send?.({ type: 'ready', url: `http://127.0.0.1:${port}` });
});

process.on('message', (message: { type?: string }) => {
  if (message?.type !== 'stop') return;
  http.close();
  http.closeAllConnections();
  pool.end().finally(() => process.exit(0));
});
