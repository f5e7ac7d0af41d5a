import { INSTANT_RANGE } from '@cims/contracts';
import type { EntityManager } from '@mikro-orm/postgresql';
import { asInt, query } from '../db/sql.js';

/** A column of a bulk insert and its PostgreSQL type. */
export interface Column {
  name: string;
  type: 'int' | 'text' | 'bool' | 'timestamptz' | 'date' | 'jsonb';
}

/** A batch of rows for one table, each row's values in the order of `columns`. */
export interface RowBatch {
  table: string;
  columns: readonly Column[];
  rows: readonly (readonly unknown[])[];
}

/**
 * Inserts rows set-based: one statement per batch, each column sent as one array parameter and turned back into rows by
 * `unnest` (a few bind parameters whatever the batch size).
 */
export async function insertRows(em: EntityManager, { table, columns, rows }: RowBatch): Promise<void> {
  if (rows.length === 0) return;
  const names = columns.map((c) => `"${c.name}"`).join(', ');
  const arrays = columns.map((c) => `cast(? as ${c.type}[])`).join(', ');
  const values = columns.map((_, i) => rows.map((row) => row[i] ?? null));
  await query(em, `insert into "${table}" (${names}) select * from unnest(${arrays})`, values);
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

/**
 * Locks the tables that must be empty against writes by anyone else until the import's transaction ends (a server
 * started meanwhile waits, and then finds the imported data).
 */
export async function lockTarget(em: EntityManager): Promise<void> {
  await query(em, `lock table ${MUST_BE_EMPTY.map((t) => `"${t.table}"`).join(', ')} in share mode`);
}

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

/**
 * Tables whose ids the import sets, and the legacy table whose ids they keep (sessions take the refresh tokens' ids).
 * Their sequences move past the highest id of either side: a new row never gets the id of a legacy row, not even of
 * one that was skipped (its old URLs and audit entries must not name someone else).
 */
export const SEQUENCED: Readonly<Record<string, string | null>> = {
  app_user: '"user"',
  app_page: null,
  user_role: null,
  user_page_permission: null,
  customer_status: null,
  customer: 'customer',
  customer_note: 'customer_note',
  customer_status_change: 'customer_status_change_log',
  sales_manager_assignment: 'sales_manager_assignment',
  auth_session: 'refresh_token',
  refresh_token: null,
  audit_log: 'audit_log',
  instagram_account: 'instagram_account',
};

/** Moves the sequences of `tables` past their highest ids here and `legacyMax` (the legacy tables' highest ids). */
export async function moveSequences(
  em: EntityManager,
  legacyMax: Readonly<Record<string, number>>,
  tables: readonly string[] = Object.keys(SEQUENCED),
): Promise<void> {
  for (const table of tables) {
    await query(
      em,
      `select setval(pg_get_serial_sequence('"${table}"', 'id'),
                     greatest(coalesce((select max(id) from "${table}"), 0), cast(? as bigint)) + 1, false)`,
      [legacyMax[table] ?? 0],
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
