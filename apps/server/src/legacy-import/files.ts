import { createWriteStream } from 'node:fs';
import { mkdtemp, open, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { sniffAudio, sniffImage } from '@cims/contracts/rules';
import { query } from '../db/sql.js';
import { PROFILE_IMAGE_FOLDER, PROFILE_IMAGE_URL } from '../modules/auth/profile.service.js';
import { AUDIO_FOLDER } from '../modules/crm/audio.js';
import type { BlobStore } from '../modules/files/blob-store.js';
import type { LegacyRecording } from './crm.js';
import type { StepContext } from './step.js';

/** Where the legacy files are and how to fetch them. */
export interface FileSources {
  /** The legacy server's `images/` folder (`--files-dir`). */
  filesDir?: string;
  /** The Bot API the legacy app stored call recordings through; without a token they are reported, not imported. */
  telegram?: { token: string; baseUrl: string };
  blobs: BlobStore;
  /** Aborting it (Ctrl-C) stops the import at the next batch or download; nothing is written. */
  signal?: AbortSignal;
}

/** Files written to the blob store by this import: deleted again if it does not commit. */
export type StoredFiles = { folder: string; name: string }[];

/** What a file step works with besides its {@link StepContext}: where the files come from and go. */
export interface FileStep {
  sources: FileSources;
  /** Each file the step stores is added here, so that it is removed again if the import does not commit. */
  stored: StoredFiles;
}

const HEAD = 16;

async function firstBytes(file: string): Promise<Uint8Array> {
  const handle = await open(file, 'r');
  try {
    const buffer = new Uint8Array(HEAD);
    const { bytesRead } = await handle.read(buffer, 0, HEAD, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** A legacy user's picture: the URL path `user.profile_image` holds. */
export interface LegacyPicture {
  userId: number;
  reference: string;
}

/** The pictures of the imported users (read before the legacy snapshot closes). */
export async function profileImagesOf(ctx: StepContext): Promise<LegacyPicture[]> {
  const rows = await ctx.source.rows(
    `select id, profile_image from "user" where profile_image is not null and btrim(profile_image) <> '' order by id`,
  );
  return rows
    .filter((row) => ctx.imported.users.has(Number(row.id)))
    .map((row) => ({ userId: Number(row.id), reference: String(row.profile_image).trim() }));
}

/**
 * Profile pictures: `user.profile_image` is a URL path like `/images/profil_images/<hex>.png` under the legacy server's
 * `images/` folder. Each file found there (and only there: no path leaves the folder) that is a picture is stored
 * in the blob store and becomes the user's picture; every other one is listed as not imported.
 */
export async function importProfileImages(
  ctx: StepContext,
  { pictures, sources, stored }: FileStep & { pictures: readonly LegacyPicture[] },
): Promise<void> {
  const files = ctx.report.files.profile_images;
  // Already resolved by the caller (symbolic links followed), so the prefix check below compares real paths.
  const root = sources.filesDir;
  for (const { userId, reference } of pictures) {
    files.referenced++;
    const missing = (reason: string) => files.missing.push({ table: 'user', id: String(userId), reason });
    if (!root) {
      missing(`${reference}: no --files-dir given`);
      continue;
    }
    const candidate = path.resolve(root, reference.replace(/^\/?images\//, ''));
    const real = await realpath(candidate).catch(() => undefined);
    if (!real?.startsWith(`${root}${path.sep}`)) {
      missing(`${reference}: ${real ? 'outside --files-dir' : 'no such file in --files-dir'}`);
      continue;
    }
    if (!(await stat(real)).isFile()) {
      missing(`${reference}: not a file`);
      continue;
    }
    const type = sniffImage(await firstBytes(real));
    if (!type) {
      missing(`${reference}: not a JPEG, PNG, GIF or WebP picture`);
      continue;
    }
    const name = await sources.blobs.put(PROFILE_IMAGE_FOLDER, { path: real }, type.extension);
    stored.push({ folder: PROFILE_IMAGE_FOLDER, name });
    await query(ctx.em, 'update app_user set profile_image = ? where id = ?', [`${PROFILE_IMAGE_URL}/${name}`, userId]);
    files.imported++;
  }
}

/** How many recordings are fetched at once: the Bot API is a shared, rate-limited service. */
const PARALLEL_DOWNLOADS = 4;

/**
 * Call recordings: Telegram file ids in the legacy database. Each is fetched through the Bot API (`getFile`, then the
 * file's URL) into the blob store — a few at a time, each retried when the Bot API asks to wait (429) or fails (5xx,
 * timeout) — and the customers are updated in one statement at the end. A file the Bot API does not serve, or one
 * that is not a recording, is listed as not imported with its file id. The bot token is part of the Bot API's URLs: it
 * never reaches the report or a log.
 */
export async function importRecordings(
  ctx: StepContext,
  { recordings, sources, stored }: FileStep & { recordings: readonly LegacyRecording[] },
): Promise<void> {
  const files = ctx.report.files.recordings;
  files.referenced = recordings.length;
  const missing = (r: LegacyRecording, reason: string) =>
    files.missing.push({ table: 'customer', id: String(r.customerId), reason: `Telegram file ${r.fileId}: ${reason}` });
  const telegram = sources.telegram;
  if (!telegram) {
    for (const r of recordings) missing(r, 'TELEGRAM_AUDIO_BOT_TOKEN is not set');
    return;
  }
  if (recordings.length === 0) return;
  const temp = await mkdtemp(path.join(tmpdir(), 'cims-import-'));
  const fetched: unknown[][] = [];
  ctx.progress.start('call recordings', recordings.length);
  try {
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < recordings.length; i = next++) {
        const recording = recordings[i] as LegacyRecording;
        sources.signal?.throwIfAborted();
        const file = path.join(temp, String(recording.customerId));
        const outcome = await fetchRecording({
          telegram,
          fileId: recording.fileId,
          target: file,
          signal: sources.signal,
        });
        if ('reason' in outcome) missing(recording, outcome.reason);
        else {
          const name = await sources.blobs.put(AUDIO_FOLDER, { path: file }, outcome.extension);
          stored.push({ folder: AUDIO_FOLDER, name });
          fetched.push([recording.customerId, name, outcome.mediaType]);
        }
        await rm(file, { force: true });
        ctx.progress.advance(1);
      }
    };
    // Every worker has ended before this returns, also when one fails: no file is stored after the cleanup.
    const results = await Promise.allSettled(Array.from({ length: PARALLEL_DOWNLOADS }, worker));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  } finally {
    ctx.progress.done();
    await rm(temp, { recursive: true, force: true });
  }
  await query(
    ctx.em,
    `update customer c set audio_file_id = f.name, audio_media_type = f.media_type
       from unnest(cast(? as int[]), cast(? as text[]), cast(? as text[])) as f(id, name, media_type)
      where c.id = f.id`,
    [fetched.map((f) => f[0]), fetched.map((f) => f[1]), fetched.map((f) => f[2])],
  );
  files.imported = fetched.length;
}

type Fetched = { mediaType: string; extension: string } | { reason: string };
/** A failure worth another try (a 429, a 5xx, a timeout), with the wait the Bot API asked for, if any. */
type Retry = { retry: string; afterSeconds?: number };

/** Attempts per file; the waits between them grow (1 s, 4 s) or are what a 429 names (at most a minute). */
const ATTEMPTS = 3;

/** One recording to fetch from the Bot API into the file `target`. */
interface Download {
  telegram: { token: string; baseUrl: string };
  fileId: string;
  target: string;
  signal: AbortSignal | undefined;
}

/** One recording into `target`: the Bot API's answer, retried when it is worth another try. */
async function fetchRecording(download: Download): Promise<Fetched> {
  const { signal } = download;
  for (let attempt = 1; ; attempt++) {
    const outcome = await fetchOnce(download);
    if (!('retry' in outcome)) return outcome;
    if (attempt === ATTEMPTS) return { reason: `${outcome.retry} (${ATTEMPTS} attempts)` };
    await sleep(Math.min(60, outcome.afterSeconds ?? 4 ** (attempt - 1)) * 1000, undefined, { signal });
  }
}

async function fetchOnce({ telegram, fileId, target, signal }: Download): Promise<Fetched | Retry> {
  const base = telegram.baseUrl.replace(/\/+$/, '');
  const within = (ms: number) =>
    signal ? AbortSignal.any([signal, AbortSignal.timeout(ms)]) : AbortSignal.timeout(ms);
  const failed = (status: number, reason: string, afterSeconds?: number): Fetched | Retry =>
    status === 429 || status >= 500 ? { retry: reason, afterSeconds } : { reason };
  try {
    const url = `${base}/bot${telegram.token}/getFile?file_id=${encodeURIComponent(fileId)}`;
    const answer = await fetch(url, { signal: within(30_000) });
    const body = (await answer.json().catch(() => undefined)) as
      | { ok?: boolean; description?: string; result?: { file_path?: string }; parameters?: { retry_after?: number } }
      | undefined;
    if (!body?.ok || !body.result?.file_path) {
      return failed(
        answer.status,
        `getFile: ${body?.description ?? `HTTP ${answer.status}`}`,
        body?.parameters?.retry_after,
      );
    }
    const download = await fetch(`${base}/file/bot${telegram.token}/${body.result.file_path}`, {
      signal: within(300_000),
    });
    if (!download.ok || !download.body) return failed(download.status, `download: HTTP ${download.status}`);
    await pipeline(
      Readable.fromWeb(download.body as import('node:stream/web').ReadableStream),
      createWriteStream(target),
    );
    return sniffAudio(await firstBytes(target)) ?? { reason: 'not a recording in a format the CRM plays' };
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    // Only the error's kind: a message could carry the URL, and the URL carries the bot token.
    return { retry: (error as Error).name === 'TimeoutError' ? 'timed out' : 'the Bot API could not be reached' };
  }
}

/** Deletes the files an import stored, when it did not commit. */
export async function removeStored(blobs: BlobStore, stored: StoredFiles): Promise<void> {
  for (const file of stored) await blobs.delete(file.folder, file.name);
}
