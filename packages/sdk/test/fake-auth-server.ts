import { HttpResponse, http } from 'msw';

/** The fake server's origin. */
export const BASE = 'http://sdk.test';

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An HS256-looking JWT with the given lifetime (the signature is not checked by anyone here). */
export function jwt(expiresInSeconds: number, sid = 1): string {
  const now = Math.floor(Date.now() / 1000);
  return `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub: '1', sid, iat: now, exp: now + expiresInSeconds, jti: crypto.randomUUID() })}.c2ln`;
}

/** One request the fake server received, with its raw body. */
export interface Received {
  method: string;
  path: string;
  authorization: string | null;
  contentType: string | null;
  bytes: Uint8Array;
}

const me = {
  id: 1,
  email: 'ceo@example.com',
  name: 'Ann',
  surname: 'Lee',
  role: 'CEO',
  permissions: { crm: true },
  profile_image: null,
  job_title: null,
  company_code: 'oddiy',
  telegram_id: null,
  is_active: true,
  email_verified: true,
  created_at: '2026-01-01T00:00:00.000Z',
};

const unauthenticated = () =>
  HttpResponse.json({ detail: 'Could not validate credentials', code: 'UNAUTHENTICATED' }, { status: 401 });
const message = (text: string) => HttpResponse.json({ success: true, message: text });

/**
 * A small auth server: it issues pairs, accepts only the access tokens it currently considers valid, rotates refresh
 * tokens and records every request. Tests change `refreshBehaviour` and `beforeRefresh` to stage failures and races.
 */
export function createFakeAuth() {
  const validAccess = new Set<string>();
  const validRefresh = new Set<string>();
  const received: Received[] = [];
  const state = {
    /** `ok` rotates; a status answers with that error; `network` fails the connection. */
    refreshBehaviour: 'ok' as 'ok' | 401 | 500 | 'network',
    /** Awaited before the refresh answers, to hold it open while other calls run into their 401s. */
    beforeRefresh: async () => {},
    /** Awaited before a protected route answers 401. */
    before401: async (_request: Received) => {},
    /** When set, every protected route answers 401. */
    rejectAll: false,
  };

  function issue(accessLifetime = 900) {
    const pair = {
      access_token: jwt(accessLifetime),
      refresh_token: `rt-${crypto.randomUUID()}`,
      token_type: 'bearer' as const,
      expires_in: accessLifetime,
    };
    validAccess.add(pair.access_token);
    validRefresh.add(pair.refresh_token);
    return pair;
  }

  async function record(request: Request): Promise<Received> {
    const entry: Received = {
      method: request.method,
      path: new URL(request.url).pathname,
      authorization: request.headers.get('authorization'),
      contentType: request.headers.get('content-type'),
      bytes: new Uint8Array(await request.arrayBuffer()),
    };
    received.push(entry);
    return entry;
  }

  /** A bearer route: answers `answer()` when the access token is valid, 401 otherwise. */
  const protectedRoute =
    (answer: (entry: Received) => Response | Promise<Response>) =>
    async ({ request }: { request: Request }) => {
      const entry = await record(request);
      const token = entry.authorization?.replace(/^Bearer /, '') ?? '';
      if (state.rejectAll || !validAccess.has(token)) {
        await state.before401(entry);
        return unauthenticated();
      }
      return answer(entry);
    };

  const handlers = [
    http.post(`${BASE}/auth/refresh`, async ({ request }) => {
      const entry = await record(request);
      await state.beforeRefresh();
      if (state.refreshBehaviour === 'network') return HttpResponse.error();
      if (state.refreshBehaviour === 500)
        return HttpResponse.json({ detail: 'boom', code: 'INTERNAL' }, { status: 500 });
      const { refresh_token } = JSON.parse(new TextDecoder().decode(entry.bytes)) as { refresh_token: string };
      if (state.refreshBehaviour === 401 || !validRefresh.delete(refresh_token)) {
        return HttpResponse.json({ detail: 'Invalid refresh token', code: 'REFRESH_TOKEN_INVALID' }, { status: 401 });
      }
      return HttpResponse.json(issue());
    }),
    http.post(`${BASE}/auth/login`, async ({ request }) => {
      const entry = await record(request);
      const form = new URLSearchParams(new TextDecoder().decode(entry.bytes));
      if (form.get('password') !== 'right-password') {
        return HttpResponse.json(
          { detail: 'Incorrect email or password', code: 'INVALID_CREDENTIALS' },
          { status: 401 },
        );
      }
      return HttpResponse.json(issue());
    }),
    http.post(`${BASE}/auth/verify-email`, async ({ request }) => {
      await record(request);
      return HttpResponse.json(issue());
    }),
    http.post(`${BASE}/auth/register`, async ({ request }) => {
      await record(request);
      return HttpResponse.json({ success: true, message: 'Check your e-mail' }, { status: 201 });
    }),
    http.get(
      `${BASE}/auth/me`,
      protectedRoute(() => HttpResponse.json(me)),
    ),
    http.get(
      `${BASE}/auth/sessions`,
      protectedRoute(() => HttpResponse.json([])),
    ),
    http.patch(
      `${BASE}/auth/me/profile`,
      protectedRoute(() => message('Profile updated')),
    ),
    http.patch(
      `${BASE}/auth/me/password`,
      protectedRoute(() => message('Password changed')),
    ),
    http.post(
      `${BASE}/auth/logout`,
      protectedRoute(() => message('Logged out')),
    ),
    http.post(
      `${BASE}/auth/logout-all`,
      protectedRoute(() => HttpResponse.json({ success: true, message: 'Logged out everywhere', revoked_sessions: 3 })),
    ),
  ];

  return {
    handlers,
    received,
    state,
    issue,
    /** Makes the server reject an access token it issued (expired by the server's clock, revoked). */
    revoke: (accessToken: string) => validAccess.delete(accessToken),
    /** The requests received on one path. */
    on: (path: string) => received.filter((entry) => entry.path === path),
  };
}

/** A `Storage` in memory, standing in for `localStorage`. */
export function memoryStorage(): Storage {
  const map = new Map<string, string>();
  return {
    get length() {
      return map.size;
    },
    clear: () => map.clear(),
    getItem: (key: string) => map.get(key) ?? null,
    key: (index: number) => [...map.keys()][index] ?? null,
    removeItem: (key: string) => void map.delete(key),
    setItem: (key: string, value: string) => void map.set(key, String(value)),
  };
}
