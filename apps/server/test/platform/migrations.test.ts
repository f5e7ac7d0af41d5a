import { describe, expect, it } from 'vitest';
import { createTestApp } from '../harness.js';

describe('migrations', () => {
  it('bring a fresh database exactly to the entities’ schema (no pending difference)', async () => {
    await using t = await createTestApp();
    const orm = t.server.app.context.db.orm;
    const pending = await orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false });
    expect(pending.trim()).toBe('');
  });
});
