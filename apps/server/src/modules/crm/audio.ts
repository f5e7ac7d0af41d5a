import { createHmac, timingSafeEqual } from 'node:crypto';
import { Readable } from 'node:stream';
import { COMMON_MESSAGES, CRM_MESSAGES, sniffAudio } from '@cims/contracts/rules';
import type { EntityManager } from '@mikro-orm/postgresql';
import parseRange from 'range-parser';
import type { Orm } from '../../db/orm.js';
import { query } from '../../db/sql.js';
import { ApiError } from '../../errors.js';
import type { Caller } from '../auth/caller.js';
import type { BlobStore } from '../files/blob-store.js';
import type { UploadCheck } from '../files/upload-check.js';

/** The blob-store folder of call recordings. */
export const AUDIO_FOLDER = 'customer-audio';

/** Where recordings are served; `audio_url` is this path plus `?expires=…&sig=…`. */
const AUDIO_PATH = '/crm/customers/audio';

/** Call recordings (the file parts that declare audio types): recognised by the contract's `sniffAudio`, else `415`. */
export const AUDIO_UPLOAD: UploadCheck = {
  accepts: (part) => part.mediaTypes.some((type) => type.startsWith('audio/')),
  sniff: (head) => sniffAudio(head),
  refuse: () => new ApiError('UNSUPPORTED_MEDIA_TYPE', CRM_MESSAGES.recordingFormat),
};

export interface AudioServiceDeps {
  orm: Orm;
  blobs: BlobStore;
  /** The HMAC key of signed URLs (derived from the server's secret). */
  key: Uint8Array;
  /** How long a signed URL plays (`AUDIO_URL_TTL_SECONDS`). */
  ttlSeconds: number;
  /**
   * Put before the path of `audio_url` (`PUBLIC_API_URL`): the API's public base when clients reach it under a prefix
   * (`/api`) or another origin. Empty: the URL is relative to the root of the origin the API is served on.
   */
  publicBase?: string;
  /** @default Date.now */
  now?: () => number;
}

/** The query of the audio route. */
export interface AudioQuery {
  expires?: string;
  sig?: string;
}

/** A request to play a recording, as the route received it. */
export interface AudioRequest {
  fileId: string;
  query: AudioQuery;
  /** The caller when an access token was sent (already checked), else undefined: the signature must prove access. */
  caller: Caller | undefined;
  /** `HEAD`: the headers without the bytes. */
  headOnly: boolean;
  /** The `Range` header, if any. */
  range: string | undefined;
}

/** What the route sends: the status, the headers and the bytes (empty for `HEAD`). */
export interface ServedAudio {
  status: 200 | 206;
  headers: Record<string, string>;
  /** The bytes; the route ends the connection when reading fails after the headers went out. */
  body: Readable;
}

const NOT_FOUND = () => new ApiError('NOT_FOUND', CRM_MESSAGES.recordingNotFound);
const BAD_SIGNATURE = (detail: string) => new ApiError('INVALID_SIGNATURE', detail);

/**
 * Call recordings: the signed `audio_url` the API returns, and the route that plays a recording with an access token
 * or such a signature. Signed URLs exist because the legacy client also plays and downloads through plain links,
 * which send no Authorization header; the signature is short-lived and bound to one file.
 */
export class AudioService {
  readonly #now: () => number;

  constructor(readonly deps: AudioServiceDeps) {
    this.#now = deps.now ?? Date.now;
  }

  /** The base64url HMAC-SHA256 of `fileId.expires`. */
  signature(fileId: string, expires: number | string): string {
    return createHmac('sha256', this.deps.key).update(`${fileId}.${expires}`).digest('base64url');
  }

  /**
   * The relative URL that plays `fileId` without a token until `expires` (unix seconds; default: the TTL from now).
   * Only put into responses for callers who may see the customer.
   */
  url(fileId: string, expires = Math.floor(this.#now() / 1000) + this.deps.ttlSeconds): string {
    const base = this.deps.publicBase ?? '';
    return `${base}${AUDIO_PATH}/${encodeURIComponent(fileId)}?expires=${expires}&sig=${this.signature(fileId, expires)}`;
  }

  /** Checks a signature: 403 `INVALID_SIGNATURE` when it is wrong or has expired. */
  #checkSignature(fileId: string, expires: string, sig: string): void {
    const expected = Buffer.from(this.signature(fileId, expires));
    const given = Buffer.from(sig);
    // The length of a valid signature is public (43 characters); only its content must not leak through timing.
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw BAD_SIGNATURE(CRM_MESSAGES.recordingLinkInvalid);
    }
    if (Number(expires) * 1000 <= this.#now()) throw BAD_SIGNATURE(CRM_MESSAGES.recordingLinkExpired);
  }

  /**
   * Plays a recording. With an access token (already checked by the route's middleware: a CRM user) any customer's
   * recording plays, archived ones for the CEO only; without one, `expires` and `sig` must be a valid signature
   * (none → 401, wrong or expired → 403). Returns the status, the headers and the bytes to send (a `Range` gives 206,
   * or 416 when it is outside the file).
   */
  async serve({ fileId, query: q, caller, headOnly, range: rangeHeader }: AudioRequest): Promise<ServedAudio> {
    if (!caller) {
      if (q.expires === undefined || q.sig === undefined) {
        throw new ApiError('UNAUTHENTICATED', COMMON_MESSAGES.notAuthenticated, {
          headers: { 'WWW-Authenticate': 'Bearer' },
        });
      }
      this.#checkSignature(fileId, q.expires, q.sig);
    }
    const [row] = await query(
      this.deps.orm.em.fork() as EntityManager,
      'select archived_at, audio_media_type from customer where audio_file_id = ?',
      [fileId],
    );
    if (!row) throw NOT_FOUND();
    if (caller && caller.role !== 'CEO' && row.archived_at !== null) throw NOT_FOUND();
    const file = await this.deps.blobs.open(AUDIO_FOLDER, fileId);
    if (!file) throw NOT_FOUND();

    try {
      const headers: Record<string, string> = {
        'Content-Type': String(row.audio_media_type ?? 'application/octet-stream'),
        'Accept-Ranges': 'bytes',
        // Personal data: no shared cache may keep it. Frontends on other origins may embed it (the signature guards it).
        'Cache-Control': 'private, max-age=0, must-revalidate',
        'Cross-Origin-Resource-Policy': 'cross-origin',
        // Opened directly, a browser plays it in a media document of its own, under this answer's policy: the API's
        // `default-src 'none'` would refuse it its own bytes, and its DENY would keep it out of the app's frames.
        'Content-Security-Policy': "default-src 'none'; media-src 'self'; frame-ancestors 'self'",
        'X-Frame-Options': 'SAMEORIGIN',
        'Content-Disposition': `inline; filename="${fileId}"`,
      };
      const ranges = rangeHeader === undefined ? undefined : parseRange(file.size, rangeHeader, { combine: true });
      if (ranges === -1) {
        throw new ApiError('RANGE_NOT_SATISFIABLE', CRM_MESSAGES.rangeOutside(file.size), {
          headers: { 'Content-Range': `bytes */${file.size}` },
        });
      }
      // One range of bytes is served as asked; a malformed header, another unit or several ranges get the whole file.
      const range = Array.isArray(ranges) && ranges.type === 'bytes' && ranges.length === 1 ? ranges[0] : undefined;
      const status = range ? 206 : 200;
      if (range) headers['Content-Range'] = `bytes ${range.start}-${range.end}/${file.size}`;
      headers['Content-Length'] = String(range ? range.end - range.start + 1 : file.size);
      if (headOnly || file.size === 0) {
        await file.close();
        return { status, headers, body: Readable.from([]) };
      }
      return { status, headers, body: file.read(range) };
    } catch (error) {
      await file.close().catch(() => {});
      throw error;
    }
  }
}
