import { PGlite } from '@electric-sql/pglite';
import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import pg from 'pg';

/** A raw row: PGlite returns Dates and numbers where node-postgres returns strings (stack.md §5). */
export type Row = Record<string, unknown>;

/** The part of a knex client (the ORM's, or a transaction's) that {@link query} uses. */
interface KnexClient {
  /** Set on a transaction's client: its connection is the transaction's. */
  transacting?: boolean;
  /** The ORM's connection pool; gone once the ORM is closed. */
  pool?: unknown;
  acquireConnection(): Promise<unknown>;
  releaseConnection(connection: unknown): Promise<void>;
  query(connection: unknown, obj: { sql: string; bindings: unknown[]; method: 'raw' }): Promise<{ response: unknown }>;
}

/** The read pools of the ORMs' knex clients (PostgreSQL only), see {@link useReadPool}. */
const readPools = new WeakMap<object, pg.Pool>();

/**
 * Lets {@link query} run the statements it gets outside a transaction on `pool` instead of the ORM's knex pool. The
 * pool must connect like the ORM (its knex client's `connectionSettings`, type parsers included); the caller ends it
 * when it closes the ORM. node-postgres' pool hands out an idle connection without knex's pool (tarn) in between,
 * which measurably shortens the hot paths (`authenticate`, `/auth/me`, the CRM's statistics).
 */
export function useReadPool(orm: { em: EntityManager }, pool: pg.Pool): void {
  readPools.set(orm.em.getConnection().getKnex().client, pool);
}

/**
 * Runs SQL with `?` placeholders in the entity manager's transaction, if any; returns the rows.
 *
 * It does what `em.execute(sql, params, 'all')` does, without the layers in between: the values are inlined by the
 * platform's `formatQuery`, the text runs on a connection of the read pool ({@link useReadPool}) or the ORM's pool or,
 * in a transaction, on the transaction's connection (the transaction's client refuses a query once it has ended), and a
 * failure is converted as MikroORM converts it (`UniqueConstraintViolationException`, …). Left out are knex's query
 * builder and runner, and MikroORM's query logging and `onQuery` hook, which this server does not use (db/orm.ts).
 */
export async function query<TRow extends Row = Row>(
  em: EntityManager,
  sql: string,
  params: unknown[] = [],
): Promise<TRow[]> {
  const transaction = em.getTransactionContext<Knex.Transaction>();
  const client = (transaction ?? em.getConnection().getKnex()).client as KnexClient;
  // A closed ORM reconnects on its next query: leave that to `em.execute`.
  if (!client.transacting && !client.pool) return (await em.execute(sql, params, 'all')) as TRow[];
  const text = em.getPlatform().formatQuery(sql, params);
  const reads = transaction ? undefined : readPools.get(client);
  if (reads) {
    try {
      return rowsOf(await reads.query(text)) as TRow[];
    } catch (error) {
      throw em.getDriver().convertException(error as Error);
    }
  }
  let connection: unknown;
  try {
    connection = await client.acquireConnection();
    // Straight to the driver. Knex's layer on top of it (bindings, events, debug, error messages carrying the
    // statement with its values) has nothing to add here, and its PGlite dialect takes any text with a `;` in it —
    // a value like "call back; busy" included — for several statements and answers a list of results.
    // node-postgres: a simple query (no values). PGlite: one statement.
    if (connection instanceof pg.Client) return rowsOf(await connection.query(text)) as TRow[];
    if (isPGlite(connection)) return (await connection.query(text)).rows as TRow[];
    return rowsOf((await client.query(connection, { sql: text, bindings: [], method: 'raw' })).response) as TRow[];
  } catch (error) {
    throw em.getDriver().convertException(error as Error);
  } finally {
    if (connection !== undefined) await client.releaseConnection(connection);
  }
}

/** An embedded PGlite database, as knex-pglite hands it out for a connection. */
function isPGlite(connection: unknown): connection is PGlite {
  return connection instanceof PGlite;
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
