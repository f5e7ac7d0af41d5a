import { type CimsContract, contract } from '@cims/contracts';
import { initClient } from '@ts-rest/core';
import { CimsApiError } from './errors.js';
import { createTransport, type FetchFn } from './transport.js';

/** Options of {@link createCimsClient}. */
export interface CimsClientOptions {
  /**
   * Where the API is, without a trailing slash: `https://api.example.com`, or a path on the page's own origin in a
   * browser (`/api`).
   */
  baseUrl: string;
  /**
   * The `fetch` to send requests with (a test double, a fetch with a proxy agent, …).
   * @default globalThis.fetch
   */
  fetch?: FetchFn;
  /**
   * Check every response against the contract and throw {@link CimsResponseValidationError} when it does not match.
   * @default true
   */
  validateResponses?: boolean;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
}

/**
 * Creates a typed client of the CIMS API. Each route of the contract is a method returning `{ status, body, headers }`,
 * discriminated by `status`, so every declared error is part of the type; {@link unwrap} turns it into "body or
 * throw".
 *
 * @example
 * const cims = createCimsClient({ baseUrl: 'http://127.0.0.1:8000' });
 * const health = await cims.health.liveness();
 * if (health.status === 200) console.log(health.body.version);
 */
export function createCimsClient(options: CimsClientOptions) {
  const fetchFn: FetchFn = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  return initClient(contract, {
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    baseHeaders: { accept: 'application/json', ...options.headers },
    throwOnUnknownStatus: true,
    api: createTransport({ fetch: fetchFn, validateResponses: options.validateResponses ?? true }),
  });
}

/** The client returned by {@link createCimsClient}. */
export type CimsClient = ReturnType<typeof createCimsClient>;

/** The success (2xx) members of a result union. */
export type SuccessOf<TResult> = TResult extends { status: infer S extends number; body: unknown }
  ? `${S}` extends `2${string}`
    ? TResult
    : never
  : never;

/**
 * Returns the body of a successful (2xx) result and throws {@link CimsApiError} for any other status.
 *
 * @example
 * const me = unwrap(await cims.health.liveness());
 */
export function unwrap<TResult extends { status: number; body: unknown }>(result: TResult): SuccessOf<TResult>['body'] {
  if (result.status >= 200 && result.status < 300) return result.body as SuccessOf<TResult>['body'];
  throw new CimsApiError(result.status, result.body);
}

/** The contract the client is built on. */
export type { CimsContract };
