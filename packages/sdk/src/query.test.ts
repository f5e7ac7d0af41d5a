import { MutationObserver, QueryClient } from '@tanstack/query-core';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { BASE, createFakeAuth } from '../test/fake-auth-server.js';
import { CimsApiError, createCimsClient, memoryTokenStore } from './index.js';
import { createCimsQueries } from './query.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** A client signed in with a pair whose access token the fake server already rejects, its helpers and a cache. */
function world() {
  const fake = createFakeAuth();
  server.use(...fake.handlers);
  const pair = fake.issue();
  fake.revoke(pair.access_token);
  const cims = createCimsClient({
    baseUrl: BASE,
    tokenStore: memoryTokenStore({ accessToken: pair.access_token, refreshToken: pair.refresh_token }),
    // The answers below are partial: these tests are about the helpers, not the contract's response checks.
    validateResponses: false,
  });
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return { fake, cims, queries: createCimsQueries(cims), queryClient };
}

const stats = { total_customers: 3, status_dict: { need_to_call: 2, contacted: 1 } };

describe('TanStack Query helpers (@cims/sdk/query)', () => {
  it("fetches through the client's session: an expired access token is refreshed once, then the call succeeds", async () => {
    const { fake, queries, queryClient } = world();
    const me = await queryClient.fetchQuery(queries.auth.me.queryOptions());
    expect(me.email).toBe('ceo@example.com');
    expect(fake.received.filter((entry) => entry.path === '/auth/refresh')).toHaveLength(1);
    // The key carries the result type: the cache is typed without a cast.
    const cached = queryClient.getQueryData(queries.auth.me.queryKey());
    expectTypeOf(cached).toEqualTypeOf<typeof me | undefined>();
    expect(cached).toEqual(me);
  });

  it('keys a call by its params and query, under a prefix per domain that invalidates all of them', async () => {
    const { queries, queryClient } = world();
    const seen: string[] = [];
    server.use(
      http.get(`${BASE}/crm/stats`, ({ request }) => {
        seen.push(new URL(request.url).search);
        return HttpResponse.json(stats);
      }),
    );
    expect(queries.crm.stats.queryKey()).toEqual(['cims', 'crm', 'stats', {}]);
    expect(queries.crm.dashboard.queryKey({ query: { page: 2 } })).toEqual([
      'cims',
      'crm',
      'dashboard',
      { query: { page: 2 } },
    ]);
    expect(queries.crm.queryKey()).toEqual(['cims', 'crm']);
    expect(queries.queryKey()).toEqual(['cims']);

    await queryClient.fetchQuery(queries.crm.stats.queryOptions());
    await queryClient.fetchQuery({ ...queries.crm.stats.queryOptions(), staleTime: Number.POSITIVE_INFINITY });
    expect(seen).toHaveLength(1);
    const observer = queryClient.getQueryCache().find({ queryKey: queries.crm.stats.queryKey() });
    expect(observer?.state.data).toEqual(stats);
    await queryClient.invalidateQueries({ queryKey: queries.crm.queryKey() });
    expect(queryClient.getQueryState(queries.crm.stats.queryKey())?.isInvalidated).toBe(true);
  });

  it("passes TanStack's abort signal to fetch: a cancelled query aborts its request", async () => {
    const signals: (AbortSignal | null | undefined)[] = [];
    const cims = createCimsClient({
      baseUrl: BASE,
      tokenStore: memoryTokenStore({ accessToken: 'access', refreshToken: 'refresh' }),
      refreshAheadSeconds: false,
      // A request that only ends when it is aborted, as a slow server's would.
      fetch: (_url, init) => {
        signals.push(init.signal);
        return new Promise((_resolve, reject) =>
          init.signal?.addEventListener('abort', () => reject(new DOMException('Aborted', 'AbortError'))),
        );
      },
    });
    const queries = createCimsQueries(cims);
    const queryClient = new QueryClient();
    const pending = queryClient.fetchQuery(queries.crm.stats.queryOptions());
    await expect.poll(() => signals.length).toBe(1);
    expect(signals[0]?.aborted).toBe(false);
    await queryClient.cancelQueries({ queryKey: queries.crm.stats.queryKey() });
    await expect(pending).rejects.toThrow();
    expect(signals[0]?.aborted).toBe(true);
  });

  it('throws the client error for a declared error status, typed as CimsApiError', async () => {
    const { queries, queryClient } = world();
    server.use(
      http.get(`${BASE}/crm/stats`, () =>
        HttpResponse.json({ detail: 'Not enough permissions', code: 'FORBIDDEN' }, { status: 403 }),
      ),
    );
    const error = await queryClient.fetchQuery(queries.crm.stats.queryOptions()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CimsApiError);
    expect(error).toMatchObject({ status: 403, code: 'FORBIDDEN' });
  });

  it("runs a mutation with the route's arguments as variables and resolves with its 2xx body", async () => {
    const { queries, queryClient } = world();
    const received: unknown[] = [];
    server.use(
      http.post(`${BASE}/crm/customers/:id/notes`, async ({ request, params }) => {
        received.push({ id: params.id, body: await request.json() });
        return HttpResponse.json({ id: 5, customer_id: 7, note: 'Called back' }, { status: 201 });
      }),
    );
    const options = queries.crm.createNote.mutationOptions();
    expect(options.mutationKey).toEqual(['cims', 'crm', 'createNote']);
    const observer = new MutationObserver(queryClient, options);
    const result = await observer.mutate({ params: { id: 7 }, body: { note: 'Called back' } });
    expect(received).toEqual([{ id: '7', body: { note: 'Called back' } }]);
    expect(result).toMatchObject({ id: 5, note: 'Called back' });
    expectTypeOf(result.note).toEqualTypeOf<string>();
  });
});
