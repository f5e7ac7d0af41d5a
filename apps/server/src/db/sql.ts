import type { EntityManager } from '@mikro-orm/postgresql';

/** A raw row: PGlite returns Dates and numbers where node-postgres returns strings (stack.md §5). */
export type Row = Record<string, unknown>;

/** The part of knex's client (its connection pool and its dialect's query call) that {@link query} uses directly. */
interface KnexClient {
  pool?: unknown;
  acquireConnection(): Promise<unknown>;
  releaseConnection(connection: unknown): Promise<void>;
  _query(connection: unknown, obj: { sql: string; bindings: unknown[]; method: 'raw' }): Promise<{ response: unknown }>;
}

/**
 * Runs SQL with `?` placeholders in the entity manager's transaction, if any; returns the rows.
 *
 * In a transaction it goes through `em.execute`, on the transaction's connection. Outside one (most reads, and every
 * request's session check) it does what `em.execute` would do without its layers: the same values inlined by the
 * platform's `formatQuery`, the same text sent on a connection of the ORM's own pool by the driver's dialect, errors
 * converted the same way (`UniqueConstraintViolationException`, …). What it leaves out is MikroORM's query logging,
 * which this server keeps off (db/orm.ts), and knex's runner and query builder.
 */
export async function query<TRow extends Row = Row>(
  em: EntityManager,
  sql: string,
  params: unknown[] = [],
): Promise<TRow[]> {
  if (em.getTransactionContext()) return (await em.execute(sql, params, 'all')) as TRow[];
  const client = em.getConnection().getKnex().client as KnexClient;
  // A closed ORM reconnects on its next query: leave that to `em.execute`.
  if (!client.pool) return (await em.execute(sql, params, 'all')) as TRow[];
  const text = em.getPlatform().formatQuery(sql, params);
  const connection = await client.acquireConnection();
  try {
    return rowsOf((await client._query(connection, { sql: text, bindings: [], method: 'raw' })).response) as TRow[];
  } catch (error) {
    // As knex reports a failed query (the statement, then the database's message), converted as MikroORM converts it.
    if (error instanceof Error) error.message = `${text} - ${error.message}`;
    throw em.getDriver().convertException(error as Error);
  } finally {
    await client.releaseConnection(connection);
  }
}

/** The rows of a raw result, as the drivers' `transformRawResult(…, 'all')` give them (one list per statement). */
function rowsOf(response: unknown): unknown {
  return Array.isArray(response) ? response.map(rowsOf) : (response as { rows: unknown }).rows;
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
