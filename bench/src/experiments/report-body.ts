/**
 * EXPERIMENT (not the benchmark): how to build the body of an unpaged period report. One way per run, in a fresh
 * process: it writes the `customers` array of the customers created from `from` (a business day) to today in a seeded
 * database to a socket-like sink, and prints one JSON line with the time it took and the peak resident memory and heap
 * above the process's start. The results and the choice they led to are in ../../README.md, "The period report".
 *
 *   node --expose-gc --conditions=source --import tsx src/experiments/report-body.ts <way> <database url> <from> [batch]
 *
 * - `memory`: one statement, every customer rendered, one JSON.stringify (the way before streaming);
 * - `cursor`: one statement through a cursor in a read-only transaction, `fetch <batch>` at a time;
 * - `keyset`: a statement per batch, each after the last row's (created_at, id), as `customerBatches` does;
 * - `sql-agg`: PostgreSQL builds the whole array (`json_agg` of `json_build_object`);
 * - `sql-rows`: PostgreSQL builds each customer's JSON, read through a cursor.
 *
 * The SQL ways render what `toCustomer` renders closely enough to compare the cost (not the signed `audio_url`).
 */
import { Writable } from 'node:stream';
import {
  BusinessTime,
  CUSTOMER_COLUMNS,
  CUSTOMER_FROM,
  type CustomerViewContext,
  toCustomer,
} from '@cims/server/bench';
import pg from 'pg';

const [way = 'memory', url = '', from = '', batchText = '1000'] = process.argv.slice(2);
const batch = Number(batchText);
const time = new BusinessTime('Asia/Tashkent');
const view: CustomerViewContext = { time, audioUrl: (id) => `/crm/customers/audio/${id}` };
const start = time.startOf(from).toISOString();
const end = time.startOf(time.addDays(time.today(), 1)).toISOString();

let peakRss = 0;
let peakHeap = 0;
const sample = () => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed + m.external + m.arrayBuffers);
};
const sampler = setInterval(sample, 1);

/** A sink that behaves like a socket: takes chunks asynchronously, with a high-water mark, and counts bytes. */
let bytes = 0;
const sink = new Writable({
  highWaterMark: 64 * 1024,
  write(chunk: Buffer, _encoding, done) {
    bytes += chunk.length;
    setImmediate(done);
  },
});
const write = async (text: string) => {
  if (!sink.write(text)) await new Promise((resolve) => sink.once('drain', resolve));
};

const client = new pg.Client({ connectionString: url });
await client.connect();
const where = 'c.archived_at is null and c.created_at >= $1 and c.created_at < $2';
const order = 'c.created_at desc, c.id desc';

globalThis.gc?.();
sample();
const baseRss = process.memoryUsage().rss;
const baseHeap = (() => {
  const m = process.memoryUsage();
  return m.heapUsed + m.external + m.arrayBuffers;
})();
peakRss = baseRss;
peakHeap = baseHeap;
const t0 = performance.now();
let rows = 0;

if (way === 'memory') {
  const result = await client.query(
    `select ${CUSTOMER_COLUMNS} from ${CUSTOMER_FROM} where ${where} order by ${order}`,
    [start, end],
  );
  const customers = result.rows.map((row) => toCustomer(row, view));
  rows = customers.length;
  await write(JSON.stringify({ customers }));
} else if (way === 'cursor') {
  await client.query('begin isolation level repeatable read read only');
  await client.query(
    `declare report no scroll cursor for select ${CUSTOMER_COLUMNS} from ${CUSTOMER_FROM} where ${where} order by ${order}`,
    [start, end],
  );
  await write('{"customers":[');
  for (;;) {
    const result = await client.query(`fetch ${batch} from report`);
    if (result.rows.length === 0) break;
    const text = result.rows.map((row) => JSON.stringify(toCustomer(row, view))).join(',');
    await write(rows === 0 ? text : `,${text}`);
    rows += result.rows.length;
  }
  await write(']}');
  await client.query('commit');
} else if (way === 'keyset') {
  await write('{"customers":[');
  let after: [string, number] | undefined;
  for (;;) {
    const result = await client.query(
      `select ${CUSTOMER_COLUMNS}, cast(c.created_at as text) as keyset_at from ${CUSTOMER_FROM}
        where ${where} ${after ? 'and (c.created_at, c.id) < (cast($3 as timestamptz), $4)' : ''}
        order by ${order} limit ${batch}`,
      after ? [start, end, ...after] : [start, end],
    );
    if (result.rows.length === 0) break;
    const text = result.rows.map((row) => JSON.stringify(toCustomer(row, view))).join(',');
    await write(rows === 0 ? text : `,${text}`);
    rows += result.rows.length;
    const last = result.rows.at(-1) as Record<string, unknown>;
    after = [String(last.keyset_at), Number(last.id)];
    if (result.rows.length < batch) break;
  }
  await write(']}');
} else if (way === 'sql-agg' || way === 'sql-rows') {
  // The customer rendered by PostgreSQL: the same fields, timestamps in the business zone with their offset.
  await client.query(`set time zone 'Asia/Tashkent'`);
  const ts = (column: string) => `to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS.MS') || to_char(${column}, 'TZH:TZM')`;
  const object = `json_build_object('id', c.id, 'full_name', c.full_name, 'platform', c.platform,
    'username', c.username, 'phone_number', c.phone_number, 'status', c.status, 'status_label', s.display_name,
    'status_category', s.category, 'customer_type', c.customer_type, 'assistant_name', c.assistant_name,
    'chat_url', c.chat_url, 'notes', c.notes, 'aisummary', c.aisummary, 'importance_score', c.importance_score,
    'priority_score', c.priority_score, 'priority_level', c.priority_level, 'priority_reason', c.priority_reason,
    'industry', c.industry, 'business_age_years', c.business_age_years, 'audio_file_id', c.audio_file_id,
    'audio_url', null, 'recall_time', ${ts('c.recall_time')}, 'conversation_language', c.conversation_language,
    'sales_manager', case when m.id is null then null else json_build_object('id', m.id, 'name', m.name,
    'surname', m.surname) end, 'created_at', ${ts('c.created_at')}, 'updated_at', ${ts('c.updated_at')},
    'is_archived', c.archived_at is not null, 'archived_at', ${ts('c.archived_at')})`;
  if (way === 'sql-agg') {
    const result = await client.query(
      `select coalesce(json_agg(${object} order by ${order}), '[]')::text as customers, count(*) as n
         from ${CUSTOMER_FROM} where ${where}`,
      [start, end],
    );
    rows = Number(result.rows[0]?.n);
    await write(`{"customers":${result.rows[0]?.customers}}`);
  } else {
    await client.query('begin isolation level repeatable read read only');
    await client.query(
      `declare report no scroll cursor for select ${object}::text as j from ${CUSTOMER_FROM} where ${where}
        order by ${order}`,
      [start, end],
    );
    await write('{"customers":[');
    for (;;) {
      const result = await client.query(`fetch ${batch} from report`);
      if (result.rows.length === 0) break;
      const text = result.rows.map((row) => row.j as string).join(',');
      await write(rows === 0 ? text : `,${text}`);
      rows += result.rows.length;
    }
    await write(']}');
    await client.query('commit');
  }
} else {
  throw new Error(`Unknown way ${way}`);
}
await new Promise<void>((resolve) => sink.end(resolve));
const ms = performance.now() - t0;
sample();
clearInterval(sampler);
await client.end();
console.log(
  JSON.stringify({
    way,
    batch: way === 'memory' || way === 'sql-agg' ? null : batch,
    rows,
    mb: +(bytes / 2 ** 20).toFixed(2),
    ms: +ms.toFixed(1),
    peakRssMb: +((peakRss - baseRss) / 2 ** 20).toFixed(1),
    peakHeapMb: +((peakHeap - baseHeap) / 2 ** 20).toFixed(1),
  }),
);
