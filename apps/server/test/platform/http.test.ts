import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { UNSAFE_TEXT_MESSAGE } from '@cims/contracts';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../harness.js';
import { createFixtureModules, fixtureContract, SHAPES } from './fixture-module.js';

const json = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe('bad input always gets a 4xx in the contract error shape', () => {
  it('an unknown route → 404 NOT_FOUND', async () => {
    await using t = await createTestApp();
    const res = await fetch(`${t.url}/no/such/route`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.json()).toEqual({ detail: 'Not Found', code: 'NOT_FOUND' });
  });

  it('a known path with another method → 405 METHOD_NOT_ALLOWED with Allow', async () => {
    await using t = await createTestApp();
    const res = await fetch(`${t.url}/healthz`, { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    expect(await res.json()).toEqual({ detail: 'Method Not Allowed', code: 'METHOD_NOT_ALLOWED' });
  });

  it('a bad query parameter → 422 with FastAPI-shaped detail', async () => {
    await using t = await createTestApp();
    const res = await fetch(`${t.url}/readyz?verbose=maybe`);
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      detail: [{ loc: ['query', 'verbose'], msg: 'Input should be a valid boolean (true or false)', type: 'custom' }],
      code: 'VALIDATION_FAILED',
    });
  });

  it('malformed JSON → 400 MALFORMED_BODY', async () => {
    const fixture = createFixtureModules();
    await using t = await createTestApp({ modules: fixture.modules });
    const res = await fetch(`${t.url}/fixture/echo`, { ...json({}), body: '{"name": "x",' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ detail: 'The request body is not valid JSON', code: 'MALFORMED_BODY' });
  });

  it('a body in a media type the route does not take → 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const fixture = createFixtureModules();
    await using t = await createTestApp({ modules: fixture.modules });
    const text = await fetch(`${t.url}/fixture/echo`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'name=x',
    });
    expect(text.status).toBe(415);
    expect(await text.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    const jsonToForm = await fetch(`${t.url}/fixture/form`, json({ username: 'a' }));
    expect(jsonToForm.status).toBe(415);
    const form = await fetch(`${t.url}/fixture/form`, {
      method: 'POST',
      body: new URLSearchParams({ username: 'a b' }),
    });
    expect(await form.json()).toEqual({ username: 'a b' });
  });

  it('an oversized body → 413 PAYLOAD_TOO_LARGE', async () => {
    const fixture = createFixtureModules();
    await using t = await createTestApp({ modules: fixture.modules, env: { JSON_BODY_LIMIT: '1kb' } });
    const res = await fetch(`${t.url}/fixture/echo`, json({ name: 'x'.repeat(2000), count: 1 }));
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ detail: 'The request body is too large', code: 'PAYLOAD_TOO_LARGE' });
  });

  it('invalid body values → 422 listing every problem with its field name last in loc', async () => {
    const fixture = createFixtureModules();
    await using t = await createTestApp({ modules: fixture.modules });
    const res = await fetch(`${t.url}/fixture/echo`, json({ count: 1.5 }));
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.detail).toEqual([
      { loc: ['body', 'name'], msg: 'Field required', type: 'missing' },
      { loc: ['body', 'count'], msg: 'Expected integer, received float', type: 'invalid_type' },
    ]);
  });

  it('an unexpected failure → 500 INTERNAL with nothing internal in the body, the cause in the log', async () => {
    const fixture = createFixtureModules();
    await using t = await createTestApp({ modules: fixture.modules });
    const res = await fetch(`${t.url}/fixture/boom`);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ detail: 'Internal server error', code: 'INTERNAL' });
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('at ');
    const logged = t.logs.find((line) => line.msg === 'Unhandled error');
    expect(logged?.reqId).toBe(res.headers.get('x-request-id'));
  });
});

describe('database trouble is told apart from other failures', () => {
  it('regression (any ECONNREFUSED in a cause chain was 503 DATABASE_UNAVAILABLE): another service refusing the connection is a 500, not database trouble', async () => {
    const fixture = createFixtureModules();
    await using t = await createTestApp({ modules: fixture.modules });
    const res = await fetch(`${t.url}/fixture/fail/upstream-refused`);
    expect(res.status).toBe(500);
    expect(res.headers.get('retry-after')).toBeNull();
    expect(await res.json()).toEqual({ detail: 'Internal server error', code: 'INTERNAL' });
    expect(t.logs.some((line) => line.msg === 'Database unavailable')).toBe(false);
  });

  it.each([
    ['serialization', '40001'],
    ['deadlock', '40P01'],
  ])(
    'regression (a %s failure answered 500): 503 DATABASE_UNAVAILABLE with a short Retry-After',
    async (kind, code) => {
      const fixture = createFixtureModules();
      await using t = await createTestApp({ modules: fixture.modules });
      const res = await fetch(`${t.url}/fixture/fail/${kind}`);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(await res.json()).toEqual({
        detail: 'A concurrent change got in the way and nothing was saved; try again',
        code: 'DATABASE_UNAVAILABLE',
      });
      const line = t.logs.find((l) => l.msg === 'Database unavailable');
      expect(line?.level).toBe(40);
      expect(line?.database).toEqual({ kind: 'conflict', code });
      expect(t.logs.some((l) => l.level === 50)).toBe(false);
    },
  );
});

describe('text the database cannot store', () => {
  it('regression (any 22P02 became a 422 when the request held NUL or a lone surrogate): an invalid value of another type is a 500', async () => {
    const fixture = createFixtureModules();
    await using t = await createTestApp({ modules: fixture.modules });
    // The route declares no query, so the input guard leaves it alone; the error is not about that text.
    const res = await fetch(`${t.url}/fixture/fail/not-an-integer?note=a%00b`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ detail: 'Internal server error', code: 'INTERNAL' });
  });

  it('a JSON syntax error (22P02) from a request holding such text is a 422 naming where it was, object keys included', async () => {
    const fixture = createFixtureModules();
    await using t = await createTestApp({ modules: fixture.modules });
    const res = await fetch(`${t.url}/fixture/fail/surrogate-in-json?note=a%00b&ok=1`);
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      detail: [{ loc: ['query', 'note'], msg: UNSAFE_TEXT_MESSAGE, type: 'string_unsafe' }],
      code: 'VALIDATION_FAILED',
    });
    const keyed = await fetch(`${t.url}/fixture/fail/surrogate-in-json?a%00b=1`);
    expect(keyed.status).toBe(422);
    expect(await keyed.json()).toEqual({
      detail: [{ loc: ['query', 'a\u0000b'], msg: UNSAFE_TEXT_MESSAGE, type: 'string_unsafe' }],
      code: 'VALIDATION_FAILED',
    });
  });
});

describe('JSON answers', () => {
  it('are UTF-8 JSON with the exact byte length, short or long, and HEAD gets the headers without the body', async () => {
    const fixture = createFixtureModules();
    await using t = await createTestApp({ modules: fixture.modules });
    // Below and above the 1,000 characters where Express would switch to a Buffer; multi-byte text throughout.
    for (const name of ['Ўзбекистон — 東京 — 😀', 'Ўзбек 😀 '.repeat(400)]) {
      const res = await fetch(`${t.url}/fixture/echo`, json({ name, count: 1 }));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(Number(res.headers.get('content-length'))).toBe(bytes.length);
      expect(JSON.parse(bytes.toString('utf8'))).toEqual({ name, count: 1 });
    }
    const get = await fetch(`${t.url}/healthz`);
    const head = await fetch(`${t.url}/healthz`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(head.headers.get('content-length')).toBe(get.headers.get('content-length'));
    expect(await head.text()).toBe('');
    // Without an ETag there is nothing for a conditional request to match: it gets the whole answer.
    const conditional = await fetch(`${t.url}/healthz`, { headers: { 'if-none-match': '*' } });
    expect(conditional.status).toBe(200);
    expect(await conditional.json()).toEqual(await get.json());
  });
});

describe('every response is checked against the contract', () => {
  it('passes a body that is exactly as declared, unchanged', async () => {
    const fixture = createFixtureModules();
    await using t = await createTestApp({ modules: fixture.modules });
    const res = await fetch(`${t.url}/fixture/shape/exact`);
    expect(res.status).toBe(200);
    expect(await res.json()).toStrictEqual(SHAPES.exact);
  });

  it('strips every key the contract does not name, at any depth, so nothing internal leaks', async () => {
    const fixture = createFixtureModules();
    await using t = await createTestApp({ modules: fixture.modules });
    const res = await fetch(`${t.url}/fixture/shape/extra-keys`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(JSON.parse(text)).toStrictEqual({
      id: 7,
      name: 'Seven',
      tags: ['a'],
      owner: { id: 1, email: 'ceo@cims.local' },
      counts: { open: 2 },
    });
    expect(text).not.toContain('secret');
    // The handler's own object is not changed by the check.
    expect(SHAPES['extra-keys'].owner.password_hash).toBe('$2b$12$secret');
  });

  it.each([
    ['wrong-type', 'a number that is a string'],
    ['date-for-object', 'a Date where an object is declared'],
  ] as const)('fails a drifting handler (%s: %s) with 500 INTERNAL and the issues in the log', async (kind, _what) => {
    const fixture = createFixtureModules();
    await using t = await createTestApp({ modules: fixture.modules });
    const res = await fetch(`${t.url}/fixture/shape/${kind}`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ detail: 'Internal server error', code: 'INTERNAL' });
    const logged = t.logs.find((line) => line.msg === 'Unhandled error');
    expect(logged?.reqId).toBe(res.headers.get('x-request-id'));
    expect(JSON.stringify(logged)).toMatch(/Expected (number|object), received (string|date)/);
  });
});

describe('request ids, security headers, CORS and logs', () => {
  it('echoes a sent X-Request-ID, generates one otherwise, and never echoes an unsafe one', async () => {
    await using t = await createTestApp();
    const sent = await fetch(`${t.url}/healthz`, { headers: { 'x-request-id': 'trace-42.a:b' } });
    expect(sent.headers.get('x-request-id')).toBe('trace-42.a:b');
    const generated = await fetch(`${t.url}/healthz`);
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const unsafe = await fetch(`${t.url}/healthz`, { headers: { 'x-request-id': 'x'.repeat(300) } });
    expect(unsafe.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const refused = await fetch(`${t.url}/nowhere`, { headers: { 'x-request-id': 'on-error-too' } });
    expect(refused.headers.get('x-request-id')).toBe('on-error-too');
  });

  it("sends an API's security headers on every answer, helmet's on the HTML reference, and no X-Powered-By", async () => {
    await using t = await createTestApp();
    const api = {
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      'cache-control': 'no-store',
      'cross-origin-resource-policy': 'same-origin',
      'referrer-policy': 'no-referrer',
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
    };
    const answers = [
      await fetch(`${t.url}/healthz`),
      await fetch(`${t.url}/auth/me`),
      await fetch(`${t.url}/no/such/route`),
      await fetch(`${t.url}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username: 'nobody@cims.local', password: 'wrong' }),
      }),
    ];
    expect(answers.map((res) => res.status)).toEqual([200, 401, 404, 401]);
    for (const res of answers) {
      for (const [name, value] of Object.entries(api)) expect(res.headers.get(name), name).toBe(value);
      expect(res.headers.get('x-powered-by')).toBeNull();
      expect(res.headers.get('x-xss-protection')).toBeNull();
    }
    const docs = await fetch(`${t.url}/docs/`);
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(docs.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(docs.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(docs.headers.get('cache-control')).not.toBe('no-store');
  });

  it('answers CORS preflights for configured origins with every header the legacy client sends', async () => {
    await using t = await createTestApp({ env: { CORS_ORIGINS: 'http://localhost:5173, https://cims.example.com' } });
    const preflight = await fetch(`${t.url}/healthz`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'PATCH',
        'access-control-request-headers': 'authorization,content-type,cache-control,pragma,expires,accept',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('PATCH');
    const allowed = preflight.headers.get('access-control-allow-headers')?.toLowerCase() ?? '';
    for (const header of ['authorization', 'content-type', 'cache-control', 'pragma', 'expires', 'accept']) {
      expect(allowed).toContain(header);
    }
    const simple = await fetch(`${t.url}/healthz`, { headers: { origin: 'https://cims.example.com' } });
    expect(simple.headers.get('access-control-allow-origin')).toBe('https://cims.example.com');
    expect(simple.headers.get('access-control-expose-headers')).toContain('X-Request-ID');
    const stranger = await fetch(`${t.url}/healthz`, { headers: { origin: 'https://evil.example' } });
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('logs each request with its id but never the Authorization or X-Key header', async () => {
    await using t = await createTestApp();
    await fetch(`${t.url}/healthz`, {
      headers: { authorization: 'Bearer super-secret-token', 'x-key': 'intake-secret', 'x-request-id': 'logged-1' },
    });
    const line = t.logs.find((l) => (l.req as { id?: string } | undefined)?.id === 'logged-1');
    expect(line).toMatchObject({ req: { method: 'GET', url: '/healthz' }, res: { statusCode: 200 } });
    expect(t.logText()).not.toContain('super-secret-token');
    expect(t.logText()).not.toContain('intake-secret');
  });

  it('logs one line per request: completed, or aborted when the client leaves before the answer', async () => {
    const fixture = createFixtureModules();
    await using t = await createTestApp({ modules: fixture.modules });
    await fetch(`${t.url}/healthz`, { headers: { 'x-request-id': 'done-1' } });
    const leaving = new AbortController();
    const request = fetch(`${t.url}/fixture/slow`, { headers: { 'x-request-id': 'gone-1' }, signal: leaving.signal });
    await fixture.started;
    leaving.abort();
    await expect(request).rejects.toThrow();
    await expect.poll(() => t.logs.filter((l) => l.reqId === 'gone-1').length).toBe(1);
    fixture.release();
    const done = t.logs.filter((l) => l.reqId === 'done-1');
    expect(done).toEqual([expect.objectContaining({ msg: 'request completed', res: { statusCode: 200 } })]);
    expect(t.logs.filter((l) => l.reqId === 'gone-1')).toEqual([
      expect.objectContaining({ msg: 'request aborted', req: expect.objectContaining({ url: '/fixture/slow' }) }),
    ]);
  });

  it('at LOG_LEVEL=warn logs a failed request with its request, and nothing for a successful one', async () => {
    const fixture = createFixtureModules();
    await using t = await createTestApp({ modules: fixture.modules, env: { LOG_LEVEL: 'warn' } });
    await fetch(`${t.url}/healthz`, { headers: { 'x-request-id': 'quiet-1' } });
    const res = await fetch(`${t.url}/fixture/boom`, { headers: { 'x-request-id': 'boom-1' } });
    expect(res.status).toBe(500);
    expect(t.logs.filter((l) => l.reqId === 'quiet-1')).toEqual([]);
    expect(t.logs.find((l) => l.msg === 'request errored')).toMatchObject({
      level: 50,
      reqId: 'boom-1',
      req: { id: 'boom-1', method: 'GET', url: '/fixture/boom' },
      res: { statusCode: 500 },
    });
  });
});

describe('the contract routes', () => {
  it('refuses to start when a route of a module has no implementation', async () => {
    const { modules } = createFixtureModules();
    const partial = { contract: fixtureContract, router: () => ({ echo: async () => ({ status: 200, body: {} }) }) };
    await expect(createTestApp({ modules: [...modules.slice(0, -1), partial] })).rejects.toThrow(
      'No implementation of POST /fixture/form',
    );
  });
});

describe('API documentation', () => {
  it('serves the committed OpenAPI document at /openapi.json', async () => {
    await using t = await createTestApp();
    const res = await fetch(`${t.url}/openapi.json`);
    expect(res.status).toBe(200);
    const committed = readFileSync(createRequire(import.meta.url).resolve('@cims/contracts/openapi.json'), 'utf8');
    expect(await res.json()).toEqual(JSON.parse(committed));
  });

  it('serves the interactive reference at /docs, pointed at /openapi.json', async () => {
    await using t = await createTestApp();
    const page = await fetch(`${t.url}/docs/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('swagger-ui-bundle.js');
    const init = await fetch(`${t.url}/docs/swagger-ui-init.js`);
    expect(await init.text()).toContain('/openapi.json');
  });
});

describe('TRUST_PROXY', () => {
  it('true takes the client address from the leftmost X-Forwarded-For entry', async () => {
    await using t = await createTestApp({ env: { TRUST_PROXY: 'true' } });
    const login = await fetch(`${t.url}/auth/login`, {
      method: 'POST',
      headers: { 'x-forwarded-for': '203.0.113.7, 10.0.0.2', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'ceo@cims.local', password: 'ceo-demo-password' }),
    });
    expect(login.status).toBe(200);
    const { access_token: token } = (await login.json()) as { access_token: string };
    const sessions = await fetch(`${t.url}/auth/sessions`, { headers: { authorization: `Bearer ${token}` } });
    const list = (await sessions.json()) as { current: boolean; ip_address: string | null }[];
    expect(list.find((s) => s.current)?.ip_address).toBe('203.0.113.7');
  });

  it('true is warned about at start: per-IP limits then trust a header the client writes', async () => {
    await using trusting = await createTestApp({ env: { TRUST_PROXY: 'true' } });
    expect(trusting.logs).toContainEqual(
      expect.objectContaining({ level: 40, msg: expect.stringMatching(/^TRUST_PROXY=true: .*a client can write/) }),
    );
    await using counted = await createTestApp({ env: { TRUST_PROXY: '1' } });
    expect(counted.logs.some((line) => String(line.msg).startsWith('TRUST_PROXY'))).toBe(false);
  });
});
