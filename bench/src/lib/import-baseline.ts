/**
 * The baseline of the import benchmark (`import.bench.ts`): the floor of moving the rows `pnpm cims import-legacy`
 * moves. It reads the legacy `customer`, `customer_note` and `customer_status_change_log` tables the way the importer
 * does (one read-only, repeatable-read snapshot; keyset batches in id order, apps/server/src/legacy-import/
 * legacy-source.ts) and writes every batch unchanged, ciphertexts and all, into plain tables of the same columns (no
 * indexes, constraints or triggers) with the importer's statement shape (one `insert … select * from unnest(…)` per
 * batch, a parameter per column, legacy-import/target.ts), all in one transaction. No decryption, no checks, no
 * derived rows: whatever the import spends beyond this is its own work.
 */
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

/** The legacy tables the baseline moves, in the order the importer reads them. */
export const BASELINE_TABLES = ['customer', 'customer_note', 'customer_status_change_log'] as const;
export type BaselineTable = (typeof BASELINE_TABLES)[number];

/** Where the baseline writes: a PostgreSQL database, or a PGlite data folder (created when missing). */
export type BaselineTarget = { kind: 'postgres'; url: string } | { kind: 'pglite'; dir: string };

/** What one baseline run did. */
export interface BaselineResult {
  /** Wall time from connecting to both databases to the target closed, without the row count that checks it. */
  seconds: number;
  /** Rows the target tables hold after the commit (counted there, not by the copy loop). */
  rows: Record<BaselineTable, number>;
}

/** One session on the target: a statement with bind parameters, and closing it. */
interface Sink {
  run(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

async function openSink(target: BaselineTarget): Promise<Sink> {
  if (target.kind === 'postgres') {
    const client = new pg.Client({ connectionString: target.url, application_name: 'cims bench import baseline' });
    await client.connect();
    return {
      run: async (sql, params) => (await client.query(sql, params)).rows,
      close: () => client.end(),
    };
  }
  mkdirSync(target.dir, { recursive: true });
  // A fresh folder: PGlite creates the cluster (initdb) here, as the import's `openDatabase` does in its own.
  const db = new PGlite(target.dir);
  await db.waitReady;
  return {
    run: async (sql, params) => (await db.query<Record<string, unknown>>(sql, params)).rows,
    close: () => db.close(),
  };
}

/** Date and time types stay the text PostgreSQL sent: written back as they came, with no time-zone round trip. */
const KEEP_AS_TEXT = new Set([1082, 1114, 1184]);
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    KEEP_AS_TEXT.has(oid) ? (value: string) => value : pg.types.getTypeParser(oid, format)) as never,
};

interface Column {
  name: string;
  /** The legacy column's type (`character varying(500)`, `integer`, …); `text` for an enum, which the target lacks. */
  type: string;
  isEnum: boolean;
}

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Copies the three tables from the legacy database at `legacyUrl` into `target` (empty: the tables are created there)
 * in batches of `batchSize`, timed. The tables are created before the copy's transaction, as the import's migrations
 * run before its transaction: a table created in the same transaction could skip the write-ahead log.
 */
export async function copyLegacyRows(options: {
  legacyUrl: string;
  target: BaselineTarget;
  batchSize: number;
}): Promise<BaselineResult> {
  const started = performance.now();
  const legacy = new pg.Client({
    connectionString: options.legacyUrl,
    application_name: 'cims bench import baseline',
    types,
  });
  await legacy.connect();
  let sink: Sink | undefined;
  try {
    await legacy.query('begin isolation level repeatable read read only');
    sink = await openSink(options.target);
    const columns = new Map<BaselineTable, Column[]>();
    for (const table of BASELINE_TABLES) {
      const { rows } = await legacy.query<{ name: string; type: string; is_enum: boolean }>(
        `select a.attname as name, format_type(a.atttypid, a.atttypmod) as type, t.typtype = 'e' as is_enum
           from pg_attribute a join pg_type t on t.oid = a.atttypid
          where a.attrelid = $1::regclass and a.attnum > 0 and not a.attisdropped
          order by a.attnum`,
        [table],
      );
      const list = rows.map((r) => ({ name: r.name, type: r.is_enum ? 'text' : r.type, isEnum: r.is_enum }));
      columns.set(table, list);
      await sink.run(`create table ${ident(table)} (${list.map((c) => `${ident(c.name)} ${c.type}`).join(', ')})`);
    }
    await sink.run('begin');
    for (const table of BASELINE_TABLES) {
      const list = columns.get(table) ?? [];
      const select = list.map((c) => (c.isEnum ? `${ident(c.name)}::text as ${ident(c.name)}` : ident(c.name)));
      const read = `select ${select.join(', ')} from ${ident(table)} where id > $1::bigint order by id limit $2`;
      const write =
        `insert into ${ident(table)} (${list.map((c) => ident(c.name)).join(', ')}) ` +
        `select * from unnest(${list.map((c, i) => `cast($${i + 1} as ${c.type}[])`).join(', ')})`;
      let after = Number.MIN_SAFE_INTEGER;
      for (;;) {
        const { rows } = await legacy.query<Record<string, unknown>>(read, [after, options.batchSize]);
        if (rows.length === 0) break;
        await sink.run(
          write,
          list.map((c) => rows.map((row) => row[c.name] ?? null)),
        );
        after = Number(rows[rows.length - 1]?.id);
        if (rows.length < options.batchSize) break;
      }
    }
    await sink.run('commit');
    // The check that every row arrived is not part of the work measured.
    const countStarted = performance.now();
    const counted = {} as Record<BaselineTable, number>;
    for (const table of BASELINE_TABLES) {
      const [row] = await sink.run(`select count(*)::int as n from ${ident(table)}`);
      counted[table] = Number(row?.n);
    }
    const untimed = performance.now() - countStarted;
    await sink.close();
    sink = undefined;
    await legacy.query('rollback');
    await legacy.end();
    return { seconds: (performance.now() - started - untimed) / 1000, rows: counted };
  } catch (error) {
    await sink?.close().catch(() => {});
    await legacy.end().catch(() => {});
    throw error;
  }
}
