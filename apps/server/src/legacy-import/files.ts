import { createWriteStream } from 'node:fs';
import { mkdtemp, open, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { query } from '../db/sql.js';
import { PROFILE_IMAGE_FOLDER, PROFILE_IMAGE_URL } from '../modules/auth/auth.service.js';
import { AUDIO_FOLDER, sniffAudio } from '../modules/crm/audio.js';
import { type BlobStore, sniffImage } from '../modules/files/blob-store.js';
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

/**
 * Profile pictures: `user.profile_image` is a URL path like `/images/profil_images/<hex>.png` under the legacy server's
 * `images/` folder. Each file found there (and only there: no path leaves the folder) that is a picture is stored
 * in the blob store and becomes the user's picture; every other one is listed as not imported.
 */
export async function importProfileImages(ctx: StepContext, sources: FileSources, stored: StoredFiles): Promise<void> {
  const { report } = ctx;
  const files = report.files.profile_images;
  const rows = await ctx.source.rows(
    `select id, profile_image from "user" where profile_image is not null and btrim(profile_image) <> '' order by id`,
  );
  const root = sources.filesDir ? await realpath(sources.filesDir).catch(() => undefined) : undefined;
  if (sources.filesDir && !root) throw new Error(`--files-dir ${sources.filesDir} does not exist`);
  for (const row of rows) {
    const userId = Number(row.id);
    if (!ctx.imported.users.has(userId)) continue;
    files.referenced++;
    const reference = String(row.profile_image).trim();
    const missing = (reason: string) => files.missing.push({ table: 'user', id: String(userId), reason });
    if (!root) {
      missing(`${reference}: no --files-dir given`);
      continue;
    }
    const relative = reference.replace(/^\/?images\//, '');
    const candidate = path.resolve(root, relative);
    const real = await realpath(candidate).catch(() => undefined);
    if (!real || !(await stat(real)).isFile()) {
      missing(`${reference}: no such file in --files-dir`);
      continue;
    }
    if (!real.startsWith(`${root}${path.sep}`)) {
      missing(`${reference}: outside --files-dir`);
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
 * file's URL) into the blob store; a file the Bot API no longer serves, or one that is not a recording, is listed as not
 * imported. The bot token is part of the Bot API's URLs: it never reaches the report or a log.
 */
export async function importRecordings(
  ctx: StepContext,
  recordings: readonly LegacyRecording[],
  sources: FileSources,
  stored: StoredFiles,
): Promise<void> {
  const files = ctx.report.files.recordings;
  files.referenced = recordings.length;
  const telegram = sources.telegram;
  if (!telegram) {
    for (const r of recordings) {
      files.missing.push({
        table: 'customer',
        id: String(r.customerId),
        reason: 'TELEGRAM_AUDIO_BOT_TOKEN is not set',
      });
    }
    return;
  }
  if (recordings.length === 0) return;
  const temp = await mkdtemp(path.join(tmpdir(), 'cims-import-'));
  ctx.progress.start('call recordings', recordings.length);
  try {
    let next = 0;
    const worker = async () => {
      while (next < recordings.length) {
        const recording = recordings[next++];
        if (!recording) return;
        sources.signal?.throwIfAborted();
        const outcome = await fetchRecording(telegram, recording.fileId, path.join(temp, String(recording.customerId)));
        if ('reason' in outcome) {
          files.missing.push({ table: 'customer', id: String(recording.customerId), reason: outcome.reason });
        } else {
          const name = await sources.blobs.put(AUDIO_FOLDER, { path: outcome.file }, outcome.extension);
          stored.push({ folder: AUDIO_FOLDER, name });
          await rm(outcome.file, { force: true });
          await query(ctx.em, 'update customer set audio_file_id = ?, audio_media_type = ? where id = ?', [
            name,
            outcome.mediaType,
            recording.customerId,
          ]);
          files.imported++;
        }
        ctx.progress.advance(1);
      }
    };
    // The updates run on the transaction's one connection, one at a time; the downloads overlap.
    await Promise.all(Array.from({ length: PARALLEL_DOWNLOADS }, worker));
  } finally {
    ctx.progress.done();
    await rm(temp, { recursive: true, force: true });
  }
}

type Fetched = { file: string; mediaType: string; extension: string } | { reason: string };

async function fetchRecording(
  telegram: { token: string; baseUrl: string },
  fileId: string,
  target: string,
): Promise<Fetched> {
  const base = telegram.baseUrl.replace(/\/+$/, '');
  try {
    const url = `${base}/bot${telegram.token}/getFile?file_id=${encodeURIComponent(fileId)}`;
    const answer = await fetch(url, { signal: AbortSignal.timeout(30_000) });
    const body = (await answer.json().catch(() => undefined)) as
      | { ok?: boolean; description?: string; result?: { file_path?: string } }
      | undefined;
    if (!body?.ok || !body.result?.file_path) {
      return { reason: `Telegram getFile: ${body?.description ?? `HTTP ${answer.status}`}` };
    }
    const download = await fetch(`${base}/file/bot${telegram.token}/${body.result.file_path}`, {
      signal: AbortSignal.timeout(300_000),
    });
    if (!download.ok || !download.body) return { reason: `Telegram file download: HTTP ${download.status}` };
    await pipeline(
      Readable.fromWeb(download.body as import('node:stream/web').ReadableStream),
      createWriteStream(target),
    );
    const type = sniffAudio(await firstBytes(target));
    if (!type) {
      await rm(target, { force: true });
      return { reason: 'not a recording in a format the CRM plays' };
    }
    return { file: target, ...type };
  } catch (error) {
    // Only the error's kind: a message could carry the URL, and the URL carries the bot token.
    await rm(target, { force: true });
    const name = (error as Error).name === 'TimeoutError' ? 'timed out' : 'the Bot API could not be reached';
    return { reason: `Telegram: ${name}` };
  }
}

/** Deletes the files an import stored, when it did not commit. */
export async function removeStored(blobs: BlobStore, stored: StoredFiles): Promise<void> {
  for (const file of stored) await blobs.delete(file.folder, file.name);
}
