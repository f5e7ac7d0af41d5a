import type { UploadedFile } from '../files/upload-check.js';
import { AUDIO_FOLDER } from './audio.js';
import type { CustomerContext } from './customer-context.js';

/** An uploaded recording: already recognised by its first bytes and on disk (see `http/multipart.ts`). */
export type UploadedAudio = Pick<UploadedFile, 'path' | 'mediaType' | 'extension'>;

/** A recording stored in the blob store, ready to be referenced by a customer row. */
export interface StoredAudio {
  fileId: string;
  mediaType: string;
}

/**
 * Runs `work` with the upload stored (when there is one); when `work` fails, the stored file is removed again, so a
 * failed request leaves no file behind.
 */
export async function withNewAudio<T>(
  ctx: CustomerContext,
  audio: UploadedAudio | undefined,
  work: (stored: StoredAudio | undefined) => Promise<T>,
): Promise<T> {
  const stored = audio
    ? {
        fileId: await ctx.deps.blobs.put(AUDIO_FOLDER, { path: audio.path }, audio.extension),
        mediaType: audio.mediaType,
      }
    : undefined;
  try {
    return await work(stored);
  } catch (error) {
    if (stored) await discardRecording(ctx, stored.fileId);
    throw error;
  }
}

/** Removes a recording no row references any more. A failure is logged: the change itself has happened. */
export async function discardRecording(ctx: CustomerContext, fileId: string): Promise<void> {
  try {
    await ctx.deps.blobs.delete(AUDIO_FOLDER, fileId);
  } catch (error) {
    ctx.deps.logger.error({ err: error, fileId }, 'Could not remove a recording');
  }
}

/** Removes the recordings of deleted customers (`returning audio_file_id`), once their deletion is committed. */
export async function discardRecordings(
  ctx: CustomerContext,
  rows: readonly { audio_file_id: string | null }[],
): Promise<void> {
  for (const row of rows) if (row.audio_file_id !== null) await discardRecording(ctx, row.audio_file_id);
}
