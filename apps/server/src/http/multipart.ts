import { routeMeta } from '@cims/contracts';
import type { AppRoute } from '@ts-rest/core';
import type { NextFunction, Request, Response } from 'express';
import multer from 'multer';
import { ApiError } from '../errors.js';

const parsers = new WeakMap<AppRoute, ReturnType<multer.Multer['fields']>>();

/** Parses a multipart body for the routes that take one, with the limits of the route's declared file parts. */
export function multipartParser(req: Request, res: Response, next: NextFunction): void {
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
  let parser = parsers.get(route);
  if (!parser) {
    const files = routeMeta(route).files ?? {};
    const maxBytes = Math.max(1, ...Object.values(files).map((f) => f.maxBytes));
    parser = multer({
      storage: multer.memoryStorage(),
      limits: { fileSize: maxBytes, files: Object.keys(files).length, fields: 50, fieldSize: 64 * 1024, parts: 60 },
    }).fields(Object.keys(files).map((name) => ({ name, maxCount: 1 })));
    parsers.set(route, parser);
  }
  parser(req, res, (error?: unknown) => next(error ? fromMulter(error) : undefined));
}

function fromMulter(error: unknown): ApiError {
  if (error instanceof multer.MulterError) {
    switch (error.code) {
      case 'LIMIT_FILE_SIZE':
        return new ApiError('PAYLOAD_TOO_LARGE', `The file ${error.field ?? ''} is too large`.replace('  ', ' '), {
          cause: error,
        });
      case 'LIMIT_UNEXPECTED_FILE':
        return new ApiError('INVALID_FILE', `Unexpected file field ${error.field ?? ''}`.trim(), { cause: error });
      default:
        return new ApiError('MALFORMED_BODY', `The multipart body was refused: ${error.message}`, { cause: error });
    }
  }
  return new ApiError('MALFORMED_BODY', 'The multipart body could not be read', { cause: error });
}

/** The uploaded file of a field, if any. */
export function uploadedFile(req: Pick<Request, 'files'>, field: string): Express.Multer.File | undefined {
  const files = req.files as Record<string, Express.Multer.File[]> | undefined;
  return files?.[field]?.[0];
}
