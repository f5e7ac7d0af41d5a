import { healthContract } from '@cims/contracts';
import { describe, expect, it } from 'vitest';
import {
  CimsApiError,
  CimsResponseValidationError,
  CimsUnexpectedResponseError,
  createCimsClient,
  createCimsDomainClient,
  type FetchFn,
  unwrap,
} from './index.js';

/** A fetch that records requests and answers from a table keyed by "METHOD path?query". */
function fakeFetch(answers: Record<string, { status: number; body?: unknown; type?: string }>) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch: FetchFn = async (url, init) => {
    calls.push({ url, init });
    const u = new URL(url);
    const answer = answers[`${init.method} ${u.pathname}${u.search}`];
    if (!answer) return new Response('not found', { status: 404, headers: { 'content-type': 'text/plain' } });
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
      status: answer.status,
      headers: { 'content-type': answer.type ?? 'application/json' },
    });
  };
  return { fetch, calls };
}

describe('createCimsClient', () => {
  it('calls the route path under the base URL (trailing slash tolerated) and returns a typed result', async () => {
    const { fetch, calls } = fakeFetch({
      'GET /api/healthz': { status: 200, body: { status: 'ok', version: '1.2.3', uptime_seconds: 5 } },
    });
    const cims = createCimsClient({ baseUrl: 'http://h.test/api/', fetch });
    const res = await cims.health.liveness();
    expect(res.status).toBe(200);
    if (res.status === 200) expect(res.body.version).toBe('1.2.3');
    expect(calls[0]?.url).toBe('http://h.test/api/healthz');
    expect(new Headers(calls[0]?.init.headers).get('accept')).toBe('application/json');
  });

  it('encodes query parameters', async () => {
    const { fetch, calls } = fakeFetch({ 'GET /readyz?verbose=true': { status: 200, body: { status: 'ok' } } });
    const cims = createCimsClient({ baseUrl: 'http://h.test', fetch });
    expect(unwrap(await cims.health.readiness({ query: { verbose: 'true' } }))).toEqual({ status: 'ok' });
    expect(calls[0]?.url).toBe('http://h.test/readyz?verbose=true');
  });

  it('throws CimsResponseValidationError when a response does not match the contract', async () => {
    const { fetch } = fakeFetch({ 'GET /healthz': { status: 200, body: { status: 'ok', version: 7 } } });
    const cims = createCimsClient({ baseUrl: 'http://h.test', fetch });
    await expect(cims.health.liveness()).rejects.toBeInstanceOf(CimsResponseValidationError);
    const lenient = createCimsClient({ baseUrl: 'http://h.test', fetch, validateResponses: false });
    expect((await lenient.health.liveness()).body).toEqual({ status: 'ok', version: 7 });
  });

  it('unwrap throws CimsApiError with the code, the message and the field errors of a 422', async () => {
    const { fetch } = fakeFetch({
      'GET /readyz?verbose=x': {
        status: 422,
        body: {
          detail: [{ loc: ['query', 'verbose'], msg: 'Input should be a valid boolean', type: 'custom' }],
          code: 'VALIDATION_FAILED',
        },
      },
    });
    const cims = createCimsClient({ baseUrl: 'http://h.test', fetch });
    const res = await cims.health.readiness({ query: { verbose: 'x' } });
    expect(() => unwrap(res)).toThrow(CimsApiError);
    try {
      unwrap(res);
    } catch (error) {
      const e = error as CimsApiError;
      expect(e.status).toBe(422);
      expect(e.code).toBe('VALIDATION_FAILED');
      expect(e.message).toBe('Input should be a valid boolean');
      expect(e.fieldErrors).toEqual({ verbose: 'Input should be a valid boolean' });
    }
  });

  it('throws on a status the route does not declare', async () => {
    const { fetch } = fakeFetch({ 'GET /healthz': { status: 418, body: { detail: 'teapot', code: 'X' } } });
    const cims = createCimsClient({ baseUrl: 'http://h.test', fetch });
    const error = await cims.health.liveness().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CimsUnexpectedResponseError);
    expect((error as CimsUnexpectedResponseError).status).toBe(418);
  });
});

describe('createCimsDomainClient', () => {
  it('has the chosen domains and auth only, and signs in like the whole client', async () => {
    const { fetch, calls } = fakeFetch({
      'POST /auth/login': {
        status: 200,
        body: { access_token: 'access-1', refresh_token: 'refresh-1', token_type: 'bearer', expires_in: 900 },
      },
      'GET /healthz': { status: 200, body: { status: 'ok', version: '1.2.3', uptime_seconds: 5 } },
    });
    const cims = createCimsDomainClient({ baseUrl: 'http://h.test', fetch, domains: { health: healthContract } });
    expect(Object.keys(cims)).not.toContain('crm');
    await cims.login({ email: 'ceo@example.com', password: 'secret-password' });
    expect(await cims.getAccessToken()).toBe('access-1');
    expect(unwrap(await cims.health.liveness()).version).toBe('1.2.3');
    expect(calls.map((call) => call.url)).toEqual(['http://h.test/auth/login', 'http://h.test/healthz']);
  });
});
