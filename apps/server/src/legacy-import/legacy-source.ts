import pg from 'pg';

/** A row as read from the legacy database. */
export type LegacyRow = Record<string, unknown>;

/** The legacy tables the import reads; each must exist for the import to start. */
export const LEGACY_TABLES = [
  'user',
  'user_page_permission',
  'verification_code',
  'refresh_token',
  'app_page',
  'user_role',
  'customer',
  'customer_note',
  'customer_status',
  'customer_status_change_log',
  'sales_manager_assignment',
  'sales_manager_counter',
  'audit_log',
  'instagram_account',
  'instagram_stats',
] as const;
export type LegacyTable = (typeof LEGACY_TABLES)[number];

/** The legacy database is not one the import can read (unreachable, not a legacy CIMS schema). */
export class LegacySourceError extends Error {
  override name = 'LegacySourceError';
}

/**
 * The legacy CIMS database, read inside one read-only, repeatable-read transaction: every statement sees the same
 * snapshot, and PostgreSQL itself refuses any write. Big tables are read in id order, a batch at a time (keyset
 * pagination), so memory stays flat whatever their size.
 */
export class LegacySource {
  /** A connection failure the driver reported between statements: the next read throws it. */
  #broken: Error | undefined;
  #closed = false;

  private constructor(
    private readonly client: pg.Client,
    /** Server version, for the report. */
    readonly serverVersion: string,
    private readonly signal?: AbortSignal,
  ) {
    // Without a listener, a connection the server ends while idle (idle_in_transaction_session_timeout, a restart)
    // would crash the process; recorded instead, it fails the next read and the import rolls back.
    client.on('error', (error) => {
      this.#broken = error;
    });
  }

  /**
   * Connects and opens the snapshot; throws {@link LegacySourceError} naming what is missing. Once `signal` is aborted
   * (Ctrl-C), the next read throws, so the import stops between two batches and rolls back.
   */
  static async open(url: string, signal?: AbortSignal): Promise<LegacySource> {
    // Timestamps are turned into numbers in SQL (epoch milliseconds), so no driver time-zone guessing is involved.
    const client = new pg.Client({ connectionString: url, application_name: 'cims import-legacy' });
    try {
      await client.connect();
    } catch (error) {
      throw new LegacySourceError(`Cannot connect to the legacy database: ${(error as Error).message}`);
    }
    try {
      await client.query('begin isolation level repeatable read read only');
      // Dates as text in ISO order whatever the server's DateStyle; instants are read as numbers (see utcMillis).
      await client.query(`set local time zone 'UTC'`);
      await client.query(`set local datestyle = 'ISO, YMD'`);
      const { rows } = await client.query<{ name: string }>(
        `select table_name as name from information_schema.tables
          where table_schema = current_schema() and table_name = any($1::text[])`,
        [LEGACY_TABLES],
      );
      const present = new Set(rows.map((row) => row.name));
      const missing = LEGACY_TABLES.filter((table) => !present.has(table));
      if (missing.length > 0) {
        throw new LegacySourceError(
          `This is not a legacy CIMS database (or an older one), or its user may not read every table: missing ${missing.join(', ')}`,
        );
      }
      const version = await client.query<{ v: string }>('show server_version');
      return new LegacySource(client, version.rows[0]?.v ?? 'unknown', signal);
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
  }

  /** Runs a read in the snapshot. */
  async rows<TRow extends LegacyRow = LegacyRow>(sql: string, params: unknown[] = []): Promise<TRow[]> {
    this.signal?.throwIfAborted();
    if (this.#broken) throw new LegacySourceError(`The legacy database connection failed: ${this.#broken.message}`);
    if (this.#closed) throw new Error('The legacy snapshot is closed: every read must come before the files step');
    try {
      return (await this.client.query<TRow>(sql, params)).rows;
    } catch (error) {
      // Undefined tables, columns or types (class 42): a legacy schema other than the one this import knows.
      if (error instanceof pg.DatabaseError && error.code === '42501') {
        throw new LegacySourceError(
          `The legacy database user may not read what the import needs (grant SELECT): ${error.message}`,
        );
      }
      if (error instanceof pg.DatabaseError && error.code?.startsWith('42')) {
        throw new LegacySourceError(
          `The legacy database does not have what the import reads (is it the legacy CIMS at its latest migration?): ${error.message}`,
        );
      }
      throw error;
    }
  }

  /** How many rows a table holds in the snapshot. */
  async count(table: LegacyTable): Promise<number> {
    const [row] = await this.rows<{ n: string }>(`select count(*) as n from "${table}"`);
    return Number(row?.n ?? 0);
  }

  /**
   * The rows of `select <columns> from <table> <alias> [<joins>]`, in batches of `size` in id order. `columns` must
   * select the table's id as `id` (an integer).
   */
  async *batches<TRow extends LegacyRow & { id: number }>(query: {
    table: LegacyTable;
    columns: string;
    joins?: string;
    size: number;
  }): AsyncGenerator<TRow[]> {
    let after = Number.MIN_SAFE_INTEGER;
    for (;;) {
      const rows = await this.rows<TRow>(
        `select ${query.columns} from "${query.table}" t ${query.joins ?? ''}
          where t.id > $1::bigint order by t.id limit $2`,
        [after, query.size],
      );
      if (rows.length === 0) return;
      yield rows;
      after = Number(rows[rows.length - 1]?.id);
      if (rows.length < query.size) return;
    }
  }

  /**
   * Ends the snapshot (nothing was written) and disconnects; called once the last legacy row is read, so that no
   * transaction stays open on the legacy server while files download. Calling it again does nothing.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.client.query('rollback').catch(() => {});
    await this.client.end().catch(() => {});
  }
}

/** SQL for a naive UTC timestamp column as epoch milliseconds (a number; NULL stays NULL). */
export const utcMillis = (column: string) => `(extract(epoch from ${column} at time zone 'UTC') * 1000)::float8`;

/** SQL for a naive Tashkent wall-clock timestamp column (the legacy `customer.created_at`) as epoch milliseconds. */
export const tashkentMillis = (column: string) =>
  `(extract(epoch from ${column} at time zone 'Asia/Tashkent') * 1000)::float8`;
