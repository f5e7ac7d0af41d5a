import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFreshDatabase, type FreshDatabase } from '../../test/fresh-database.js';
import { type Database, openDatabase } from './orm.js';
import { asDate, positional, query, transaction } from './sql.js';

describe('positional(): `?` placeholders numbered as PostgreSQL reads the text', () => {
  it('numbers each placeholder in order', () => {
    expect(positional('select ? + ?, ?', 3)).toBe('select $1 + $2, $3');
  });

  it('leaves a `?` alone inside string literals, quoted identifiers, dollar quotes and comments', () => {
    const sql = [
      `select 'a?b', 'it''s ?', E'\\'?', "col?", $$?$$, $tag$ ? $tag$, ? -- what?`,
      `/* ? /* nested ? */ ? */ from t where x = ?`,
    ].join('\n');
    expect(positional(sql, 2)).toBe(
      [
        `select 'a?b', 'it''s ?', E'\\'?', "col?", $$?$$, $tag$ ? $tag$, $1 -- what?`,
        `/* ? /* nested ? */ ? */ from t where x = $2`,
      ].join('\n'),
    );
  });

  it('turns `\\?` into the literal `?` (the jsonb operator), as knex does', () => {
    expect(positional(`select data \\? 'key' from t where id = ?`, 1)).toBe(`select data ? 'key' from t where id = $1`);
  });

  it('a `$` inside a word or before a digit is not a dollar quote', () => {
    expect(positional('select a$b, ? from t', 1)).toBe('select a$b, $1 from t');
  });

  it('refuses a statement whose placeholders do not match the values (a programming error, never run)', () => {
    expect(() => positional('select ?', 2)).toThrow(/1 placeholders but 2 values/);
    expect(() => positional('select ??', 1)).toThrow(/not supported/);
  });
});

const TRICKY = [
  `it's`,
  `''; drop table app_user; --`,
  'back\\slash \\\\ \\n',
  'what? ?? \\?',
  '$1 $2 $$ $tag$',
  'call back; busy',
  'Ўзбекистон — 東京 — 😀 — e\u0301',
  '',
];

/** The same checks on each database the server runs on. */
function roundTrips(name: string, open: () => Promise<Database>, done: () => Promise<void>) {
  describe(`query() on ${name}: values are bind parameters`, () => {
    let db: Database;
    beforeAll(async () => {
      db = await open();
      await query(db.orm.em, 'create table bind_probe (t text, j jsonb, b bytea, n bigint, at timestamptz)');
    });
    afterAll(async () => {
      await db?.close();
      await done();
    });

    it('text with quotes, backslashes, `?`, `$1`, `;` and unicode is stored and read back unchanged', async () => {
      for (const value of TRICKY) {
        const [row] = await query(db.orm.em, 'insert into bind_probe (t) values (?) returning t', [value]);
        expect(row?.t).toBe(value);
      }
      const rows = await query(db.orm.em, 'select t from bind_probe where t = any(?) order by t', [TRICKY]);
      expect(rows.map((r) => r.t)).toEqual([...TRICKY].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    });

    it('a value with `;` and quotes stays one value of one statement (PGlite included)', async () => {
      const rows = await query(db.orm.em, 'select ? as a, ? as b', [`x'; select 1; --`, 'y;']);
      expect(rows).toEqual([{ a: `x'; select 1; --`, b: 'y;' }]);
    });

    it('null, undefined, Dates, Buffers, bigint, JSON objects and arrays keep their meaning', async () => {
      const at = new Date('2024-02-29T23:59:59.123Z');
      const [row] = await query(
        db.orm.em,
        `insert into bind_probe (t, j, b, n, at) values (?, ?, ?, ?, ?) returning t, j, b, n, at,
         cast(? as jsonb) as arr, cast(? as text) is null as undef`,
        [null, { q: "it's ?", n: 1 }, Buffer.from([0, 1, 255]), 9_007_199_254_740_993n, at, '[1,"a"]', undefined],
      );
      expect(row?.t).toBeNull();
      expect(row?.j).toEqual({ q: "it's ?", n: 1 });
      expect(Buffer.from(row?.b as Uint8Array)).toEqual(Buffer.from([0, 1, 255]));
      expect(String(row?.n)).toBe('9007199254740993');
      expect(asDate(row?.at).toISOString()).toBe(at.toISOString());
      expect(row?.arr).toEqual([1, 'a']);
      expect(row?.undef).toBe(true);
    });

    it('a parameter whose place gives it no type needs a cast, as the doc comment of query() says', async () => {
      await expect(query(db.orm.em, 'select 1 as one where ? is null', [null])).rejects.toThrow(
        /could not determine data type of parameter/,
      );
      expect(await query(db.orm.em, 'select 1 as one where cast(? as integer) is null', [null])).toHaveLength(1);
      // Untyped, `select ?` is text: the number comes back as a string; cast, it is a number.
      const [row] = await query(db.orm.em, 'select ? as untyped, cast(? as integer) as typed', [7, 7]);
      expect(row).toEqual({ untyped: '7', typed: 7 });
    });

    it('transaction(): commits what its work wrote, rolls back when it throws, and a nested one joins', async () => {
      await query(db.orm.em, 'create table tx_probe (v text)');
      const committed = await transaction(db.orm.em, async (tem) => {
        await query(tem, 'insert into tx_probe (v) values (?)', ['kept']);
        // Nested: the same transaction, so the row written above is visible to it.
        return transaction(tem, async (inner) => query(inner, 'select count(*)::int as n from tx_probe'));
      });
      expect(committed).toEqual([{ n: 1 }]);
      const failure = new Error('the work failed');
      await expect(
        transaction(db.orm.em, async (tem) => {
          await query(tem, 'insert into tx_probe (v) values (?)', ['dropped']);
          throw failure;
        }),
      ).rejects.toBe(failure);
      // A failed statement aborts the transaction; the error is the converted driver error, and nothing stays.
      await expect(
        transaction(db.orm.em, async (tem) => {
          await query(tem, 'insert into tx_probe (v) values (?)', ['dropped too']);
          await query(tem, 'select cast(? as integer)', ['not a number']);
        }),
      ).rejects.toThrow(/invalid input syntax/);
      expect(await query(db.orm.em, 'select v from tx_probe order by v')).toEqual([{ v: 'kept' }]);
      // Work that swallows a failed statement cannot commit what came before it: PostgreSQL rolled it back.
      if (db.target.kind === 'postgres') {
        await expect(
          transaction(db.orm.em, async (tem) => {
            await query(tem, 'insert into tx_probe (v) values (?)', ['lost']);
            await query(tem, 'select cast(? as integer)', ['not a number']).catch(() => {});
          }),
        ).rejects.toThrow(/rolled back/);
        expect(await query(db.orm.em, 'select v from tx_probe order by v')).toEqual([{ v: 'kept' }]);
      }
    });

    it('transaction(): connections go back to the pool, and an ended one refuses statements', async () => {
      let kept: Parameters<Parameters<typeof transaction>[1]>[0] | undefined;
      await transaction(db.orm.em, async (tem) => {
        kept = tem;
      });
      // On PostgreSQL, where transaction() holds the connection itself (PGlite keeps MikroORM's transactional).
      if (db.target.kind === 'postgres') {
        await expect(query(kept as never, 'select 1')).rejects.toThrow(/already complete/);
      }
      // More transactions than the pool has connections, some failing: each returns its connection.
      const results = await Promise.allSettled(
        Array.from({ length: 30 }, (_, i) =>
          transaction(db.orm.em, async (tem) => {
            const [row] = await query(tem, 'select cast(? as integer) as i', [i]);
            if (i % 3 === 0) throw new Error(`failed ${i}`);
            return row?.i;
          }),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled').map((r) => r.value)).toHaveLength(20);
      expect(await query(db.orm.em, 'select 1 as one')).toEqual([{ one: 1 }]);
    });

    it('works the same inside a transaction', async () => {
      await db.orm.em.fork().transactional(async (em) => {
        const [row] = await query(em, 'select ? as v', ['$1?;']);
        expect(row?.v).toBe('$1?;');
      });
    });
  });
}

roundTrips(
  'PGlite',
  () => openDatabase({ kind: 'pglite' }),
  async () => {},
);

let fresh: FreshDatabase | undefined;
describe.runIf(process.env.TEST_DATABASE_URL)('on PostgreSQL', () => {
  roundTrips(
    'PostgreSQL',
    async () => {
      fresh = await createFreshDatabase(process.env.TEST_DATABASE_URL as string, 'cims_sql');
      return openDatabase({ kind: 'postgres', url: fresh.url });
    },
    async () => {
      await fresh?.drop();
    },
  );
});
