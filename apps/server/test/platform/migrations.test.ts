import { describe, expect, it } from 'vitest';
import { migrations } from '../../src/db/migrations/index.js';
import { query } from '../../src/db/sql.js';
import { createTestApp } from '../harness.js';

const ALL = migrations.map((migration) => migration.name);

describe('migrations', () => {
  it('bring a fresh database exactly to the entities’ schema (no pending difference)', async () => {
    await using t = await createTestApp({ emptyDatabase: true });
    // The start applied every migration to the empty database.
    expect(t.logs.find((line) => line.msg === 'Applied migrations')?.migrations).toEqual(ALL);
    const orm = t.server.app.context.db.orm;
    const pending = await orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false });
    expect(pending.trim()).toBe('');
  });

  it('test apps start on a copy of the migrated template: the start’s check finds every migration applied', async () => {
    await using t = await createTestApp();
    expect(t.logs.some((line) => line.msg === 'Applied migrations')).toBe(false);
    const em = t.server.app.context.db.orm.em.fork();
    const applied = await query(em, 'select name from mikro_orm_migrations order by id');
    expect(applied.map((row) => row.name)).toEqual(ALL);
    const pending = await t.server.app.context.db.orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false });
    expect(pending.trim()).toBe('');
  });
});
