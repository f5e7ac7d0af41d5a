import type { NextFunction, Request, Response } from 'express';
import type { BlobStore } from './blob-store.js';

/** What {@link serveStoredFiles} sends: the folder, the media type of each extension, and how long caches keep a file. */
export interface ServeStoredFilesOptions {
  folder: string;
  /** Extension → `Content-Type`; a name with another extension is not served. */
  mediaTypes: Readonly<Record<string, string>>;
  maxAgeSeconds: number;
}

/**
 * Serves the files of one blob-store folder at `<mount path>/<name>` (GET and HEAD), from whichever store holds them:
 * the server streams the bytes itself, so the local folder and a bucket behave the same. Anything that is not a stored
 * file passes on (to the app's 404).
 */
export function serveStoredFiles(blobs: BlobStore, options: ServeStoredFilesOptions) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const name = req.path.slice(1);
    const mediaType = options.mediaTypes[name.slice(name.lastIndexOf('.') + 1)];
    if (!mediaType) return next();
    try {
      const file = await blobs.open(options.folder, name);
      if (!file) return next();
      res.setHeader('Content-Type', mediaType);
      res.setHeader('Content-Length', String(file.size));
      // A stored name never gets other bytes: caches may keep the file.
      res.setHeader('Cache-Control', `public, max-age=${options.maxAgeSeconds}`);
      if (req.method === 'HEAD' || file.size === 0) {
        await file.close();
        res.end();
        return;
      }
      const body = file.read();
      // A read error after the headers went out cannot become an error response: end the connection instead.
      body.on('error', (error) => {
        req.log.warn({ err: error }, 'Reading a stored file failed after its headers were sent');
        res.destroy();
      });
      res.on('close', () => body.destroy());
      body.pipe(res);
    } catch (error) {
      next(error);
    }
  };
}
