import { describe, expect, it, vi } from 'vitest';
import { BASE, createFakeAuth, memoryStorage } from '../test/fake-auth-server.js';
import { mutex, until, useMswServer } from '../test/session-world.js';
import {
  type AuthTokens,
  createCimsClient,
  localStorageTokenStore,
  memoryTokenStore,
  SessionExpiredError,
} from './index.js';

const server = useMswServer();

describe('several tabs', () => {
  it('two clients sharing one store and a lock make one refresh between them', async () => {
    const fake = createFakeAuth();
    server.use(...fake.handlers);
    const pair = fake.issue();
    fake.revoke(pair.access_token);
    const store = memoryTokenStore({ accessToken: pair.access_token, refreshToken: pair.refresh_token });
    const lock = mutex();
    const tabA = createCimsClient({ baseUrl: BASE, tokenStore: store, lock });
    const tabB = createCimsClient({ baseUrl: BASE, tokenStore: store, lock });
    // Both tabs get their 401 before the refresh answers.
    fake.state.beforeRefresh = () => until(() => fake.on('/auth/me').length >= 2);

    const results = await Promise.all([tabA.auth.me(), tabB.auth.me(), tabA.auth.me(), tabB.auth.me()]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(fake.on('/auth/refresh')).toHaveLength(1);
  });

  it.each([0, 20])(
    'a refresh failing in one tab ends the session of both, each told once, with one refresh request (lock hand-over %i ms)',
    async (handOverMs) => {
      const fake = createFakeAuth();
      server.use(...fake.handlers);
      const pair = fake.issue();
      fake.revoke(pair.access_token);
      fake.state.refreshBehaviour = 401;
      fake.state.beforeRefresh = () => until(() => fake.on('/auth/me').length >= 2);
      const store = memoryTokenStore({ accessToken: pair.access_token, refreshToken: pair.refresh_token });
      const lock = mutex(handOverMs);
      const [expiredA, expiredB] = [vi.fn(), vi.fn()];
      const tabA = createCimsClient({
        baseUrl: BASE,
        tokenStore: store,
        lock,
        syncTabs: true,
        onSessionExpired: expiredA,
      });
      const tabB = createCimsClient({
        baseUrl: BASE,
        tokenStore: store,
        lock,
        syncTabs: true,
        onSessionExpired: expiredB,
      });
      try {
        const results = await Promise.allSettled([tabA.auth.me(), tabB.auth.me()]);
        expect(results.every((r) => r.status === 'rejected' && r.reason instanceof SessionExpiredError)).toBe(true);
        // Each tab is told (the other tab's news may still be on its way), and then no second time.
        await until(() => expiredA.mock.calls.length > 0 && expiredB.mock.calls.length > 0);
        await new Promise((resolve) => setTimeout(resolve, 30));
        expect([expiredA.mock.calls.length, expiredB.mock.calls.length]).toEqual([1, 1]);
        expect(fake.on('/auth/refresh')).toHaveLength(1);
      } finally {
        tabA.close();
        tabB.close();
      }
    },
  );

  it('shares sign-in, refresh and sign-out over BroadcastChannel between tabs with stores of their own', async () => {
    const fake = createFakeAuth();
    server.use(...fake.handlers);
    const expiredB = vi.fn();
    const storeB = memoryTokenStore();
    const tabA = createCimsClient({ baseUrl: BASE, syncTabs: true });
    const tabB = createCimsClient({ baseUrl: BASE, syncTabs: true, tokenStore: storeB, onSessionExpired: expiredB });
    try {
      const pair = await tabA.login({ email: 'ceo@example.com', password: 'right-password' });
      await until(() => (storeB.get() as AuthTokens | undefined)?.accessToken === pair.access_token);
      expect((await tabB.auth.me()).status).toBe(200);

      fake.revoke(pair.access_token);
      expect((await tabA.auth.me()).status).toBe(200);
      const rotated = await tabA.getAccessToken();
      await until(() => (storeB.get() as AuthTokens | undefined)?.accessToken === rotated);
      expect((await tabB.auth.me()).status).toBe(200);
      expect(fake.on('/auth/refresh')).toHaveLength(1);

      await tabA.logout();
      await until(() => expiredB.mock.calls.length > 0);
      expect(storeB.get()).toBeFalsy();
      expect(expiredB).toHaveBeenCalledTimes(1);
      expect(expiredB).toHaveBeenCalledWith(expect.objectContaining({ reason: 'signed-out' }));
    } finally {
      tabA.close();
      tabB.close();
    }
  });

  it('without BroadcastChannel, a sign-out seen through the storage event ends the session of the other tab', async () => {
    vi.stubGlobal('BroadcastChannel', undefined);
    vi.stubGlobal('window', new EventTarget());
    const fake = createFakeAuth();
    server.use(...fake.handlers);
    const storage = memoryStorage();
    const expiredB = vi.fn();
    const tabA = createCimsClient({ baseUrl: BASE, syncTabs: true, tokenStore: localStorageTokenStore({ storage }) });
    const tabB = createCimsClient({
      baseUrl: BASE,
      syncTabs: true,
      tokenStore: localStorageTokenStore({ storage }),
      onSessionExpired: expiredB,
    });
    const pair = await tabA.login({ email: 'ceo@example.com', password: 'right-password' });
    expect((await tabB.auth.me()).status).toBe(200);
    await tabA.logout();
    // What the browser does in the other tab when this one removes the key.
    const event = Object.assign(new Event('storage'), {
      key: 'cims_access_token',
      oldValue: pair.access_token,
      newValue: null,
      storageArea: storage,
    });
    window.dispatchEvent(event);
    await until(() => expiredB.mock.calls.length > 0);
    expect(expiredB).toHaveBeenCalledWith(expect.objectContaining({ reason: 'signed-out' }));
    tabA.close();
    tabB.close();
  });

  it('keeps a tab on its own session when another tab rotates a different one', async () => {
    const fake = createFakeAuth();
    server.use(...fake.handlers);
    const mine = fake.issue();
    const storeB = memoryTokenStore({ accessToken: mine.access_token, refreshToken: mine.refresh_token });
    const tabA = createCimsClient({ baseUrl: BASE, syncTabs: true });
    const tabB = createCimsClient({ baseUrl: BASE, syncTabs: true, tokenStore: storeB });
    try {
      await tabA.login({ email: 'ceo@example.com', password: 'right-password' });
      await tabA.logout();
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect((storeB.get() as AuthTokens | undefined)?.accessToken).toBe(mine.access_token);
    } finally {
      tabA.close();
      tabB.close();
    }
  });
});
