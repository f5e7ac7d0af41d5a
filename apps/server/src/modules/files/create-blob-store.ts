import path from 'node:path';
import type { Config } from '../../config.js';
import { type BlobStore, localBlobStore } from './blob-store.js';
import { s3BlobStore } from './s3-blob-store.js';

/** The store the configuration names: the bucket of `S3_BUCKET` when set, else `blobs/` in the data folder. */
export function createBlobStore(config: Pick<Config, 'dataDir' | 'objectStore'>): BlobStore {
  return config.objectStore ? s3BlobStore(config.objectStore) : localBlobStore(path.join(config.dataDir, 'blobs'));
}
