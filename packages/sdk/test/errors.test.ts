import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import {
  CimsApiError,
  type CimsApiErrorOf,
  CimsError,
  CimsNetworkError,
  CimsTimeoutError,
  CimsUnexpectedResponseError,
  createCimsClient,
  memoryTokenStore,
  SessionExpiredError,
  unwrap,
} from '../src/index.js';
import { jwt } from './fake-auth-server.js';

// Real HTTP servers on 127.0.0.1, so the errors are the ones fetch gives an app: a refused connection, a proxy's
// error page, a server that never answers.
const open: Server[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((server) => new Promise((done) => server.close(done))));
});

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  open.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A port nothing listens on: one that was just given to a server, now closed. */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return `http://127.0.0.1:${port}`;
}

/** A reverse proxy in front of `upstream` that, as nginx does, answers an HTML 502 when the upstream is down. */
async function proxyTo(upstream: string): Promise<string> {
  return listen((req, res) => {
    const target = new URL(req.url ?? '/', upstream);
    const forward = request(target, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
    });
    req.pipe(forward);
  });
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const credentials = { email: 'ceo@example.com', password: 'secret-password' };

describe('errors a consumer can handle', () => {
  it('login: a 429 is a CimsApiError typed RATE_LIMITED that keeps Retry-After', async () => {
    const base = await listen((_req, res) =>
      json(res, 429, { detail: 'Too many attempts; try again later', code: 'RATE_LIMITED' }, { 'Retry-After': '60' }),
    );
    const cims = createCimsClient({ baseUrl: base });
    const error = await cims.login(credentials).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CimsApiError);
    expect(error).toBeInstanceOf(CimsError);
    const apiError = error as CimsApiError;
    expect([apiError.status, apiError.code, apiError.message]).toEqual([
      429,
      'RATE_LIMITED',
      'Too many attempts; try again later',
    ]);
    expect(apiError.headers.get('retry-after')).toBe('60');
    expect(apiError.retryAfterSeconds).toBe(60);
    expect(apiError.hasStatus(429)).toBe(true);
    expect(apiError.hasStatus(401)).toBe(false);
  });

  it('a status the route does not declare (an HTML 502 from a proxy whose upstream is down) is unexpected', async () => {
    const base = await proxyTo(await closedPort());
    const cims = createCimsClient({
      baseUrl: base,
      tokenStore: memoryTokenStore({ accessToken: jwt(900), refreshToken: 'rt' }),
    });
    const error = await cims.auth.me().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CimsUnexpectedResponseError);
    expect(error).toBeInstanceOf(CimsError);
    expect(error).not.toBeInstanceOf(CimsApiError);
    const unexpected = error as CimsUnexpectedResponseError;
    expect(unexpected.status).toBe(502);
    expect(unexpected.method).toBe('GET');
    expect(unexpected.url).toBe(`${base}/auth/me`);
    expect(unexpected.body).toContain('502 Bad Gateway');
    expect(unexpected.headers.get('content-type')).toBe('text/html');
    expect(unexpected.message).toBe(`Unexpected response to GET ${base}/auth/me: status 502 (text/html)`);
  });

  it('a declared error status with an HTML page instead of the API body is unexpected, not a validation error', async () => {
    const base = await listen((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<h1>Internal Server Error</h1>');
    });
    const cims = createCimsClient({ baseUrl: base, validateResponses: false });
    const error = await cims.login(credentials).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CimsUnexpectedResponseError);
    expect((error as CimsUnexpectedResponseError).status).toBe(500);
    expect((error as CimsUnexpectedResponseError).body).toBe('<h1>Internal Server Error</h1>');
  });

  it('a refused connection is a CimsNetworkError with the cause', async () => {
    const base = await closedPort();
    const cims = createCimsClient({ baseUrl: base });
    const error = await cims.health.liveness().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CimsNetworkError);
    expect(error).toBeInstanceOf(CimsError);
    const network = error as CimsNetworkError;
    expect([network.method, network.url]).toEqual(['GET', `${base}/healthz`]);
    expect(network.cause).toBeInstanceOf(TypeError);
    expect(network.message).toContain('ECONNREFUSED');
  });

  it('a refresh that cannot reach the server ends the session with the network error as the cause', async () => {
    const seen: string[] = [];
    const upstream = await listen((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      // The call gets its 401; the connection of the refresh then drops before any answer.
      if (req.url === '/auth/refresh') req.socket.destroy();
      else json(res, 401, { detail: 'Could not validate credentials', code: 'UNAUTHENTICATED' });
    });
    const expired: SessionExpiredError[] = [];
    const cims = createCimsClient({
      baseUrl: upstream,
      tokenStore: memoryTokenStore({ accessToken: jwt(900), refreshToken: 'rt' }),
      onSessionExpired: (error) => expired.push(error),
    });
    const error = await cims.auth.me().catch((e: unknown) => e);
    expect(seen).toEqual(['GET /auth/me', 'POST /auth/refresh']);
    expect(error).toBeInstanceOf(SessionExpiredError);
    expect((error as SessionExpiredError).cause).toBeInstanceOf(CimsNetworkError);
    expect(expired).toHaveLength(1);
  });

  it('a server that never answers: the call times out with CimsTimeoutError', async () => {
    const base = await listen(() => {
      // Never answers; the connection stays open until the client gives up.
    });
    const cims = createCimsClient({ baseUrl: base, timeoutMs: 50 });
    const error = await cims.health.liveness().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CimsTimeoutError);
    expect(error).toBeInstanceOf(CimsError);
    const timeout = error as CimsTimeoutError;
    expect([timeout.method, timeout.url, timeout.timeoutMs]).toEqual(['GET', `${base}/healthz`, 50]);
    for (const server of open) server.closeAllConnections();
  });

  it("the caller's own abort is not a timeout: it rejects with the caller's reason", async () => {
    const base = await listen(() => {});
    const cims = createCimsClient({ baseUrl: base });
    const controller = new AbortController();
    const call = cims.health.liveness({ fetchOptions: { signal: controller.signal } });
    controller.abort(new Error('user left the page'));
    await expect(call).rejects.toThrow('user left the page');
    for (const server of open) server.closeAllConnections();
  });

  it('types: CimsApiError narrows code and body by status', () => {
    type LoginError = CimsApiErrorOf<Awaited<ReturnType<ReturnType<typeof createCimsClient>['auth']['login']>>>;
    expectTypeOf<LoginError['status']>().toEqualTypeOf<400 | 401 | 403 | 413 | 415 | 422 | 429 | 500 | 503>();
    expectTypeOf<CimsApiError<429>['code']>().toEqualTypeOf<'RATE_LIMITED'>();
    expectTypeOf<CimsApiError<422>['body']['detail']>().toBeArray();
    const error = new CimsApiError(401, { detail: 'no', code: 'INVALID_CREDENTIALS' });
    expect(error.code).toBe('INVALID_CREDENTIALS');
    if (error.hasStatus(401))
      expectTypeOf(error.code).toEqualTypeOf<
        'UNAUTHENTICATED' | 'INVALID_CREDENTIALS' | 'REFRESH_TOKEN_INVALID' | 'REFRESH_TOKEN_REUSED' | 'INVALID_API_KEY'
      >();
  });

  it('unwrap of a result that is not the API error shape throws CimsUnexpectedResponseError', () => {
    const result = { status: 503, body: 'Service Unavailable', headers: new Headers() };
    expect(() => unwrap(result)).toThrow(CimsUnexpectedResponseError);
  });
});
