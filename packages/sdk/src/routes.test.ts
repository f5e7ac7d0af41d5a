import { readFileSync } from 'node:fs';
import { contract, crmContract } from '@cims/contracts';
import { convertQueryParamsToUrlString } from '@ts-rest/core';
import { describe, expect, it } from 'vitest';
import {
  CimsResponseValidationError,
  createCimsClient,
  createCimsDomainClient,
  type FetchFn,
  unwrap,
} from './index.js';
import { auth } from './routes/auth.js';
import { ceo } from './routes/ceo.js';
import { crm, dashboard, detail, statuses } from './routes/crm.js';
import { health } from './routes/health.js';
import { instagram } from './routes/instagram.js';
import { management } from './routes/management.js';
import { sales } from './routes/sales.js';

/** A fetch that records the URLs it is called with and answers every request with `body` (JSON, status 200). */
function answering(body: unknown) {
  const urls: string[] = [];
  const fetch: FetchFn = async (url) => {
    urls.push(url);
    return Response.json(body);
  };
  return { fetch, urls };
}

const status = { value: 'NEW', label: 'New', color: null, order: 1, description: null, category: 'open' };

describe('the generated routes (@cims/sdk/routes/<domain>)', () => {
  const generated = { health, auth, ceo, management, crm, sales, instagram };

  it('describe every route of the contract with its method, path, content type, auth and statuses', () => {
    expect(Object.keys(generated).sort()).toEqual(Object.keys(contract).sort());
    for (const [domain, router] of Object.entries(contract)) {
      const descriptors = generated[domain as keyof typeof generated] as Record<string, unknown>;
      expect(Object.keys(descriptors).sort(), domain).toEqual(Object.keys(router).sort());
      for (const [name, route] of Object.entries(router)) {
        const expected = {
          method: route.method,
          path: route.path,
          contentType: 'contentType' in route ? route.contentType : undefined,
          auth: (route.metadata as { auth: string }).auth,
          statuses: Object.keys(route.responses),
        };
        const descriptor = descriptors[name] as typeof crm.detail;
        expect(
          {
            method: descriptor.method,
            path: descriptor.path,
            contentType: descriptor.contentType,
            auth: descriptor.metadata.auth,
            statuses: Object.keys(descriptor.responses),
          },
          `${domain}.${name}`,
        ).toEqual(expected);
      }
    }
  });

  it('are each published as @cims/sdk/routes/<domain>, built for import and require', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      exports: Record<string, { source: string; import: { default: string }; require: { default: string } }>;
    };
    for (const domain of Object.keys(contract)) {
      expect(manifest.exports[`./routes/${domain}`], domain).toMatchObject({
        source: `./src/routes/${domain}.ts`,
        import: { default: `./dist/routes/${domain}.js` },
        require: { default: `./dist/routes/${domain}.cjs` },
      });
    }
  });

  it('validate a JSON body with a Standard Schema validator and leave other bodies unchecked', () => {
    expect(detail.responses[200]?.['~standard'].vendor).toBe('valibot');
    expect(detail.responses[404]?.['~standard'].vendor).toBe('valibot');
    expect(auth.revokeSession.responses[204]).toBeUndefined();
    expect(crm.audio.responses[200]).toBeUndefined();
    expect(crm.audio.responses[206]).toBeUndefined();
  });
});

describe('a client of generated routes', () => {
  it('returns a body that matches the route schema', async () => {
    const { fetch, urls } = answering([status]);
    const cims = createCimsDomainClient({ baseUrl: 'http://h.test', fetch, domains: { crm: { statuses } } });
    expect(unwrap(await cims.crm.statuses())).toEqual([status]);
    expect(urls).toEqual(['http://h.test/crm/statuses/dynamic']);
  });

  it('throws CimsResponseValidationError with the issues of a body that breaks the schema, without its values', async () => {
    const { fetch } = answering([{ ...status, order: '+998901234567' }]);
    const cims = createCimsDomainClient({ baseUrl: 'http://h.test', fetch, domains: { crm: { dashboard, statuses } } });
    const error = await cims.crm.statuses().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CimsResponseValidationError);
    const { method, path, issues } = error as CimsResponseValidationError;
    expect({ method, path }).toEqual({ method: 'GET', path: 'http://h.test/crm/statuses/dynamic' });
    expect(issues).toEqual([{ message: 'Invalid type: expected number', path: [0, 'order'] }]);
    // Error reporters send what an error holds: the body's values stay out of it.
    expect(JSON.stringify({ ...(error as object), message: (error as Error).message })).not.toContain('998901234567');
  });

  it('skips the check for one call that asks so (overrideClientOptions.validateResponse)', async () => {
    const { fetch } = answering([{ ...status, order: '1' }]);
    const cims = createCimsDomainClient({ baseUrl: 'http://h.test', fetch, domains: { crm: { statuses } } });
    const result = await cims.crm.statuses({ overrideClientOptions: { validateResponse: false } });
    expect(result.body).toEqual([{ ...status, order: '1' }]);
    await expect(cims.crm.statuses()).rejects.toBeInstanceOf(CimsResponseValidationError);
  });

  it('checks an error body too: a 404 without a code is not the API answering', async () => {
    const fetch: FetchFn = async () => Response.json({ detail: 'gone' }, { status: 404 });
    const cims = createCimsClient({ baseUrl: 'http://h.test', fetch });
    const error = await cims.crm.detail({ params: { id: 1 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CimsResponseValidationError);
    expect((error as CimsResponseValidationError).status).toBe(404);
  });

  it('still takes a router of the contract, validated by its zod schemas through the same interface', async () => {
    const good = createCimsDomainClient({
      baseUrl: 'http://h.test',
      fetch: answering([status]).fetch,
      domains: { crm: crmContract },
    });
    expect(unwrap(await good.crm.statuses())).toEqual([status]);
    const bad = createCimsDomainClient({
      baseUrl: 'http://h.test',
      fetch: answering([{ ...status, order: '1' }]).fetch,
      domains: { crm: crmContract },
    });
    const error = await bad.crm.statuses().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CimsResponseValidationError);
    expect((error as CimsResponseValidationError).issues).toMatchObject([{ path: [0, 'order'] }]);
  });

  it('regression: the readiness checks came back empty (a record of $ref values generated as an empty object)', async () => {
    const body = { status: 'ok', checks: { database: { status: 'ok', latency_ms: 2 }, files: { status: 'error' } } };
    const cims = createCimsClient({ baseUrl: 'http://h.test', fetch: answering(body).fetch });
    expect(unwrap(await cims.health.readiness({ query: { verbose: 'true' } }))).toEqual(body);
  });

  it('encodes path parameters and queries as ts-rest does', async () => {
    const query = {
      page: 2,
      search: 'Ann & Lee',
      ids: [1, 2],
      range: { from: new Date(Date.UTC(2026, 0, 2)), to: null },
      skipped: undefined,
    };
    const { fetch, urls } = answering({});
    const cims = createCimsClient({ baseUrl: 'http://h.test', fetch, validateResponses: false });
    await cims.crm.dashboard({ query: query as never });
    await cims.crm.detail({ params: { id: 7 } });
    expect(urls).toEqual([
      `http://h.test/crm/dashboard${convertQueryParamsToUrlString(query)}`,
      'http://h.test/crm/detail/7',
    ]);
    expect(urls[0]).toBe(
      'http://h.test/crm/dashboard?page=2&search=Ann%20%26%20Lee&ids%5B0%5D=1&ids%5B1%5D=2' +
        '&range%5Bfrom%5D=2026-01-02T00%3A00%3A00.000Z&range%5Bto%5D=',
    );
  });

  it('percent-encodes path parameters and keeps a falsy one, so a call never reaches another route', async () => {
    const { fetch, urls } = answering({});
    const cims = createCimsClient({ baseUrl: 'http://h.test', fetch, validateResponses: false });
    await cims.ceo.removePermission({ params: { id: 3, page_name: 'sales/../ceo?x=1#y' } });
    await cims.crm.hardDelete({ params: { id: 0 } });
    expect(urls).toEqual([
      'http://h.test/ceo/users/3/permissions/sales%2F..%2Fceo%3Fx%3D1%23y',
      'http://h.test/crm/customers/0/hard',
    ]);
    // `..`, `.` and '' would be collapsed or dropped: DELETE /ceo/users/3/permissions/.. is DELETE /ceo/users/3.
    for (const page_name of ['..', '.', '']) {
      await expect(cims.ceo.removePermission({ params: { id: 3, page_name } })).rejects.toThrow(TypeError);
    }
    expect(urls).toHaveLength(2);
  });

  it('lets a call remove a header the client sends by default, whatever its case', async () => {
    const seen: (string | null)[] = [];
    const fetch: FetchFn = async (_url, init) => {
      seen.push(new Headers(init.headers).get('accept'));
      return Response.json({ status: 'ok' });
    };
    const cims = createCimsClient({ baseUrl: 'http://h.test', fetch, validateResponses: false });
    await cims.health.liveness();
    await cims.health.liveness({ headers: { Accept: undefined } } as never);
    expect(seen).toEqual(['application/json', null]);
  });

  it("takes ts-rest's per-call options: extra headers, another base URL, a JSON query", async () => {
    const seen: { url: string; key: string | null }[] = [];
    const fetch: FetchFn = async (url, init) => {
      seen.push({ url, key: new Headers(init.headers).get('x-key') });
      return Response.json({ status: 'ok' });
    };
    const cims = createCimsClient({ baseUrl: 'http://h.test', fetch, validateResponses: false });
    await cims.health.readiness({
      query: { verbose: 'true' },
      extraHeaders: { 'X-Key': 'intake-key' },
      overrideClientOptions: { baseUrl: 'http://other.test', jsonQuery: true },
    });
    expect(seen).toEqual([
      { url: `http://other.test/readyz${convertQueryParamsToUrlString({ verbose: 'true' }, true)}`, key: 'intake-key' },
    ]);
    expect(seen[0]?.url).toBe('http://other.test/readyz?verbose=%22true%22');
  });
});
