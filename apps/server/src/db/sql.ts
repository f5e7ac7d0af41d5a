import type { EntityManager } from '@mikro-orm/postgresql';

/** A raw row: PGlite returns Dates and numbers where node-postgres returns strings (stack.md §5). */
export type Row = Record<string, unknown>;

/** Runs SQL with `?` placeholders in the entity manager's transaction, if any; returns the rows. */
export async function query<TRow extends Row = Row>(
  em: EntityManager,
  sql: string,
  params: unknown[] = [],
): Promise<TRow[]> {
  return (await em.execute(sql, params, 'all')) as TRow[];
}

/** A timestamp column as a Date, whichever driver read it. */
export function asDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(String(value));
}

/** A nullable timestamp column. */
export function asDateOrNull(value: unknown): Date | null {
  return value === null || value === undefined ? null : asDate(value);
}

/** An integer column or aggregate (`count(*)` is a string on node-postgres, a number or bigint on PGlite). */
export function asInt(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

/** A text[] column or `array_agg`: an array on both drivers, or the `{a,b}` literal where a driver leaves it as text. */
export function asStringArray(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  const text = String(value ?? '{}');
  return text === '{}' ? [] : text.slice(1, -1).split(',');
}
