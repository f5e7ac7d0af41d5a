import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type FilePart, routeMeta } from '@cims/contracts';
import { FILE_MESSAGES } from '@cims/contracts/rules';
import type { AppRoute } from '@ts-rest/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import { ApiError } from '../errors.js';
import { SNIFF_BYTES, type SniffedType, type UploadCheck, type UploadedFile } from '../modules/files/upload-check.js';
import { maybeCallerOf } from './authenticate.js';

export interface MultipartOptions {
  /** Where uploads are written while a request runs (`UPLOAD_TEMP_DIR`). */
  tempDir: string;
  /** Uploads one user (or, without a user, one address) may send at once; more get `429` (`UPLOAD_MAX_CONCURRENT`). */
  maxConcurrentPerUser: number;
  /** One check per kind of file part; every file part of the contract must have one. */
  checks: readonly UploadCheck[];
}

/** What a `429` for too many uploads at once asks the client to wait, in seconds. */
export const UPLOAD_RETRY_AFTER_SECONDS = 5;

/** A temporary upload older than this at start was left by a process that died; younger ones may be a sibling's. */
const LEFTOVER_AGE_MS = 60 * 60 * 1000;

const TEMP_SUFFIX = '.upload';

interface RouteParser {
  parse: RequestHandler;
  /** The largest file the route takes: after an early refusal, at most this much more body is read away. */
  maxBytes: number;
  parts: Map<string, { part: FilePart; check: UploadCheck }>;
}

/** One request's upload: its temporary files, and how to answer at once when a file is refused mid-stream. */
interface UploadState {
  parts: RouteParser['parts'];
  files: string[];
  /** Each file part's receive, settled only when its temporary file is closed (and, when refused, removed). */
  receiving: Promise<unknown>[];
  /** Set once the response has closed: a file received after that is removed as soon as it is done. */
  closed: boolean;
  fail(error: ApiError): void;
  /** Takes the request's upload slot of its user, once; the error to answer when the user has none left. */
  takeSlot(): ApiError | undefined;
}

const states = new WeakMap<Request, UploadState>();

/**
 * The multipart parser of the routes that take files. Files are streamed to temporary files (memory stays flat
 * whatever their size) and recognised by their first bytes: a file of the wrong type, or one over its route's
 * limit, is answered at once (the rest of the body is read and discarded, never stored). The temporary files are
 * removed when the response ends, whether it succeeded, failed or the client went away. Each user may have
 * {@link MultipartOptions.maxConcurrentPerUser} uploads running; a file part beyond that is answered `429` before it
 * is read. A multipart form without a file (a customer created without a recording) is no upload and is not counted.
 */
export function multipartParser(options: MultipartOptions): RequestHandler {
  mkdirSync(options.tempDir, { recursive: true });
  removeLeftovers(options.tempDir);
  const parsers = new WeakMap<AppRoute, RouteParser>();
  const running = new Map<string, number>();
  const storage = uploadStorage(options.tempDir);

  const parserOf = (route: AppRoute): RouteParser => {
    let parser = parsers.get(route);
    if (parser) return parser;
    const files = routeMeta(route).files ?? {};
    const parts = new Map(
      Object.entries(files).map(([name, part]) => {
        const check = options.checks.find((c) => c.accepts(part));
        if (!check) throw new Error(`No upload check for the file part ${name} of ${route.path}`);
        return [name, { part, check }] as const;
      }),
    );
    const maxBytes = Math.max(1, ...Object.values(files).map((f) => f.maxBytes));
    const parse = multer({
      storage,
      limits: { fileSize: maxBytes, files: parts.size, fields: 50, fieldSize: 64 * 1024, parts: 60 },
    }).fields([...parts.keys()].map((name) => ({ name, maxCount: 1 })));
    parser = { parse, parts, maxBytes };
    parsers.set(route, parser);
    return parser;
  };

  return function parseMultipart(req: Request, res: Response, next: NextFunction): void {
    const route = res.locals.route as AppRoute | undefined;
    if (
      !route ||
      !('contentType' in route) ||
      route.contentType !== 'multipart/form-data' ||
      !req.is('multipart/form-data')
    ) {
      next();
      return;
    }
    const { parse, parts, maxBytes } = parserOf(route);

    // The routes that take files all need a signed-in caller (authenticate ran before); the address is a fallback.
    const caller = maybeCallerOf(res);
    const who = caller ? `user:${caller.userId}` : `ip:${req.ip}`;
    let holding = false;
    const takeSlot = (): ApiError | undefined => {
      if (holding) return undefined;
      const count = running.get(who) ?? 0;
      if (count >= options.maxConcurrentPerUser) {
        return new ApiError(
          'RATE_LIMITED',
          `Too many uploads at once (at most ${options.maxConcurrentPerUser} per user); wait for one to finish and try again`,
          { headers: { 'Retry-After': String(UPLOAD_RETRY_AFTER_SECONDS) } },
        );
      }
      running.set(who, count + 1);
      holding = true;
      return undefined;
    };

    // A slot is held until both the response has ended and the body has been read (or the connection closed): a
    // refused upload whose body is still being read away counts against its user.
    let open = 2;
    const settle = () => {
      open -= 1;
      if (open > 0 || !holding) return;
      holding = false;
      const left = (running.get(who) ?? 1) - 1;
      if (left > 0) running.set(who, left);
      else running.delete(who);
    };
    let bodyDone = false;
    const bodySettled = () => {
      if (bodyDone) return;
      bodyDone = true;
      settle();
    };
    req.once('end', bodySettled);
    req.once('close', bodySettled);

    let answered = false;
    const answer = (error?: unknown) => {
      if (answered) return;
      answered = true;
      next(error === undefined ? undefined : fromMulter(error));
    };
    const fail = (error: ApiError) => {
      // multer reads the rest of a refused body away (so the client, still sending, gets the answer); a client that
      // keeps sending more than a whole file after the answer is cut off.
      let after = 0;
      req.on('data', (chunk: Buffer) => {
        after += chunk.length;
        if (after > maxBytes) req.destroy();
      });
      answer(error);
    };
    const state: UploadState = { parts, files: [], receiving: [], closed: false, fail, takeSlot };
    states.set(req, state);
    res.once('close', () => {
      settle();
      state.closed = true;
      // Stored files were copied by the handler before it answered; what is left here is temporary. A refused or
      // aborted file can be answered before its temporary file has even been opened: wait for every receive to
      // settle, or the file would be created after this clean-up and never removed.
      void Promise.allSettled(state.receiving).then(() =>
        Promise.all(state.files.map((file) => rm(file, { force: true }).catch(() => {}))),
      );
    });
    parse(req, res, (error?: unknown) => answer(error));
  };
}

/** Removes temporary uploads a crashed process left behind. */
function removeLeftovers(dir: string): void {
  const before = Date.now() - LEFTOVER_AGE_MS;
  for (const name of readdirSync(dir)) {
    if (!name.endsWith(TEMP_SUFFIX)) continue;
    const file = path.join(dir, name);
    try {
      if (statSync(file).mtimeMs < before) rmSync(file, { force: true });
    } catch {
      // Gone already.
    }
  }
}

/** multer's storage: each file part streamed to a temporary file through {@link receive}. */
function uploadStorage(dir: string): multer.StorageEngine {
  return {
    _handleFile(req, file, callback) {
      const state = states.get(req as Request);
      const entry = state?.parts.get(file.fieldname);
      if (!state || !entry) {
        callback(new ApiError('INVALID_FILE', FILE_MESSAGES.unexpectedField(file.fieldname)));
        return;
      }
      const limited = state.takeSlot();
      if (limited) {
        state.fail(limited);
        file.stream.resume();
        callback(limited);
        return;
      }
      const target = path.join(dir, `${randomUUID()}${TEMP_SUFFIX}`);
      state.files.push(target);
      // A refused file is answered at once (`state.fail`); multer then reads the rest of the body away and calls back
      // late, with whatever error tearing down the part's stream caused.
      const { part, check } = entry;
      const received = receive({
        stream: file.stream,
        target,
        field: file.fieldname,
        part,
        check,
        refused: state.fail,
      });
      state.receiving.push(received);
      received.then(
        (done) => {
          // The response closed while this file was still arriving: nobody will store it.
          if (state.closed) void rm(target, { force: true }).catch(() => {});
          callback(null, { ...done, path: target });
        },
        (error: unknown) => callback(error),
      );
    },
    _removeFile(_req, file, callback) {
      rm(file.path, { force: true }).then(
        () => callback(null),
        (error: Error) => callback(error),
      );
    },
  };
}

/** One file part to receive: where it comes from and goes, the part's limits, and whom to tell of a refusal. */
interface Receipt {
  stream: Readable;
  /** The temporary file it is written to. */
  target: string;
  /** The form field it came in, named in a too-large message. */
  field: string;
  part: FilePart;
  check: UploadCheck;
  refused: (error: ApiError) => void;
}

/**
 * Streams one file part to `target`, holding at most its first {@link SNIFF_BYTES} bytes: they decide its type
 * before anything is written, and the part is refused as soon as it is empty, of the wrong type, or too large.
 */
async function receive({
  stream,
  target,
  field,
  part,
  check,
  refused,
}: Receipt): Promise<SniffedType & { size: number }> {
  let size = 0;
  let type: SniffedType | undefined;
  let head = Buffer.alloc(0);
  // The refusal is reported before the stream is torn down: tearing it down makes busboy and multer fail too, and
  // their error must not be the one the client gets.
  const refuse = (error: ApiError): never => {
    refused(error);
    throw error;
  };
  const decide = (): SniffedType => {
    if (head.length === 0) refuse(new ApiError('INVALID_FILE', FILE_MESSAGES.empty));
    return check.sniff(head.subarray(0, SNIFF_BYTES), part) ?? refuse(check.refuse(part));
  };
  const out = createWriteStream(target, { flags: 'wx' });
  try {
    await pipeline(
      stream,
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          size += chunk.length;
          if (size > part.maxBytes) {
            refuse(new ApiError('PAYLOAD_TOO_LARGE', FILE_MESSAGES.tooLarge(field, part.maxBytes)));
          }
          if (type) {
            yield chunk;
            continue;
          }
          head = Buffer.concat([head, chunk]);
          if (head.length < SNIFF_BYTES) continue;
          type = decide();
          yield head;
        }
        if (!type) {
          type = decide();
          yield head;
        }
      },
      out,
    );
  } catch (error) {
    // The file may only now be opened (a refusal on the first chunk comes before the open finishes): wait until the
    // stream has closed it, then remove it.
    if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
    await rm(target, { force: true });
    throw error;
  }
  return { ...(type as SniffedType), size };
}

function fromMulter(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof multer.MulterError) {
    switch (error.code) {
      case 'LIMIT_FILE_SIZE':
        return new ApiError('PAYLOAD_TOO_LARGE', `The file ${error.field ?? ''} is too large`.replace('  ', ' '), {
          cause: error,
        });
      // With one file per declared field, a file beyond the count is one the route does not take.
      case 'LIMIT_FILE_COUNT':
      case 'LIMIT_UNEXPECTED_FILE':
        return new ApiError('INVALID_FILE', FILE_MESSAGES.unexpectedField(error.field ?? '').trim(), { cause: error });
      default:
        return new ApiError('MALFORMED_BODY', `The multipart body was refused: ${error.message}`, { cause: error });
    }
  }
  return new ApiError('MALFORMED_BODY', 'The multipart body could not be read', { cause: error });
}

/** The uploaded file of a field, if any. */
export function uploadedFile(req: Pick<Request, 'files'>, field: string): UploadedFile | undefined {
  const files = req.files as Record<string, (Express.Multer.File & UploadedFile)[]> | undefined;
  const file = files?.[field]?.[0];
  return file && { path: file.path, size: file.size, mediaType: file.mediaType, extension: file.extension };
}
