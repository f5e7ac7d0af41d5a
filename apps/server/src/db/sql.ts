import type { PGlite } from '@electric-sql/pglite';
import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import pg from 'pg';

/** A raw row: PGlite returns Dates and numbers where node-postgres returns strings (read them with `asInt`, `asDate`). */
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

/** The authentication pools of the ORMs' knex clients (PostgreSQL only), see {@link useAuthPool}. */
const authPools = new WeakMap<object, pg.Pool>();
/** Entity managers from {@link authReads}, with the pool their statements run on. */
const ownPools = new WeakMap<EntityManager, pg.Pool>();

/**
 * Gives the statements of {@link authReads} entity managers a pool of their own, connected like the read pool. Every
 * request starts with authentication; on a pool of its own it never waits behind other requests' statements (a table
 * locked by someone else holds the read pool's connections until the lock timeout, and a slow report holds them for
 * as long as it runs).
 */
export function useAuthPool(orm: { em: EntityManager }, pool: pg.Pool): void {
  authPools.set(orm.em.getConnection().getKnex().client, pool);
}

/**
 * A long-lived entity manager for the authentication hot path (the session check, the page check, `/auth/me`): its
 * statements outside transactions run on the authentication pool ({@link useAuthPool}) where the database has one,
 * else as any other statement. It must only run raw SQL through {@link query}, never start a transaction.
 */
export function authReads(orm: { em: EntityManager }): EntityManager {
  const em = orm.em.fork() as EntityManager;
  const pool = authPools.get(orm.em.getConnection().getKnex().client);
  if (pool) ownPools.set(em, pool);
  return em;
}

/** The ORM's knex client, with its pool: a closed ORM reconnects on its next statement, as `em.execute` would. */
async function connectedClient(em: EntityManager): Promise<KnexClient> {
  const client = em.getConnection().getKnex().client as KnexClient;
  if (client.pool) return client;
  await em.getConnection().ensureConnection();
  return em.getConnection().getKnex().client as KnexClient;
}

/**
 * Runs SQL with `?` placeholders in the entity manager's transaction, if any; returns the rows.
 *
 * The values travel as bind parameters, never in the SQL text: whatever a value holds (quotes, backslashes, `;`, a
 * `?` or `$1`, NUL) it stays one value of one statement, on PostgreSQL and on PGlite alike. The text runs on a
 * connection of the read pool ({@link useReadPool}) or the ORM's pool or, in a transaction, on the transaction's
 * connection (the transaction's client refuses a query once it has ended), and a failure is converted as MikroORM
 * converts it (`UniqueConstraintViolationException`, …). Left out are knex's query builder and runner, and MikroORM's
 * query logging and `onQuery` hook, which this server does not use (db/orm.ts).
 *
 * Placeholders follow knex: `?` is a value, `\\?` (a backslash, then `?`) is a literal `?` (the jsonb operator); a
 * `?` inside a string literal, a quoted identifier, a dollar-quoted string or a comment is text. Values are sent as
 * {@link bindValue} makes them: an array is a PostgreSQL array (`= any(?)`), not a list of values.
 *
 * A parameter takes its type from where it stands (`id = ?` is an integer). Where nothing around it gives one, cast
 * it (`cast(? as integer)`, `cast(? as timestamptz)`): `? is null` fails with "could not determine data type of
 * parameter $1" on both drivers, and `select ?`, `coalesce(?, null)` or a `values (?)` list not inserted into a table
 * take the value as text (a number comes back as a string, and compares as text).
 */
export async function query<TRow extends Row = Row>(
  em: EntityManager,
  sql: string,
  params: readonly unknown[] = [],
): Promise<TRow[]> {
  const transaction = em.getTransactionContext<Knex.Transaction>();
  const client = transaction ? (transaction.client as KnexClient) : await connectedClient(em);
  const text = positional(sql, params.length);
  const values = params.map(bindValue);
  const reads = transaction ? undefined : (ownPools.get(em) ?? readPools.get(client));
  if (reads) {
    try {
      return rowsOf(await reads.query(text, values.length > 0 ? values : undefined)) as TRow[];
    } catch (error) {
      throw em.getDriver().convertException(error as Error);
    }
  }
  let connection: unknown;
  try {
    connection = await client.acquireConnection();
    // Straight to the driver. Knex's layer on top of it (events, debug, error messages carrying the statement with its
    // values) has nothing to add here, and its PGlite dialect takes any text with a `;` in it for several statements.
    // node-postgres: without values a simple query, with values an unnamed prepared statement (one round trip).
    // PGlite: always one statement (its extended protocol).
    if (connection instanceof pg.Client) {
      return rowsOf(await connection.query(text, values.length > 0 ? values : undefined)) as TRow[];
    }
    if (isPGlite(connection)) return (await connection.query(text, values)).rows as TRow[];
    return rowsOf((await client.query(connection, { sql: text, bindings: values, method: 'raw' })).response) as TRow[];
  } catch (error) {
    throw em.getDriver().convertException(error as Error);
  } finally {
    if (connection !== undefined) await client.releaseConnection(connection);
  }
}

/**
 * Runs `work` in one database transaction and commits it, or rolls it back when `work` throws (the error is thrown
 * on). For work that runs raw SQL through {@link query} only: the entity manager it gets has no unit of work to
 * flush, and its ORM methods (`find`, `persist`, …) must not be used. Inside a transaction already, `work` joins it.
 *
 * On PostgreSQL it takes a connection from the ORM's pool and says `begin`/`commit` itself, which spares every
 * transaction knex's transaction machinery (a new knex instance with its properties redefined, a transactor, a
 * client per transaction): a measurable part of `POST /auth/refresh` (bench/). The embedded database keeps MikroORM's
 * `transactional`, which also keeps its single session's transactions apart.
 */
export async function transaction<T>(em: EntityManager, work: (tem: EntityManager) => Promise<T>): Promise<T> {
  if (em.getTransactionContext()) return work(em);
  const client = await connectedClient(em);
  // Only PostgreSQL has a read pool (openDatabase): the embedded database's single session is not taken twice.
  if (!readPools.has(client)) return em.transactional(work);
  const connection = await client.acquireConnection();
  if (!(connection instanceof pg.Client)) {
    await client.releaseConnection(connection);
    return em.transactional(work);
  }
  let open = true;
  const own: KnexClient = {
    transacting: true,
    acquireConnection: async () => {
      if (!open) throw new Error('Transaction query already complete');
      return connection;
    },
    releaseConnection: async () => {},
    query: () => Promise.reject(new Error('Only query() runs statements in a transaction()')),
  };
  const tem = em.fork() as EntityManager;
  tem.setTransactionContext({ client: own } as unknown as Knex.Transaction);
  try {
    await connection.query('begin');
  } catch (error) {
    await client.releaseConnection(connection);
    throw em.getDriver().convertException(error as Error);
  }
  let result: T;
  try {
    result = await work(tem);
  } catch (error) {
    open = false;
    // A connection that cannot even roll back is ended, so the pool drops it instead of handing out its transaction.
    await connection.query('rollback').catch(() => connection.end().catch(() => {}));
    await client.releaseConnection(connection);
    throw error;
  }
  open = false;
  try {
    // A transaction a failed statement aborted answers `commit` with ROLLBACK, and no error: its work is lost.
    const done = await connection.query('commit');
    if (done.command === 'ROLLBACK')
      throw new Error('The transaction was aborted by a failed statement and rolled back');
  } catch (error) {
    await connection.query('rollback').catch(() => connection.end().catch(() => {}));
    throw em.getDriver().convertException(error as Error);
  } finally {
    await client.releaseConnection(connection);
  }
  return result;
}

/**
 * A value as both drivers get it, so that PGlite and node-postgres store the same thing: `undefined` is NULL, a Date
 * its ISO instant, a bigint its digits, a plain object (or one of MikroORM's JSON values) its JSON text. Arrays, Buffers
 * and Uint8Arrays, strings, numbers, booleans and null go as they are (an array becomes a PostgreSQL array).
 */
export function bindValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (value === null || typeof value !== 'object') return typeof value === 'bigint' ? value.toString() : value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return (value as unknown[]).map(bindValue);
  if (ArrayBuffer.isView(value)) return value;
  return JSON.stringify(value);
}

/** Converted texts by source text: the statements are a fixed set of literals, so each is scanned once. */
const positionalTexts = new Map<string, { text: string; count: number }>();
/** A bound on {@link positionalTexts}, should a caller ever build texts on the fly. */
const MAX_CACHED_TEXTS = 2_000;

/**
 * `sql` with its `?` placeholders numbered `$1`, `$2`, …; throws when there are not exactly `count` of them. The
 * values travel untyped: a placeholder whose place gives it no type needs a cast (`cast(? as integer)`): `? is null`
 * fails with "could not determine data type of parameter", and `select ?` or a `values` list take it as text.
 */
export function positional(sql: string, count: number): string {
  let converted = positionalTexts.get(sql);
  if (!converted) {
    converted = toPositional(sql);
    if (positionalTexts.size >= MAX_CACHED_TEXTS) positionalTexts.clear();
    positionalTexts.set(sql, converted);
  }
  if (converted.count !== count) {
    throw new Error(`The statement has ${converted.count} placeholders but ${count} values were given`);
  }
  return converted.text;
}

const IDENTIFIER_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;
const DOLLAR_TAG = /^\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/;

/** Scans `sql` once, as PostgreSQL's lexer would, numbering the `?` outside literals, identifiers and comments. */
function toPositional(sql: string): { text: string; count: number } {
  let out = '';
  let count = 0;
  let from = 0;
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const ch = sql[i] as string;
    if (ch === '?') {
      if (sql[i + 1] === '?') throw new Error('`??` (an identifier placeholder) is not supported');
      count += 1;
      out += `${sql.slice(from, i)}$${count}`;
      from = i = i + 1;
    } else if (ch === '\\' && sql[i + 1] === '?') {
      out += `${sql.slice(from, i)}?`;
      from = i = i + 2;
    } else if (ch === "'") {
      const escapes = (sql[i - 1] === 'E' || sql[i - 1] === 'e') && !IDENTIFIER_CHAR.test(sql[i - 2] ?? ' ');
      i = endOfString(sql, i + 1, escapes);
    } else if (ch === '"') {
      const end = sql.indexOf('"', i + 1);
      i = end === -1 ? n : end + 1;
    } else if (ch === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i + 2);
      i = end === -1 ? n : end + 1;
    } else if (ch === '/' && sql[i + 1] === '*') {
      i = endOfComment(sql, i + 2);
    } else if (ch === '$' && !IDENTIFIER_CHAR.test(sql[i - 1] ?? ' ')) {
      const tag = DOLLAR_TAG.exec(sql.slice(i, i + 64))?.[0];
      if (tag) {
        const end = sql.indexOf(tag, i + tag.length);
        i = end === -1 ? n : end + tag.length;
      } else {
        i += 1;
      }
    } else {
      i += 1;
    }
  }
  return { text: out + sql.slice(from), count };
}

/** The index after a string literal whose body starts at `i` (`''` is a quote; with `escapes`, so is `\\'`). */
function endOfString(sql: string, i: number, escapes: boolean): number {
  while (i < sql.length) {
    const ch = sql[i];
    if (escapes && ch === '\\') i += 2;
    else if (ch === "'" && sql[i + 1] === "'") i += 2;
    else if (ch === "'") return i + 1;
    else i += 1;
  }
  return i;
}

/** The index after a block comment whose body starts at `i`; PostgreSQL's block comments nest. */
function endOfComment(sql: string, i: number): number {
  let depth = 1;
  while (i < sql.length && depth > 0) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth += 1;
      i += 2;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth -= 1;
      i += 2;
    } else {
      i += 1;
    }
  }
  return i;
}

/**
 * An embedded PGlite database, as knex-pglite hands it out for a connection. Told by a method node-postgres' clients
 * lack, so that a server on PostgreSQL never loads PGlite.
 */
function isPGlite(connection: unknown): connection is PGlite {
  return typeof connection === 'object' && connection !== null && 'dumpDataDir' in connection;
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
