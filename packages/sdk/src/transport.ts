import { type ApiFetcher, type ApiFetcherArgs, isZodType } from '@ts-rest/core';
import { CimsResponseValidationError } from './errors.js';

/** A `fetch`-compatible function. */
export type FetchFn = (input: string, init: RequestInit) => Promise<Response>;

/** Sends one call of the contract and returns the raw response. */
export type Sender = (args: ApiFetcherArgs) => Promise<Response>;

async function readBody(response: Response): Promise<unknown> {
  if (response.status === 204 || response.status === 304) return undefined;
  const contentType = response.headers.get('content-type') ?? '';
  if (contentType.includes('application/') && contentType.includes('json')) return response.json();
  if (contentType.startsWith('text/')) return response.text();
  return response.blob();
}

/**
 * The fields of a multipart route given as a plain object, as a browser form would send them. ts-rest would
 * JSON-encode each value (`"Ann"` with the quotes), which the server would store as typed.
 */
function toFormData(fields: Record<string, unknown>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item instanceof Blob) form.append(name, item);
      else if (item !== undefined && item !== null) form.append(name, String(item));
    }
  }
  return form;
}

/**
 * The SDK's transport: sends through `send`, reads the body by its content type and validates it against the route's
 * declared schema for that status. ts-rest skips validation when a custom fetcher is used (ts-rest #858), so it
 * happens here, for every route and status.
 */
export function createTransport(options: { send: Sender; validateResponses: boolean }): ApiFetcher {
  return async (args) => {
    const { route, path, method, rawBody } = args;
    const multipartFields =
      args.contentType === 'multipart/form-data' &&
      rawBody &&
      typeof rawBody === 'object' &&
      !(rawBody instanceof FormData);
    const response = await options.send(
      multipartFields ? { ...args, body: toFormData(rawBody as Record<string, unknown>) } : args,
    );
    const raw = await readBody(response);
    const schema = route.responses[response.status];
    if (options.validateResponses && isZodType(schema)) {
      const parsed = schema.safeParse(raw);
      if (!parsed.success) throw new CimsResponseValidationError(method, path, response.status, parsed.error.issues);
      return { status: response.status, body: parsed.data, headers: response.headers };
    }
    return { status: response.status, body: raw, headers: response.headers };
  };
}
