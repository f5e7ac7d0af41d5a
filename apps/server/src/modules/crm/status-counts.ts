import { LEGACY_STATUSES, type StatusCategory } from '@cims/contracts';
import type { EntityManager } from '@mikro-orm/postgresql';
import { asInt, query } from '../../db/sql.js';

/** A status as the statistics need it. */
export interface StatusInfo {
  name: string;
  label: string;
  color: string | null;
  category: StatusCategory;
  active: boolean;
}

/** Every status (a few dozen rows at most), in picker order. */
export async function loadStatuses(em: EntityManager): Promise<StatusInfo[]> {
  const rows = await query(
    em,
    'select name, display_name, color, category, is_active from customer_status order by sort_order, name',
  );
  return rows.map((row) => ({
    name: String(row.name),
    label: String(row.display_name),
    color: (row.color as string | null) ?? null,
    category: row.category as StatusCategory,
    active: row.is_active === true,
  }));
}

/** The status a filter names, matched case-insensitively; undefined when there is none. */
export function resolveStatus(statuses: StatusInfo[], input: string): string | undefined {
  const key = input.trim().toLowerCase();
  return statuses.find((status) => status.name.toLowerCase() === key)?.name;
}

/** Status name → count, from rows with `status` and a count column. */
export function countMap(rows: Record<string, unknown>[], column = 'n'): Map<string, number> {
  const counts = new Map<string, number>();
  for (const row of rows) {
    const n = asInt(row[column] ?? 0);
    const status = String(row.status);
    counts.set(status, (counts.get(status) ?? 0) + n);
  }
  return counts;
}

/** The sum of a count map. */
export function totalOf(counts: Map<string, number>): number {
  let total = 0;
  for (const n of counts.values()) total += n;
  return total;
}

/**
 * Customers per status as the API returns them: every active status in order (zeros included), then every other
 * status that has customers.
 */
export function countsRecord(statuses: StatusInfo[], counts: Map<string, number>): Record<string, number> {
  const record: Record<string, number> = {};
  for (const status of statuses) {
    const n = counts.get(status.name) ?? 0;
    if (status.active || n > 0) record[status.name] = n;
  }
  for (const [name, n] of counts) if (!(name in record) && n > 0) record[name] = n;
  return record;
}

/** The six legacy statuses as top-level keys, zeros included (the legacy statistics' shape). */
export function legacyCounts(dict: Record<string, number>): Record<(typeof LEGACY_STATUSES)[number], number> {
  return Object.fromEntries(LEGACY_STATUSES.map((name) => [name, dict[name] ?? 0])) as Record<
    (typeof LEGACY_STATUSES)[number],
    number
  >;
}

/** `n` of `total` in percent, rounded to `decimals`; 0 when `total` is 0. */
export function percent(n: number, total: number, decimals: 1 | 2): number {
  if (total <= 0) return 0;
  const scale = 10 ** decimals;
  return Math.round((n * 100 * scale) / total) / scale;
}

/** The share of every entry of a counts record, in percent with one decimal. */
export function percentages(record: Record<string, number>, total: number): Record<string, number> {
  return Object.fromEntries(Object.entries(record).map(([name, n]) => [name, percent(n, total, 1)]));
}

/** A key as a label: underscores as spaces, each word capitalised (`telegram_bot` → `Telegram Bot`). */
export function keyLabel(key: string): string {
  return key
    .split('_')
    .filter(Boolean)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}

/**
 * What the CRM search looks in, on the alias `c`: the stored column the trigram index is built on (its text is
 * `CUSTOMER_SEARCH_EXPRESSION` of crm.entities.ts).
 */
export const CUSTOMER_SEARCH = 'c.search_text';

/** `<expression> like '%term%'`, case-insensitively, with `%`, `_` and `\` in the term taken literally. */
export function searchCondition(expression: string, term: string): { sql: string; params: unknown[] } {
  return { sql: `${expression} like '%' || lower(?) || '%'`, params: [term.replace(/[\\%_]/g, '\\$&')] };
}
