/**
 * TanStack Query helpers for every route of the contract, on the `@cims/sdk/query` subpath so that apps without
 * TanStack Query do not pay for them. They call through a {@link CimsClient}, so they share its session: the token
 * store, the refresh before a call and after a `401`, the other tabs.
 *
 * - A `GET` route gets `queryKey(args)` and `queryOptions(args)` for `useQuery`/`useSuspenseQuery`/`prefetchQuery`:
 *   the query function passes TanStack's abort signal to `fetch` and returns the body of a 2xx, or throws the
 *   client's error (a `CimsApiError` for a declared error status; any `CimsError` in general).
 * - Any other route gets `mutationKey` and `mutationOptions()` for `useMutation`: the variables are the route's
 *   arguments (`{ params, query, body }`), the result its 2xx body.
 * - Each domain and the root have `queryKey()`: the prefix of every key below it, for `invalidateQueries`.
 *
 * Keys are `['cims', domain, route, { params, query }]`; they carry the route's body type (TanStack's `DataTag`), so
 * `queryClient.getQueryData(queries.crm.stats.queryKey())` is typed.
 */

import type { DataTag } from '@tanstack/query-core';
import type { AppRoute, AppRouter } from '@ts-rest/core';
import type { CimsClient, CimsContract } from './client.js';
import type { CimsError } from './errors.js';
import { isRouteEntry } from './route-descriptor.js';
import { routes } from './routes/all.js';
import { type SuccessOf, unwrap } from './unwrap.js';

/** Any method of the client: one route. */
// biome-ignore lint/suspicious/noExplicitAny: the arguments of any route of the client
type RouteCall = (args?: any) => Promise<{ status: number; body: unknown }>;

/** The body of the 2xx answer of a client method. */
export type ResultOf<TCall extends RouteCall> = SuccessOf<Awaited<ReturnType<TCall>>>['body'];

/** The arguments of a client method (`{ params, query, body, headers, fetchOptions }`), `void` when all optional. */
export type ArgsOf<TCall extends RouteCall> = undefined extends Parameters<TCall>[0]
  ? // biome-ignore lint/suspicious/noConfusingVoidType: `void` lets TanStack's `mutate()` be called with no variables
    Parameters<TCall>[0] | void
  : Parameters<TCall>[0];

/** The key of a query: a prefix, then the route's `{ params, query }`; it carries the route's result type. */
export type CimsQueryKey<TData> = DataTag<readonly unknown[], TData, CimsError>;

/** The helpers of a `GET` route. */
export interface CimsQueryHelpers<TCall extends RouteCall> {
  /** The key of this call, for `getQueryData`, `setQueryData` and `invalidateQueries`. */
  queryKey(...args: Parameters<TCall>): CimsQueryKey<ResultOf<TCall>>;
  /**
   * Options for `useQuery` (spread them and add your own: `enabled`, `staleTime`, `select`, …).
   * @example
   * const stats = useQuery(queries.crm.stats.queryOptions());
   */
  queryOptions(...args: Parameters<TCall>): {
    queryKey: CimsQueryKey<ResultOf<TCall>>;
    queryFn: (context: { signal: AbortSignal }) => Promise<ResultOf<TCall>>;
  };
}

/** The helpers of a route that changes something (`POST`, `PUT`, `PATCH`, `DELETE`). */
export interface CimsMutationHelpers<TCall extends RouteCall> {
  /** `['cims', domain, route]`. */
  readonly mutationKey: readonly string[];
  /**
   * Options for `useMutation`; the variables are the route's arguments.
   * @example
   * const create = useMutation({
   *   ...queries.crm.createCustomer.mutationOptions(),
   *   onSuccess: () => queryClient.invalidateQueries({ queryKey: queries.crm.queryKey() }),
   * });
   * create.mutate({ body: form });
   */
  mutationOptions(): {
    mutationKey: readonly string[];
    mutationFn: (variables: ArgsOf<TCall>) => Promise<ResultOf<TCall>>;
  };
}

/** The query helpers of a router of the contract, route by route, mirroring the client. */
export type CimsQueries<TRouter extends AppRouter, TClient> = {
  readonly [K in keyof TRouter & keyof TClient]: TRouter[K] extends AppRoute
    ? TClient[K] extends RouteCall
      ? TRouter[K]['method'] extends 'GET'
        ? CimsQueryHelpers<TClient[K]>
        : CimsMutationHelpers<TClient[K]>
      : never
    : TRouter[K] extends AppRouter
      ? CimsQueries<TRouter[K], TClient[K]>
      : never;
} & {
  /** The prefix of every key below this router, for `invalidateQueries`. */
  queryKey(): readonly string[];
};

/** What {@link createCimsQueries} returns: helpers for every route of the contract. */
export type CimsClientQueries = CimsQueries<CimsContract, CimsClient>;

/** The part of the arguments that tells two calls of a route apart (not the abort signal, not the headers). */
function keyPart(args: unknown): Record<string, unknown> {
  const { params, query } = (args ?? {}) as { params?: unknown; query?: unknown };
  const part: Record<string, unknown> = {};
  if (params !== undefined) part.params = params;
  if (query !== undefined) part.query = query;
  return part;
}

function helpers(router: AppRouter, client: Record<string, unknown>, prefix: readonly string[]): unknown {
  const result: Record<string, unknown> = { queryKey: () => prefix };
  for (const [name, entry] of Object.entries(router)) {
    const path = [...prefix, name];
    if (!isRouteEntry(entry)) {
      result[name] = helpers(entry, client[name] as Record<string, unknown>, path);
      continue;
    }
    const call = client[name] as RouteCall;
    if (entry.method === 'GET') {
      const queryKey = (args?: unknown) => [...path, keyPart(args)];
      result[name] = {
        queryKey,
        queryOptions: (args?: { fetchOptions?: RequestInit }) => ({
          queryKey: queryKey(args),
          queryFn: async ({ signal }: { signal: AbortSignal }) =>
            unwrap(await call({ ...args, fetchOptions: { ...args?.fetchOptions, signal } })),
        }),
      };
    } else {
      result[name] = {
        mutationKey: path,
        mutationOptions: () => ({
          mutationKey: path,
          mutationFn: async (variables?: unknown) => unwrap(await call(variables)),
        }),
      };
    }
  }
  return result;
}

/**
 * Creates TanStack Query helpers for every route, calling through `client` (its session, refresh and options).
 * Create it once, next to the client.
 *
 * @example
 * import { createCimsClient } from '@cims/sdk';
 * import { createCimsQueries } from '@cims/sdk/query';
 *
 * export const cims = createCimsClient({ baseUrl: '/api', tokenStore: localStorageTokenStore() });
 * export const queries = createCimsQueries(cims);
 *
 * // in a component
 * const { data: stats } = useQuery(queries.crm.stats.queryOptions());
 * const { data: page } = useQuery(queries.crm.dashboard.queryOptions({ query: { page: 2 } }));
 */
export function createCimsQueries(client: CimsClient): CimsClientQueries {
  // The generated descriptors mirror the contract route by route; only their names and methods are read here.
  return helpers(routes as unknown as AppRouter, client as unknown as Record<string, unknown>, [
    'cims',
  ]) as CimsClientQueries;
}
