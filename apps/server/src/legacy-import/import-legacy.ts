import { realpath } from 'node:fs/promises';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { TokenCipher } from '../crypto/token-cipher.js';
import type { Orm } from '../db/orm.js';
import { query } from '../db/sql.js';
import { countCodes, importPages, importPermissions, importRoles, importSessions, importUsers } from './accounts.js';
import { importAudit, importInstagram } from './activity.js';
import { importAssignments, importCustomers, importHistory, importNotes, importStatuses } from './crm.js';
import { legacyFernetKey } from './fernet.js';
import {
  type FileSources,
  importProfileImages,
  importRecordings,
  profileImagesOf,
  removeStored,
  type StoredFiles,
} from './files.js';
import { LegacySource } from './legacy-source.js';
import { type Progress, silentProgress } from './progress.js';
import { type ImportReport, ReportBuilder } from './report.js';
import type { StepContext } from './step.js';
import { lockTarget, moveSequences, occupiedBy, SEQUENCED } from './target.js';

/** What `pnpm cims import-legacy` is given. */
export interface ImportOptions extends FileSources {
  /** The legacy database's URL; it is only read. */
  legacyUrl: string;
  /** The legacy `FERNET_PASSWORD`. */
  fernetPassword: string;
  /** Do all the work, then roll back. */
  dryRun?: boolean;
  /** Import the rows that can be, and list the others, instead of importing nothing. */
  skipInvalid?: boolean;
  progress?: Progress;
  /** Rows per statement for the big tables. @default 2000 */
  batchSize?: number;
  /** The region of phone numbers without a country code, to store valid ones as E.164 (`DEFAULT_PHONE_REGION`). */
  phoneRegion: string;
}

/** The target database already holds data: an import only goes into an empty one. */
export class TargetNotEmptyError extends Error {
  override name = 'TargetNotEmptyError';
  constructor(readonly found: string[]) {
    super(
      `The target database is not empty: it has ${found.join('; ')}. Import into a new database (an empty ` +
        'DATABASE_URL, or a new CIMS_DATA_DIR for the embedded one) — docs/cut-over.md.',
    );
  }
}

/** Thrown inside the transaction to roll it back once the report is complete. */
class RollBack extends Error {}

/**
 * Imports a legacy CIMS database into this server's (empty) database in one transaction: it commits at the end, or
 * not at all (a dry run, or rows that cannot be imported without `skipInvalid`). The legacy side is read in one
 * read-only snapshot. Files go to the blob store as they are fetched and are deleted again when nothing commits.
 */
export async function importLegacy(orm: Orm, cipher: TokenCipher, options: ImportOptions): Promise<ImportReport> {
  const report = new ReportBuilder();
  const progress = options.progress ?? silentProgress;
  // A wrong --files-dir is found before the work, not after it.
  const filesDir = options.filesDir ? await realpath(options.filesDir).catch(() => undefined) : undefined;
  if (options.filesDir && !filesDir) throw new Error(`--files-dir ${options.filesDir} does not exist`);
  const source = await LegacySource.open(options.legacyUrl, options.signal);
  const serverVersion = source.serverVersion;
  const stored: StoredFiles = [];
  let committed = false;
  try {
    const em = orm.em.fork() as unknown as EntityManager;
    const found = await occupiedBy(em);
    if (found.length > 0) throw new TargetNotEmptyError(found);
    progress.note('Deriving the legacy key (PBKDF2, 390,000 iterations)…');
    const fernetKey = legacyFernetKey(options.fernetPassword);
    const legacyMax = await legacyMaxima(source);
    try {
      await em.transactional(async (tx) => {
        const trx = tx as unknown as EntityManager;
        // The import is one long transaction by design; the server's per-statement bounds are for requests.
        await query(trx, 'set local statement_timeout = 0');
        await query(trx, 'set local lock_timeout = 0');
        // Nobody else writes these tables until the import ends; re-checked under the lock.
        await lockTarget(trx);
        const late = await occupiedBy(trx);
        if (late.length > 0) throw new TargetNotEmptyError(late);
        const ctx: StepContext = {
          source,
          em: trx,
          report,
          progress,
          fernetKey,
          cipher,
          now: new Date(),
          batchSize: options.batchSize ?? 2000,
          legacyMax,
          phoneRegion: options.phoneRegion,
          imported: { users: new Set(), customers: new Set(), statuses: new Set(), pages: new Map(), roles: new Map() },
        };
        await importPages(ctx);
        await importRoles(ctx);
        await importUsers(ctx);
        await importPermissions(ctx);
        await importSessions(ctx);
        await countCodes(ctx);
        await importStatuses(ctx);
        const recordings = await importCustomers(ctx);
        await importNotes(ctx);
        await importAssignments(ctx);
        await importHistory(ctx);
        await importAudit(ctx);
        await importInstagram(ctx);
        const pictures = await profileImagesOf(ctx);
        // The last legacy read: no transaction stays open on the legacy server while files are fetched.
        await source.close();
        await importProfileImages(ctx, { pictures, sources: { ...options, filesDir }, stored });
        await importRecordings(ctx, { recordings, sources: options, stored });
        await moveSequences(trx, legacyMax);
        // Ctrl-C during the last downloads still rolls back: this is the last point before the commit.
        options.signal?.throwIfAborted();
        if (options.dryRun || (report.invalid.length > 0 && !options.skipInvalid)) throw new RollBack();
      });
      committed = true;
    } catch (error) {
      if (!(error instanceof RollBack)) throw error;
    }
    return report.finish(options.dryRun ? 'dry-run' : 'import', committed ? 'committed' : 'rolled back', serverVersion);
  } finally {
    if (!committed) await removeStored(options.blobs, stored);
    await source.close();
  }
}

/** The highest id of each legacy table whose ids are kept, by target table, read in the snapshot. */
async function legacyMaxima(source: LegacySource): Promise<Record<string, number>> {
  const maxima: Record<string, number> = {};
  for (const [table, legacy] of Object.entries(SEQUENCED)) {
    if (!legacy) continue;
    const [row] = await source.rows(`select coalesce(max(id), 0) as n from ${legacy}`);
    maxima[table] = Number(row?.n ?? 0);
  }
  return maxima;
}
