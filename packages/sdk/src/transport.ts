import { type ApiFetcher, isZodType } from '@ts-rest/core';
import { CimsResponseValidationError } from './errors.js';

/** A `fetch`-compatible function. */
export type FetchFn = (input: string, init: RequestInit) => Promise<Response>;

async function readBody(response: Response): Promise<unknown> {
  if (response.status === 204 || response.status === 304) return undefined;
  const contentType = response.headers.get('content-type') ?? '';
  if (contentType.includes('application/') && contentType.includes('json')) return response.json();
  if (contentType.startsWith('text/')) return response.text();
  return response.blob();
}

/**
 * The SDK's transport: sends through the given `fetch`, reads the body by its content type and validates it against
 * the route's declared schema for that status. ts-rest skips validation when a custom fetcher is used (ts-rest #858),
 * so it happens here, for every route and status.
 */
export function createTransport(options: { fetch: FetchFn; validateResponses: boolean }): ApiFetcher {
  return async ({ route, path, method, headers, body, fetchOptions }) => {
    const response = await options.fetch(path, { ...fetchOptions, method, headers, body: body ?? null });
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
