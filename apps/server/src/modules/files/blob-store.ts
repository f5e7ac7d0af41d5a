import { randomUUID } from 'node:crypto';
import { constants, createReadStream, createWriteStream } from 'node:fs';
import { access, mkdir, open, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FILE_MESSAGES, sniffImage } from '@cims/contracts/rules';
import { ApiError } from '../../errors.js';
import type { UploadCheck } from './upload-check.js';

/** What {@link BlobStore.put} stores: bytes in memory, or a file on disk (an upload), which is streamed, not read whole. */
export type BlobSource = Uint8Array | { readonly path: string };

/** A stored file opened for reading. Read it once, or close it. */
export interface OpenedBlob {
  /** Its size in bytes. */
  size: number;
  /** Streams the bytes from `start` to `end` (both included; default: the whole file), then closes the file. */
  read(range?: { start: number; end: number }): Readable;
  /** Closes the file without reading it. */
  close(): Promise<void>;
}

/**
 * Where uploaded files live: a local folder (the default) or an S3-compatible bucket (`S3_BUCKET`, see
 * s3-blob-store.ts). Names are never reused, so a stored file never changes; it is only deleted.
 */
export interface BlobStore {
  /** What the readiness probe and start-up messages call it. */
  readonly kind: 'local' | 's3';
  /** Stores bytes, or a file's content, under a new, unguessable name in `folder`; returns the name. */
  put(folder: string, source: BlobSource, extension: string): Promise<string>;
  /** Opens a stored file for reading; undefined when there is no such file. */
  open(folder: string, name: string): Promise<OpenedBlob | undefined>;
  /** Removes a stored file; a missing one is fine. */
  delete(folder: string, name: string): Promise<void>;
  /** The names stored in `folder`, sorted. */
  list(folder: string): Promise<string[]>;
  /** Resolves when the store can be used; rejects with a {@link BlobStoreError} saying why not. */
  check(signal?: AbortSignal): Promise<void>;
  /** Releases its connections (at shutdown). */
  close?(): void;
}

/** The object store cannot be used: a readable reason that names no secret (the bucket, the endpoint, the status). */
export class BlobStoreError extends Error {
  constructor(
    message: string,
    /** True when retrying cannot help (no such bucket, access refused): the configuration is wrong. */
    readonly permanent: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BlobStoreError';
  }
}

/** The names {@link BlobStore.put} gives (a UUID and an extension): anything else is not a stored file. */
export const SAFE_NAME = /^[\w-]+\.[a-z0-9]+$/;

/** Files in a local directory (under the data folder by default). */
export function localBlobStore(root: string): BlobStore {
  return {
    kind: 'local',
    async put(folder, source, extension) {
      const dir = path.join(root, folder);
      await mkdir(dir, { recursive: true });
      const name = `${randomUUID()}.${extension}`;
      const target = path.join(dir, name);
      try {
        if (source instanceof Uint8Array) await writeFile(target, source, { flag: 'wx' });
        else await pipeline(createReadStream(source.path), createWriteStream(target, { flags: 'wx' }));
      } catch (error) {
        // A half-written file is never left behind under a name nobody knows.
        await rm(target, { force: true });
        throw error;
      }
      return name;
    },
    async open(folder, name) {
      if (!SAFE_NAME.test(name)) return undefined;
      // The size and the bytes come from one open file: a delete in between cannot make them disagree.
      const handle = await open(path.join(root, folder, name), 'r').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw error;
      });
      if (!handle) return undefined;
      try {
        const { size } = await handle.stat();
        return {
          size,
          read: (range) => handle.createReadStream({ start: range?.start, end: range?.end, autoClose: true }),
          close: () => handle.close(),
        };
      } catch (error) {
        await handle.close();
        throw error;
      }
    },
    async delete(folder, name) {
      if (!SAFE_NAME.test(name)) return;
      await rm(path.join(root, folder, name), { force: true });
    },
    async list(folder) {
      const names = await readdir(path.join(root, folder)).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return [];
        throw error;
      });
      return names.filter((name) => SAFE_NAME.test(name)).sort();
    },
    async check() {
      try {
        await mkdir(root, { recursive: true });
        await access(root, constants.W_OK);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'unusable';
        throw new BlobStoreError(`The file folder ${root} cannot be written (${code})`, code !== 'EIO', {
          cause: error,
        });
      }
    },
  };
}

/** The media type of each picture extension {@link IMAGE_UPLOAD} stores (those of the contract's `sniffImage`). */
export const IMAGE_MEDIA_TYPES: Readonly<Record<string, string>> = {
  jpg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
};

/** Pictures (the file parts whose declared types are all images): one of the part's types, by their first bytes. */
export const IMAGE_UPLOAD: UploadCheck = {
  accepts: (part) => part.mediaTypes.every((type) => type.startsWith('image/')),
  sniff(head, part) {
    const sniffed = sniffImage(head);
    return sniffed && part.mediaTypes.includes(sniffed.mediaType) ? sniffed : undefined;
  },
  refuse: (part) => new ApiError('INVALID_FILE', FILE_MESSAGES.pictureType(part.mediaTypes)),
};
