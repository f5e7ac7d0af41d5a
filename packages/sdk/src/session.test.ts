import { type Me, meta, type TokenPair } from '@cims/contracts';
import { initClient, initContract } from '@ts-rest/core';
import { HttpResponse, http } from 'msw';
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { z } from 'zod';
import { BASE, createFakeAuth, memoryStorage } from '../test/fake-auth-server.js';
import { decode, type SessionWorldOptions, sessionWorld, until, useMswServer } from '../test/session-world.js';
import {
  CimsApiError,
  createCimsClient,
  localStorageTokenStore,
  memoryTokenStore,
  SessionExpiredError,
  unwrap,
} from './index.js';
import { createSession } from './session.js';
import { createTransport } from './transport.js';

const server = useMswServer();
const world = (options?: SessionWorldOptions) => sessionWorld(server, options);

describe('Authorization header', () => {
  it('is sent on bearer routes, omitted without a token, and never sent on public routes', async () => {
    const { fake, cims, store, tokens } = world();
    expect((await cims.auth.me()).status).toBe(401);
    expect(fake.on('/auth/me')[0]?.authorization).toBeNull();

    await store.set(tokens);
    await cims.auth.register({ body: { email: 'a@example.com', name: 'A', surname: 'B', password: 'long-password' } });
    await cims.login({ email: 'ceo@example.com', password: 'right-password' });
    expect(fake.on('/auth/register')[0]?.authorization).toBeNull();
    expect(fake.on('/auth/login')[0]?.authorization).toBeNull();

    const { accessToken } = (await store.get()) ?? {};
    expect(unwrap(await cims.auth.me()).email).toBe('ceo@example.com');
    expect(fake.on('/auth/me')[1]?.authorization).toBe(`Bearer ${accessToken}`);
  });

  it('leaves a caller-supplied Authorization alone and does not refresh it', async () => {
    const { fake, cims, store, tokens } = world();
    await store.set(tokens);
    const res = await cims.auth.me({ extraHeaders: { authorization: 'Bearer mine' } });
    expect(res.status).toBe(401);
    expect(fake.received.map((r) => [r.path, r.authorization])).toEqual([['/auth/me', 'Bearer mine']]);
  });
});

describe('refresh after a 401', () => {
  it('50 parallel calls with a rejected token: exactly 1 refresh, 50 successful retries, none with the old token', async () => {
    const { fake, cims, store, tokens, stale } = world();
    await store.set(tokens);
    const results = await Promise.all(Array.from({ length: 50 }, () => cims.auth.me()));

    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(fake.on('/auth/refresh')).toHaveLength(1);
    const fresh = `Bearer ${(await store.get())?.accessToken}`;
    expect(fresh).not.toBe(stale);
    const calls = fake.on('/auth/me');
    expect(calls).toHaveLength(100);
    expect(calls.filter((c) => c.authorization === stale)).toHaveLength(50);
    expect(calls.filter((c) => c.authorization === fresh)).toHaveLength(50);
    // Every request after the refresh carries the new token.
    const refreshAt = fake.received.findIndex((r) => r.path === '/auth/refresh');
    expect(fake.received.slice(refreshAt + 1).every((r) => r.authorization === fresh)).toBe(true);
    expect(decode(fake.on('/auth/refresh')[0]?.bytes ?? new Uint8Array())).toBe(
      JSON.stringify({ refresh_token: tokens.refreshToken }),
    );
  });

  it('a failed refresh rejects all 50 calls with SessionExpiredError, calls onSessionExpired once and clears the store', async () => {
    const onSessionExpired = vi.fn();
    const { fake, cims, store, tokens } = world({ onSessionExpired });
    await store.set(tokens);
    fake.state.refreshBehaviour = 401;
    // Hold the refresh until every call has been sent with the old token: each then waits on the refresh, or gets its
    // 401 after it failed, and rejects with the same error either way.
    fake.state.beforeRefresh = () => until(() => fake.on('/auth/me').length === 50);
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => cims.auth.me()));

    expect(results.every((r) => r.status === 'rejected' && r.reason instanceof SessionExpiredError)).toBe(true);
    expect(onSessionExpired).toHaveBeenCalledTimes(1);
    const [error] = onSessionExpired.mock.calls[0] ?? [];
    expect(error).toBeInstanceOf(SessionExpiredError);
    expect(error).toMatchObject({ reason: 'refresh-failed', cause: { code: 'REFRESH_TOKEN_INVALID' } });
    expect(error.cause).toBeInstanceOf(CimsApiError);
    expect(fake.on('/auth/refresh')).toHaveLength(1);
    expect(fake.on('/auth/me')).toHaveLength(50);
    expect(await store.get()).toBeFalsy();
  });

  it("a 401 that comes back after the session's refresh failed rejects with that refresh's error", async () => {
    const onSessionExpired = vi.fn();
    const { fake, cims, store, tokens } = world({ onSessionExpired });
    await store.set(tokens);
    fake.state.refreshBehaviour = 401;
    // The sessions call is sent with the old token, but its 401 is held until the refresh has failed.
    fake.state.before401 = async (entry) => {
      if (entry.path === '/auth/sessions') await until(() => onSessionExpired.mock.calls.length > 0);
    };
    const [me, sessions] = await Promise.allSettled([cims.auth.me(), cims.auth.listSessions()]);
    const [expired] = onSessionExpired.mock.calls[0] ?? [];
    expect(me).toEqual({ status: 'rejected', reason: expired });
    expect(sessions).toEqual({ status: 'rejected', reason: expired });
    expect(fake.on('/auth/refresh')).toHaveLength(1);
    expect(onSessionExpired).toHaveBeenCalledTimes(1);
  });

  it.each([500, 'network'] as const)('a refresh failing with %s ends the session the same way', async (behaviour) => {
    const onSessionExpired = vi.fn();
    const { fake, cims, store, tokens } = world({ onSessionExpired });
    await store.set(tokens);
    fake.state.refreshBehaviour = behaviour;
    await expect(cims.auth.me()).rejects.toBeInstanceOf(SessionExpiredError);
    expect(onSessionExpired).toHaveBeenCalledTimes(1);
    expect(await store.get()).toBeFalsy();
  });

  it('retries at most once: a second 401 is the result', async () => {
    const { fake, cims, store, tokens } = world();
    await store.set(tokens);
    fake.state.rejectAll = true;
    const res = await cims.auth.me();
    expect(res.status).toBe(401);
    expect(fake.on('/auth/refresh')).toHaveLength(1);
    expect(fake.on('/auth/me')).toHaveLength(2);
  });

  it('a 401 that arrives after the refresh finished retries with the new token, without a second refresh', async () => {
    const { fake, cims, store, tokens, stale } = world();
    await store.set(tokens);
    // The sessions call is sent with the old token, but its 401 is held until the refresh has completed.
    fake.state.before401 = async (entry) => {
      if (entry.path === '/auth/sessions') await until(() => fake.on('/auth/me').length === 2);
    };
    const [me, sessions] = await Promise.all([cims.auth.me(), cims.auth.listSessions()]);
    expect([me.status, sessions.status]).toEqual([200, 200]);
    expect(fake.on('/auth/refresh')).toHaveLength(1);
    expect(fake.on('/auth/sessions').map((r) => r.authorization === stale)).toEqual([true, false]);
  });

  it('without a refresh token the 401 is returned as it is', async () => {
    const { fake, cims, store, tokens } = world();
    await store.set({ accessToken: tokens.accessToken });
    expect((await cims.auth.me()).status).toBe(401);
    expect(fake.on('/auth/refresh')).toHaveLength(0);
  });

  it('with only a refresh token stored (a legacy session), the first call refreshes and retries', async () => {
    const storage = memoryStorage();
    const { fake, cims, tokens } = world({ store: localStorageTokenStore({ storage }) });
    storage.setItem('cims_refresh_token', tokens.refreshToken ?? '');
    expect((await cims.auth.me()).status).toBe(200);
    expect(fake.on('/auth/me').map((r) => r.authorization === null)).toEqual([true, false]);
  });

  it('never refreshes on public routes', async () => {
    const { fake, cims, store, tokens } = world();
    await store.set(tokens);
    await expect(cims.login({ email: 'ceo@example.com', password: 'wrong' })).rejects.toMatchObject({
      status: 401,
      code: 'INVALID_CREDENTIALS',
    });
    expect((await cims.auth.login({ body: { username: 'ceo@example.com', password: 'wrong' } })).status).toBe(401);
    expect((await cims.auth.refresh({ body: { refresh_token: 'spent' } })).status).toBe(401);
    expect(fake.on('/auth/refresh')).toHaveLength(1);
    expect(fake.received.map((r) => r.path)).toEqual(['/auth/login', '/auth/login', '/auth/refresh']);
    expect(await store.get()).toEqual(tokens);
  });
});

describe('replaying the body', () => {
  it('sends a FormData body with a File byte for byte again', async () => {
    const { fake, cims, store, tokens } = world();
    await store.set(tokens);
    const form = new FormData();
    form.append('name', 'Ann');
    form.append('surname', 'Lée');
    const pixels = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0x0d, 0x0a]);
    form.append('image', new File([pixels], 'me.png', { type: 'image/png' }));

    expect((await cims.auth.updateProfile({ body: form })).status).toBe(200);
    const [first, retry] = fake.on('/auth/me/profile');
    expect(first?.authorization).not.toBe(retry?.authorization);
    expect(retry?.contentType).toBe(first?.contentType);
    expect(first?.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(retry?.bytes).toEqual(first?.bytes);
    expect(decode(first?.bytes ?? new Uint8Array())).toContain('filename="me.png"');
  });

  it('sends a JSON body byte for byte again', async () => {
    const { fake, cims, store, tokens } = world();
    await store.set(tokens);
    const body = { current_password: 'old-password', new_password: 'new-password-ü' };
    expect((await cims.auth.changePassword({ body })).status).toBe(200);
    const [first, retry] = fake.on('/auth/me/password');
    expect(decode(retry?.bytes ?? new Uint8Array())).toBe(JSON.stringify(body));
    expect(retry?.bytes).toEqual(first?.bytes);
  });

  it('sends a URL-encoded body byte for byte again', async () => {
    // No bearer route of the contract is URL-encoded today, so this one is made up for the test.
    const c = initContract();
    const formContract = c.router({
      submit: {
        method: 'POST',
        path: '/forms/submit',
        contentType: 'application/x-www-form-urlencoded',
        metadata: meta({ auth: 'bearer' }),
        body: z.object({ note: z.string(), tags: z.string() }),
        responses: { 200: z.object({ ok: z.boolean() }), 401: z.unknown() },
      },
    });
    const fake = createFakeAuth();
    const seen: { authorization: string | null; type: string | null; text: string }[] = [];
    server.use(
      ...fake.handlers,
      http.post(`${BASE}/forms/submit`, async ({ request }) => {
        seen.push({
          authorization: request.headers.get('authorization'),
          type: request.headers.get('content-type'),
          text: await request.text(),
        });
        return seen.length === 1
          ? HttpResponse.json({ detail: 'expired', code: 'UNAUTHENTICATED' }, { status: 401 })
          : HttpResponse.json({ ok: true });
      }),
    );
    const pair = fake.issue();
    const store = memoryTokenStore({ accessToken: pair.access_token, refreshToken: pair.refresh_token });
    const session = createSession({
      store,
      fetch: (input, init) => fetch(input, init),
      refresh: async (refreshToken) => {
        const res = await fetch(`${BASE}/auth/refresh`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ refresh_token: refreshToken }),
        });
        const next = (await res.json()) as { access_token: string; refresh_token: string };
        return { accessToken: next.access_token, refreshToken: next.refresh_token };
      },
      onSessionExpired: undefined,
      refreshAheadSeconds: false,
      lock: undefined,
      syncTabs: false,
    });
    const client = initClient(formContract, {
      baseUrl: BASE,
      api: createTransport({ send: session.send, validateResponses: true, timeoutMs: false }),
    });

    const res = await client.submit({ body: { note: 'a & b = ü', tags: 'x y' } });
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(2);
    expect(seen[1]?.text).toBe(seen[0]?.text);
    expect(seen[0]?.text).toBe('note=a+%26+b+%3D+%C3%BC&tags=x+y');
    expect(seen[1]?.type).toBe('application/x-www-form-urlencoded');
    expect(seen[1]?.authorization).not.toBe(seen[0]?.authorization);
  });

  it('sends the fields of a multipart route given as an object as plain form fields', async () => {
    const { fake, cims, store, tokens } = world();
    await store.set(tokens);
    expect((await cims.auth.updateProfile({ body: { name: 'Ann', surname: 'Lee' } })).status).toBe(200);
    const text = decode(fake.on('/auth/me/profile')[1]?.bytes ?? new Uint8Array());
    expect(text).toMatch(/name="name"\r\n\r\nAnn\r\n/);
    expect(text).not.toContain('"Ann"');
  });
});

describe('refresh ahead of expiry', () => {
  it('refreshes before the call when the token expires within refreshAheadSeconds, once for 50 calls', async () => {
    const { fake, cims, store } = world();
    const pair = fake.issue(10);
    await store.set({ accessToken: pair.access_token, refreshToken: pair.refresh_token });
    const results = await Promise.all(Array.from({ length: 50 }, () => cims.auth.me()));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(fake.on('/auth/refresh')).toHaveLength(1);
    expect(fake.received[0]?.path).toBe('/auth/refresh');
    expect(fake.on('/auth/me')).toHaveLength(50);
    expect(fake.on('/auth/me').some((r) => r.authorization === `Bearer ${pair.access_token}`)).toBe(false);
  });

  it('does not refresh a token with time left, nor when turned off', async () => {
    const fake = createFakeAuth();
    server.use(...fake.handlers);
    const soon = fake.issue(10);
    const later = fake.issue(900);
    const off = createCimsClient({
      baseUrl: BASE,
      refreshAheadSeconds: false,
      tokenStore: memoryTokenStore({ accessToken: soon.access_token, refreshToken: soon.refresh_token }),
    });
    const fine = createCimsClient({
      baseUrl: BASE,
      tokenStore: memoryTokenStore({ accessToken: later.access_token, refreshToken: later.refresh_token }),
    });
    expect((await off.auth.me()).status).toBe(200);
    expect((await fine.auth.me()).status).toBe(200);
    expect(fake.on('/auth/refresh')).toHaveLength(0);
    expect(await fine.getAccessToken()).toBe(later.access_token);
  });

  it('getAccessToken refreshes a token about to expire', async () => {
    const { fake, cims, store } = world();
    const pair = fake.issue(5);
    await store.set({ accessToken: pair.access_token, refreshToken: pair.refresh_token });
    const token = await cims.getAccessToken();
    expect(token).not.toBe(pair.access_token);
    expect(token).toBe((await store.get())?.accessToken);
  });
});

describe('sign-in and sign-out', () => {
  it('login sends the OAuth2 password form, stores the pair and returns it', async () => {
    const { fake, cims, store } = world();
    const pair = await cims.login({ email: 'ceo@example.com', password: 'right-password' });
    const [login] = fake.on('/auth/login');
    expect(login?.contentType).toBe('application/x-www-form-urlencoded');
    expect(decode(login?.bytes ?? new Uint8Array())).toBe(
      'username=ceo%40example.com&password=right-password&grant_type=password&scope=&client_id=&client_secret=',
    );
    expect(await store.get()).toEqual({ accessToken: pair.access_token, refreshToken: pair.refresh_token });
    expect(unwrap(await cims.auth.me()).name).toBe('Ann');
  });

  it('is typed: the convenience methods and every route of the contract', () => {
    const { cims } = world();
    expectTypeOf(cims.login).parameter(0).toEqualTypeOf<{ email: string; password: string }>();
    expectTypeOf(cims.login).returns.resolves.toEqualTypeOf<TokenPair>();
    expectTypeOf(cims.logoutAll).returns.resolves.toHaveProperty('revoked_sessions').toEqualTypeOf<number>();
    expectTypeOf<ReturnType<typeof unwrap<Awaited<ReturnType<typeof cims.auth.me>>>>>().toEqualTypeOf<Me>();
  });

  it('verifyEmail stores the pair', async () => {
    const { cims, store } = world();
    const pair = await cims.verifyEmail({ email: 'new@example.com', code: '123456' });
    expect((await store.get())?.accessToken).toBe(pair.access_token);
  });

  it('logout sends the refresh token with the access token, then clears the store', async () => {
    const { fake, cims, store } = world();
    const pair = await cims.login({ email: 'ceo@example.com', password: 'right-password' });
    await cims.logout();
    const [logout] = fake.on('/auth/logout');
    expect(logout?.authorization).toBe(`Bearer ${pair.access_token}`);
    expect(decode(logout?.bytes ?? new Uint8Array())).toBe(JSON.stringify({ refresh_token: pair.refresh_token }));
    expect(await store.get()).toBeFalsy();
  });

  it('logout clears the store even when the server cannot be reached', async () => {
    const { cims, store, tokens } = world();
    await store.set(tokens);
    server.use(http.post(`${BASE}/auth/logout`, () => HttpResponse.error()));
    await expect(cims.logout()).resolves.toBeUndefined();
    expect(await store.get()).toBeFalsy();
  });

  it('logoutAll returns the count and clears the store', async () => {
    const { cims, store } = world();
    await cims.login({ email: 'ceo@example.com', password: 'right-password' });
    expect((await cims.logoutAll()).revoked_sessions).toBe(3);
    expect(await store.get()).toBeFalsy();
  });
});
