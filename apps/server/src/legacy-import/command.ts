import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadConfig } from '../config.js';
import { loadTokenCipher } from '../crypto/token-cipher.js';
import { type Database, migrate } from '../db/orm.js';
import type { BlobStore } from '../modules/files/blob-store.js';
import { createBlobStore } from '../modules/files/create-blob-store.js';
import { readSecretFiles } from '../secret-files.js';
import { importLegacy } from './import-legacy.js';
import { silentProgress, streamProgress } from './progress.js';
import { renderReport } from './report.js';
import { renderChecks, verifyImport } from './verify.js';

/**
 * The import's own settings, from the environment (secrets never come as options: they would show in `ps`).
 * docs/configuration.md lists them (a test checks it).
 */
export const ImportEnvSchema = z.object({
  FERNET_PASSWORD: z.string().min(1, 'FERNET_PASSWORD (the legacy app’s setting) is required'),
  TELEGRAM_AUDIO_BOT_TOKEN: z.string().min(1).optional(),
  TELEGRAM_API_BASE_URL: z.string().url().default('https://api.telegram.org'),
});

/** The import's secrets that may come from a file, as `<NAME>_FILE` (see secret-files.ts). */
export const IMPORT_SECRET_FILE_VARIABLES = ['FERNET_PASSWORD', 'TELEGRAM_AUDIO_BOT_TOKEN'] as const;

/** Reads the import's settings; every problem in one message, never a secret's value. */
export function loadImportEnv(
  source: Record<string, string | undefined> = process.env,
): z.infer<typeof ImportEnvSchema> {
  const files = readSecretFiles(source, IMPORT_SECRET_FILE_VARIABLES);
  const env = ImportEnvSchema.safeParse(files.env);
  const problems = [
    ...files.problems,
    ...(env.success ? [] : env.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)),
  ];
  if (problems.length > 0 || !env.success) throw new Error(problems.join('\n'));
  return env.data;
}

export const IMPORT_USAGE = `  import-legacy --from URL [--dry-run] [--skip-invalid] [--report FILE] [--files-dir DIR] [--quiet]
                               Import a legacy CIMS PostgreSQL database (read-only) into this empty database, in one
                               transaction. FERNET_PASSWORD is the legacy key; TELEGRAM_AUDIO_BOT_TOKEN fetches call
                               recordings. Exits 1 when rows could not be imported (listed) and nothing was written.
  import-legacy --from URL --verify [--sample N]
                               Compare the two databases after an import: counts, and a sample field by field.`;

/** `pnpm cims import-legacy …`; runs inside the CLI's database (locked, migrated). */
export async function importLegacyCommand(args: string[], db: Database): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      from: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      'skip-invalid': { type: 'boolean', default: false },
      report: { type: 'string' },
      'files-dir': { type: 'string' },
      verify: { type: 'boolean', default: false },
      sample: { type: 'string', default: '100' },
      quiet: { type: 'boolean', default: false },
    },
  });
  if (!values.from) throw new Error('--from <legacy database URL> is required');
  const env = { data: loadImportEnv() };
  await migrate(db.orm);
  if (values.verify) {
    const sample = Number(values.sample);
    if (!Number.isInteger(sample) || sample < 0) throw new Error('--sample must be a whole number');
    const checks = await verifyImport(db.orm, {
      legacyUrl: values.from,
      fernetPassword: env.data.FERNET_PASSWORD,
      phoneRegion: loadConfig().crm.phoneRegion,
      sample,
    });
    console.log(renderChecks(checks));
    return checks.every((check) => check.ok) ? 0 : 1;
  }
  const config = loadConfig();
  // Files go where the server keeps them (the data folder, or the bucket of S3_BUCKET); a bucket that cannot be used
  // stops the import before anything is read.
  const blobs = createBlobStore(config);
  try {
    await blobs.check(AbortSignal.timeout(BLOB_STORE_CHECK_MS));
    return await runImport({ options: { ...values, from: values.from }, env: env.data, config, db, blobs });
  } finally {
    blobs.close?.();
  }
}

/** How long the object store may take to answer before the import gives up. */
const BLOB_STORE_CHECK_MS = 15_000;

/** What an import (not a verification) runs with: the command's options, its settings and where it writes. */
interface ImportRun {
  options: {
    from: string;
    'dry-run': boolean;
    'skip-invalid': boolean;
    report?: string;
    'files-dir'?: string;
    quiet: boolean;
  };
  env: z.infer<typeof ImportEnvSchema>;
  config: ReturnType<typeof loadConfig>;
  db: Database;
  /** The checked object store the recordings and pictures go to. */
  blobs: BlobStore;
}

async function runImport({ options: values, env, config, db, blobs }: ImportRun): Promise<number> {
  // Ctrl-C stops at the next batch and rolls back (the downloaded files are removed); a second one quits at once.
  const stop = new AbortController();
  const interrupt = () => {
    if (stop.signal.aborted) process.exit(130);
    console.error('\nStopping: rolling back, nothing will be written…');
    stop.abort(new Error('Interrupted: nothing was written.'));
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  const report = await importLegacy(db.orm, loadTokenCipher(config), {
    signal: stop.signal,
    legacyUrl: values.from,
    fernetPassword: env.FERNET_PASSWORD,
    dryRun: values['dry-run'],
    skipInvalid: values['skip-invalid'],
    filesDir: values['files-dir'] ? path.resolve(values['files-dir']) : undefined,
    telegram: env.TELEGRAM_AUDIO_BOT_TOKEN
      ? { token: env.TELEGRAM_AUDIO_BOT_TOKEN, baseUrl: env.TELEGRAM_API_BASE_URL }
      : undefined,
    blobs,
    phoneRegion: config.crm.phoneRegion,
    progress: values.quiet ? silentProgress : streamProgress(process.stderr),
  });
  process.off('SIGINT', interrupt);
  process.off('SIGTERM', interrupt);
  if (values.report) writeFileSync(values.report, `${JSON.stringify(report, null, 2)}\n`);
  console.log(renderReport(report));
  return report.invalid.length > 0 && !values['skip-invalid'] ? 1 : 0;
}
