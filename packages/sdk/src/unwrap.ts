import type { ErrorStatus } from '@cims/contracts';
import { CimsApiError, type CimsErrorBody, CimsUnexpectedResponseError, isApiErrorBody } from './errors.js';

/** The success (2xx) members of a result union. */
export type SuccessOf<TResult> = TResult extends { status: infer S extends number; body: unknown }
  ? `${S}` extends `2${string}`
    ? TResult
    : never
  : never;

/**
 * Returns the body of a successful (2xx) result and throws {@link CimsApiError} for any other status, with the
 * response's headers. (A result whose error body is not the API's shape, which the client never returns, throws
 * {@link CimsUnexpectedResponseError}.)
 *
 * @example
 * const me = unwrap(await cims.auth.me());
 */
export function unwrap<TResult extends { status: number; body: unknown; headers?: Headers }>(
  result: TResult,
): SuccessOf<TResult>['body'] {
  const { status, body, headers = new Headers() } = result;
  if (status >= 200 && status < 300) return body as SuccessOf<TResult>['body'];
  if (isApiErrorBody(body)) throw new CimsApiError(status as ErrorStatus, body as CimsErrorBody, headers);
  throw new CimsUnexpectedResponseError({ method: undefined, url: undefined }, { status, body, headers });
}
