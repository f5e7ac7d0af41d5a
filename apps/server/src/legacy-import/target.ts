import { INSTANT_RANGE } from '@cims/contracts';
import type { EntityManager } from '@mikro-orm/postgresql';
import { asInt, query } from '../db/sql.js';

/** A column of a bulk insert and its PostgreSQL type. */
export interface Column {
  name: string;
  type: 'int' | 'text' | 'bool' | 'timestamptz' | 'date' | 'jsonb';
}

/**
 * Inserts rows set-based: one statement per batch, each column sent as one array parameter and turned back into rows by
 * `unnest` (a few bind parameters whatever the batch size). `rows` are in column order.
 */
export async function insertRows(
  em: EntityManager,
  table: string,
  columns: readonly Column[],
  rows: readonly (readonly unknown[])[],
  suffix = '',
): Promise<void> {
  if (rows.length === 0) return;
  const names = columns.map((c) => `"${c.name}"`).join(', ');
  const arrays = columns.map((c) => `cast(? as ${c.type}[])`).join(', ');
  const values = columns.map((_, i) => rows.map((row) => row[i] ?? null));
  await query(em, `insert into "${table}" (${names}) select * from unnest(${arrays}) ${suffix}`, values);
}

/** The tables of a CIMS database that must be empty before an import, and what to call their rows. */
const MUST_BE_EMPTY: readonly { table: string; what: string; where?: string; sample?: string }[] = [
  { table: 'app_user', what: 'users', sample: 'email' },
  { table: 'customer', what: 'customers' },
  { table: 'customer_note', what: 'customer notes' },
  { table: 'customer_status_change', what: 'status changes' },
  { table: 'sales_manager_assignment', what: 'sales-manager assignments' },
  { table: 'auth_session', what: 'sessions' },
  { table: 'audit_log', what: 'audit entries' },
  { table: 'instagram_account', what: 'Instagram accounts' },
  { table: 'customer_status', what: 'custom statuses', where: 'not is_system', sample: 'name' },
  { table: 'user_role', what: 'custom roles', where: 'not is_system', sample: 'name' },
];

/** What the target database already holds that an import would collide with; empty when it may be imported into. */
export async function occupiedBy(em: EntityManager): Promise<string[]> {
  const found: string[] = [];
  for (const t of MUST_BE_EMPTY) {
    const where = t.where ? `where ${t.where}` : '';
    const [row] = await query(em, `select count(*) as n from "${t.table}" ${where}`);
    const n = asInt(row?.n);
    if (n === 0) continue;
    let text = `${n} ${t.what}`;
    if (t.sample) {
      const samples = await query(em, `select "${t.sample}" as v from "${t.table}" ${where} order by id limit 3`);
      text += ` (${samples.map((s) => String(s.v)).join(', ')}${n > 3 ? ', …' : ''})`;
    }
    found.push(text);
  }
  return found;
}

/** Tables whose ids the import sets: their sequences move past the highest id, so new rows never collide. */
const SEQUENCED = [
  'app_user',
  'app_page',
  'user_role',
  'user_page_permission',
  'customer_status',
  'customer',
  'customer_note',
  'customer_status_change',
  'sales_manager_assignment',
  'auth_session',
  'refresh_token',
  'audit_log',
  'instagram_account',
];

/** Moves the sequences of `tables` (default: every table the import wrote ids for) past their highest ids. */
export async function moveSequences(em: EntityManager, tables: readonly string[] = SEQUENCED): Promise<void> {
  for (const table of tables) {
    await query(
      em,
      `select setval(pg_get_serial_sequence('"${table}"', 'id'), coalesce((select max(id) from "${table}"), 0) + 1, false)`,
    );
  }
}

/** An instant as the target stores it: an ISO string, or null for null/NaN/±Infinity (see the callers). */
export function instant(millis: unknown): string | null {
  if (millis === null || millis === undefined) return null;
  const n = Number(millis);
  if (!Number.isFinite(n)) return null;
  const date = new Date(n);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** Whether an epoch-milliseconds value is an instant the API accepts ({@link INSTANT_RANGE}). */
export function inRange(millis: unknown): boolean {
  if (millis === null || millis === undefined) return false;
  const n = Number(millis);
  return Number.isFinite(n) && n >= INSTANT_RANGE.from && n < INSTANT_RANGE.until;
}
