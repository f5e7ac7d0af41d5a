/** What happened to one table's rows. */
export interface TableCounts {
  /** Rows in the legacy table (in the snapshot). */
  read: number;
  /** Rows written here. */
  imported: number;
  /** Rows that could not be imported (each is listed in `invalid`). */
  skipped: number;
  /** Rows left out by design (an expired session, a used code, …), with the reasons in `omitted`. */
  omitted: number;
}

/** A legacy row, by table and id, and what is wrong with it or what changed. */
export interface RowNote {
  table: string;
  id: string;
  reason: string;
}

/** A user whose powers here differ from what the legacy app gave them. */
export interface PowerChange {
  user_id: number;
  email: string;
  legacy_role: string;
  legacy_company_code: string;
  role: string;
  changes: string[];
}

/** Files referenced by the legacy database. */
export interface FileCounts {
  referenced: number;
  imported: number;
  /** Each file that was not brought across, with the reason. */
  missing: RowNote[];
}

/** The import report (`--report FILE` writes it as JSON). */
export interface ImportReport {
  /** `import` or `dry-run`. */
  mode: 'import' | 'dry-run';
  /**
   * `committed`: everything listed as imported is in the database. `rolled back`: a dry run, or the import found rows
   * it could not take (see `invalid`) without `--skip-invalid`; nothing was written.
   */
  outcome: 'committed' | 'rolled back';
  started_at: string;
  finished_at: string;
  seconds: number;
  source: { server_version: string };
  tables: Record<string, TableCounts>;
  /** Every row that could not be imported. */
  invalid: RowNote[];
  /** Rows left out by design, counted by table and reason. */
  omitted: { table: string; reason: string; count: number }[];
  /** Rows imported with a change (a dangling label dropped, an out-of-range score cleared, …). */
  adjusted: RowNote[];
  /** Users whose powers differ from the legacy app's (the CEO mapping: docs/cut-over.md). */
  powers: PowerChange[];
  files: { profile_images: FileCounts; recordings: FileCounts };
}

/** Collects the report while the import runs. */
export class ReportBuilder {
  readonly #started = new Date();
  readonly tables: Record<string, TableCounts> = {};
  readonly invalid: RowNote[] = [];
  readonly adjusted: RowNote[] = [];
  readonly powers: PowerChange[] = [];
  readonly #omitted = new Map<string, { table: string; reason: string; count: number }>();
  readonly files = {
    profile_images: { referenced: 0, imported: 0, missing: [] as RowNote[] },
    recordings: { referenced: 0, imported: 0, missing: [] as RowNote[] },
  };

  #counts(table: string): TableCounts {
    this.tables[table] ??= { read: 0, imported: 0, skipped: 0, omitted: 0 };
    return this.tables[table];
  }

  read(table: string, n: number): void {
    this.#counts(table).read += n;
  }

  imported(table: string, n: number): void {
    this.#counts(table).imported += n;
  }

  /** A row that cannot be imported. */
  skip(table: string, id: unknown, reason: string): void {
    this.#counts(table).skipped++;
    this.invalid.push({ table, id: String(id), reason });
  }

  /** Rows left out by design. */
  omit(table: string, reason: string, n = 1): void {
    if (n === 0) return;
    this.#counts(table).omitted += n;
    const key = `${table}\u0000${reason}`;
    const entry = this.#omitted.get(key) ?? { table, reason, count: 0 };
    entry.count += n;
    this.#omitted.set(key, entry);
  }

  /** A row imported with a change. */
  adjust(table: string, id: unknown, reason: string): void {
    this.adjusted.push({ table, id: String(id), reason });
  }

  finish(mode: ImportReport['mode'], outcome: ImportReport['outcome'], serverVersion: string): ImportReport {
    const finished = new Date();
    return {
      mode,
      outcome,
      started_at: this.#started.toISOString(),
      finished_at: finished.toISOString(),
      seconds: Math.round((finished.getTime() - this.#started.getTime()) / 100) / 10,
      source: { server_version: serverVersion },
      tables: this.tables,
      invalid: this.invalid,
      omitted: [...this.#omitted.values()],
      adjusted: this.adjusted,
      powers: this.powers,
      files: this.files,
    };
  }
}

/** How many listed rows the terminal shows per list; the JSON report has them all. */
const SHOWN = 20;

function listing(title: string, notes: readonly RowNote[]): string[] {
  if (notes.length === 0) return [];
  const lines = [`${title} (${notes.length}):`];
  for (const note of notes.slice(0, SHOWN)) lines.push(`  ${note.table} ${note.id}: ${note.reason}`);
  if (notes.length > SHOWN) lines.push(`  … and ${notes.length - SHOWN} more (all of them are in --report)`);
  return lines;
}

/** The report as the terminal shows it: a table of counts, then what was skipped, changed or left out. */
export function renderReport(report: ImportReport): string {
  const header = ['table', 'read', 'imported', 'skipped', 'omitted'];
  const rows = Object.entries(report.tables).map(([table, c]) => [
    table,
    String(c.read),
    String(c.imported),
    String(c.skipped),
    String(c.omitted),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  const out = [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line), ''];
  for (const [name, files] of Object.entries(report.files)) {
    if (files.referenced === 0) continue;
    out.push(`${name.replace('_', ' ')}: ${files.imported} of ${files.referenced} imported`);
    out.push(...listing(`  not imported`, files.missing));
  }
  out.push(...listing('Rows that could not be imported', report.invalid));
  out.push(...listing('Rows imported with a change', report.adjusted));
  if (report.omitted.length > 0) {
    out.push('Left out by design:');
    for (const o of report.omitted) out.push(`  ${o.table}: ${o.count} ${o.reason}`);
  }
  if (report.powers.length > 0) {
    out.push(`Users whose powers differ from the legacy app's (${report.powers.length}):`);
    for (const p of report.powers.slice(0, SHOWN)) out.push(`  ${p.user_id} ${p.email}: ${p.changes.join('; ')}`);
    if (report.powers.length > SHOWN) out.push(`  … and ${report.powers.length - SHOWN} more (see --report)`);
  }
  const verdict =
    report.outcome === 'committed'
      ? 'Imported: the database holds everything counted as imported.'
      : report.mode === 'dry-run'
        ? 'Dry run: everything was done and rolled back; nothing was written.'
        : 'Nothing was written: rows could not be imported (listed above). Fix them in the legacy database, or run ' +
          'again with --skip-invalid to import the rest.';
  out.push('', `${verdict} (${report.seconds} s)`);
  return out.join('\n');
}
