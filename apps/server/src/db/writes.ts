/** Builds `set a = ?, b = ?` from the present fields of an update; `undefined` means "leave as is". */
export function assignments(fields: Record<string, unknown>): { sql: string; params: unknown[] } {
  const present = Object.entries(fields).filter(([, value]) => value !== undefined);
  return { sql: present.map(([column]) => `${column} = ?`).join(', '), params: present.map(([, value]) => value) };
}

/** Whether a unique constraint rejected the write (SQLSTATE 23505, as MikroORM or the driver reports it). */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; name?: unknown };
  return e?.code === '23505' || e?.name === 'UniqueConstraintViolationException';
}

/** Whether a foreign key rejected the write (SQLSTATE 23503). */
export function isForeignKeyViolation(error: unknown): boolean {
  const e = error as { code?: unknown; name?: unknown };
  return e?.code === '23503' || e?.name === 'ForeignKeyConstraintViolationException';
}
