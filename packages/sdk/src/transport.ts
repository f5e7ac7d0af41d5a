import type { ApiFetcher, ApiFetcherArgs } from '@ts-rest/core';
import {
  type CimsError,
  CimsNetworkError,
  type CimsRequestInfo,
  CimsResponseValidationError,
  CimsTimeoutError,
  CimsUnexpectedResponseError,
} from './errors.js';
import { isStandardSchema, toResponseIssue } from './route-descriptor.js';

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
 * Wraps a fetch so that a request that gets no response rejects with {@link CimsNetworkError} (the original error as
 * its `cause`). An aborted request keeps its abort error: the transport tells a timeout from the caller's abort.
 */
export function guardFetch(fetchFn: FetchFn): FetchFn {
  return async (input, init) => {
    try {
      return await fetchFn(input, init);
    } catch (cause) {
      if (init.signal?.aborted) throw cause;
      throw new CimsNetworkError({ method: init.method ?? 'GET', url: input }, { cause });
    }
  };
}

/**
 * A signal that aborts when the caller's does, or after `ms`. `done()` stops the clock once the response is read, so
 * a finished call keeps no timer alive.
 */
function deadline(ms: number, caller: AbortSignal | undefined) {
  const controller = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    controller.abort(new DOMException(`No response within ${ms} ms`, 'TimeoutError'));
  }, ms);
  const follow = () => controller.abort(caller?.reason);
  if (caller?.aborted) follow();
  else caller?.addEventListener('abort', follow, { once: true });
  return {
    signal: controller.signal,
    expired: () => expired,
    done() {
      clearTimeout(timer);
      caller?.removeEventListener('abort', follow);
    },
  };
}

/** Options of {@link createTransport}. */
export interface TransportOptions {
  send: Sender;
  validateResponses: boolean;
  /** The time limit of a call, from sending it to having read the response (refresh and retry included). */
  timeoutMs: number | false;
}

/** Sends the call and reads its response, turning every way it can fail to get one into a {@link CimsError}. */
async function exchange(options: TransportOptions, args: ApiFetcherArgs, request: CimsRequestInfo) {
  const caller = args.fetchOptions?.signal ?? undefined;
  const limit = options.timeoutMs === false ? undefined : deadline(options.timeoutMs, caller);
  const signal = limit?.signal ?? caller;
  try {
    const response = await options.send({ ...args, fetchOptions: { ...args.fetchOptions, signal } });
    try {
      return { response, body: await readBody(response) };
    } catch (cause) {
      if (signal?.aborted) throw cause;
      throw new CimsNetworkError(request, { cause });
    }
  } catch (error) {
    if (limit?.expired() && options.timeoutMs !== false) throw new CimsTimeoutError(request, options.timeoutMs);
    throw error;
  } finally {
    limit?.done();
  }
}

/** Whether a response is JSON, as the API's own error bodies are (a proxy's error page is HTML or text). */
function isJson(response: Response): boolean {
  const contentType = response.headers.get('content-type') ?? '';
  return contentType.includes('application/') && contentType.includes('json');
}

/**
 * The SDK's transport: sends through `send`, reads the body by its content type and validates it against the route's
 * declared schema for that status, through Standard Schema: the generated descriptors' valibot schemas and a contract
 * router's zod schemas alike, for every route and status. A status the route does not declare, or an error status
 * without a JSON body, is not the API's answer: it throws {@link CimsUnexpectedResponseError}.
 */
export function createTransport(options: TransportOptions): ApiFetcher {
  return async (args) => {
    const { route, path, method } = args;
    const request = { method, url: path };
    const { response, body: raw } = await exchange(options, args, request);
    const { status, headers } = response;
    if (!Object.hasOwn(route.responses, status) || (status >= 400 && !isJson(response))) {
      throw new CimsUnexpectedResponseError(request, { status, body: raw, headers });
    }
    const schema: unknown = route.responses[status];
    if ((args.validateResponse ?? options.validateResponses) && isStandardSchema(schema)) {
      const result = await schema['~standard'].validate(raw);
      if (result.issues) {
        throw new CimsResponseValidationError(method, path, status, result.issues.map(toResponseIssue));
      }
      return { status, body: result.value, headers };
    }
    return { status, body: raw, headers };
  };
}
