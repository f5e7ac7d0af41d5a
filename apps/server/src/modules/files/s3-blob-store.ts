import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { type BlobStore, BlobStoreError, SAFE_NAME } from './blob-store.js';

/** Where the bucket is and how to reach it (`S3_*` in the configuration). */
export interface S3BlobStoreOptions {
  bucket: string;
  /** The store's URL for S3-compatible stores (MinIO, Ceph, R2, …); absent: AWS S3 in {@link region}. */
  endpoint?: string;
  region: string;
  /** Absent: the SDK's default chain (environment, shared files, the instance or task role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Addresses the bucket as `endpoint/bucket` instead of `bucket.endpoint` (what most non-AWS stores need). */
  forcePathStyle: boolean;
}

/** How long opening a connection to the store may take before the call fails (and is retried by the SDK). */
const CONNECTION_TIMEOUT_MS = 5_000;

/** The HTTP status of a failed SDK call, when the store answered. */
function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

/** Whether sending a failed call again may help: the store answered nothing (a reset, a timeout) or a 5xx. */
function isTransient(error: unknown): boolean {
  const status = statusOf(error);
  return status === undefined || status >= 500;
}

/** Statuses that retrying cannot change: the bucket, the keys or the addressing are wrong. */
const PERMANENT_STATUSES = new Set([301, 400, 401, 403, 404]);

/**
 * A failed call as a {@link BlobStoreError}: what could not be done, where, and what the store answered (its status, or
 * the network error's code). Keys and signatures are never part of it.
 */
function storeFailure(action: string, where: string, error: unknown): BlobStoreError {
  const status = statusOf(error);
  const { code, message } = error as { code?: unknown; message?: unknown };
  const reason = status
    ? `it answered ${status}`
    : typeof code === 'string'
      ? code
      : typeof message === 'string' && message
        ? message
        : 'no answer';
  return new BlobStoreError(
    `The object store at ${where} could not ${action} (${reason})`,
    status !== undefined && PERMANENT_STATUSES.has(status),
    { cause: error },
  );
}

/**
 * The SDK's logger. Without one it writes some warnings to the console (a failed streamed upload, which it cannot
 * retry); every failure reaches the server as an error instead, which logs it with the request's context.
 */
const QUIET_SDK_LOGGER = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Files as objects `<folder>/<name>` in one S3 bucket. Uploads stream from their temporary file (the size is known, so
 * nothing is buffered); reads stream from the store, a range as a ranged GET. Names are never reused, so the size read
 * by {@link BlobStore.open} stays the size of the bytes read afterwards (unless the object is deleted in between: the
 * read then fails, and the route ends the response).
 */
export function s3BlobStore(options: S3BlobStoreOptions): BlobStore {
  const where = options.endpoint ? new URL(options.endpoint).origin : `AWS S3 (${options.region})`;
  const client = new S3Client({
    region: options.region,
    endpoint: options.endpoint,
    forcePathStyle: options.forcePathStyle,
    credentials: options.credentials,
    requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS },
    logger: QUIET_SDK_LOGGER,
    // The SDK's default checksums send streamed uploads in the aws-chunked encoding, which S3-compatible stores do not
    // all understand (some keep the framing as part of the file); checksums stay on for AWS itself.
    ...(options.endpoint
      ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }
      : {}),
  });
  const Bucket = options.bucket;
  const key = (folder: string, name: string) => `${folder}/${name}`;

  return {
    kind: 's3',
    async put(folder, source, extension) {
      const name = `${randomUUID()}.${extension}`;
      const Key = key(folder, name);
      if (source instanceof Uint8Array) {
        // Bytes in memory can be sent again: the SDK's own retries apply.
        await client
          .send(new PutObjectCommand({ Bucket, Key, Body: source, ContentLength: source.byteLength }))
          .catch((error: unknown) => {
            throw storeFailure('store a file', where, error);
          });
        return name;
      }
      // A PUT of a stream needs its length up front; the upload's temporary file has one.
      const { size } = await stat(source.path);
      const send = async () => {
        const body = createReadStream(source.path);
        try {
          await client.send(new PutObjectCommand({ Bucket, Key, Body: body, ContentLength: size }));
        } finally {
          // A failed PUT leaves the stream half read and open.
          body.destroy();
        }
      };
      try {
        await send();
      } catch (error) {
        if (!isTransient(error)) throw storeFailure('store a file', where, error);
        // The SDK never retries a streamed body (it cannot rewind a stream), but the file can be read again: one more
        // PUT to the same key (a PUT stores all of its body or nothing).
        await send().catch((again: unknown) => {
          throw storeFailure('store a file', where, again);
        });
      }
      return name;
    },
    async open(folder, name) {
      if (!SAFE_NAME.test(name)) return undefined;
      const Key = key(folder, name);
      const head = await client.send(new HeadObjectCommand({ Bucket, Key })).catch((error: unknown) => {
        if (statusOf(error) === 404) return undefined;
        throw storeFailure('read a file', where, error);
      });
      if (!head) return undefined;
      const pending = new AbortController();
      return {
        size: head.ContentLength ?? 0,
        read(range) {
          const out = new PassThrough();
          // The reader going away (a client that disconnects) stops the download.
          out.on('close', () => pending.abort());
          client
            .send(
              new GetObjectCommand({ Bucket, Key, Range: range ? `bytes=${range.start}-${range.end}` : undefined }),
              { abortSignal: pending.signal },
            )
            .then((object) => {
              if (!(object.Body instanceof Readable)) throw new Error('The object store sent no stream');
              return pipeline(object.Body, out);
            })
            .catch((error: unknown) => out.destroy(error instanceof Error ? error : new Error(String(error))));
          return out;
        },
        async close() {
          pending.abort();
        },
      };
    },
    async delete(folder, name) {
      if (!SAFE_NAME.test(name)) return;
      // Deleting a missing object succeeds in S3.
      await client.send(new DeleteObjectCommand({ Bucket, Key: key(folder, name) })).catch((error: unknown) => {
        throw storeFailure('delete a file', where, error);
      });
    },
    async list(folder) {
      const prefix = `${folder}/`;
      const names: string[] = [];
      let ContinuationToken: string | undefined;
      do {
        const page = await client
          .send(new ListObjectsV2Command({ Bucket, Prefix: prefix, ContinuationToken }))
          .catch((error: unknown) => {
            throw storeFailure('list files', where, error);
          });
        for (const object of page.Contents ?? []) {
          const name = object.Key?.slice(prefix.length);
          if (name && SAFE_NAME.test(name)) names.push(name);
        }
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
      return names.sort();
    },
    async check(signal) {
      try {
        await client.send(new HeadBucketCommand({ Bucket }), { abortSignal: signal });
      } catch (error) {
        const status = statusOf(error);
        if (status === 404) {
          throw new BlobStoreError(`S3_BUCKET: the bucket "${Bucket}" does not exist at ${where}`, true, {
            cause: error,
          });
        }
        if (status === 401 || status === 403) {
          throw new BlobStoreError(
            `S3_BUCKET: access to the bucket "${Bucket}" at ${where} was refused (${status}): check ` +
              'S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY and the bucket policy',
            true,
            { cause: error },
          );
        }
        if (status === 301 || status === 400) {
          throw new BlobStoreError(
            `S3_BUCKET: the bucket "${Bucket}" at ${where} refused the request (${status}): check S3_REGION and ` +
              'S3_FORCE_PATH_STYLE',
            true,
            { cause: error },
          );
        }
        const reason = status ? `it answered ${status}` : (error as Error).message || 'no answer';
        throw new BlobStoreError(`The object store at ${where} is unreachable (${reason})`, false, { cause: error });
      }
    },
    close() {
      client.destroy();
    },
  };
}
