import path from 'node:path';
import type { Config } from '../../config.js';
import { type BlobStore, localBlobStore } from './blob-store.js';
import type { S3BlobStoreOptions } from './s3-blob-store.js';

/**
 * The bucket's store, with the AWS SDK loaded on first use (the start's check) rather than with the server: a server
 * without `S3_BUCKET` never loads it.
 */
function deferredS3BlobStore(options: S3BlobStoreOptions): BlobStore {
  let store: BlobStore | undefined;
  let loading: Promise<BlobStore> | undefined;
  const load = () => {
    loading ??= import('./s3-blob-store.js').then(({ s3BlobStore }) => {
      store = s3BlobStore(options);
      return store;
    });
    return loading;
  };
  return {
    kind: 's3',
    put: async (folder, source, extension) => (await load()).put(folder, source, extension),
    open: async (folder, name) => (await load()).open(folder, name),
    delete: async (folder, name) => (await load()).delete(folder, name),
    list: async (folder) => (await load()).list(folder),
    check: async (signal) => (await load()).check(signal),
    close: () => store?.close?.(),
  };
}

/** The store the configuration names: the bucket of `S3_BUCKET` when set, else `blobs/` in the data folder. */
export function createBlobStore(config: Pick<Config, 'dataDir' | 'objectStore'>): BlobStore {
  return config.objectStore
    ? deferredS3BlobStore(config.objectStore)
    : localBlobStore(path.join(config.dataDir, 'blobs'));
}
