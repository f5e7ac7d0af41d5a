import { describe, expect, it } from 'vitest';
import { memoryStorage } from '../test/fake-auth-server.js';
import { localStorageTokenStore, memoryTokenStore } from './index.js';

describe('memoryTokenStore', () => {
  it('stores, keeps the refresh token when a pair comes without one, and clears', () => {
    const store = memoryTokenStore();
    expect(store.get()).toBeUndefined();
    store.set({ accessToken: 'a1', refreshToken: 'r1' });
    store.set({ accessToken: 'a2' });
    expect(store.get()).toEqual({ accessToken: 'a2', refreshToken: 'r1' });
    store.clear();
    expect(store.get()).toBeUndefined();
  });
});

describe('localStorageTokenStore', () => {
  it('uses the legacy keys, so sessions of the legacy app carry over', () => {
    const storage = memoryStorage();
    storage.setItem('cims_access_token', 'legacy-access');
    storage.setItem('cims_refresh_token', 'legacy-refresh');
    const store = localStorageTokenStore({ storage });
    expect(store.get()).toEqual({ accessToken: 'legacy-access', refreshToken: 'legacy-refresh' });

    store.set({ accessToken: 'a2', refreshToken: 'r2' });
    expect([storage.getItem('cims_access_token'), storage.getItem('cims_refresh_token')]).toEqual(['a2', 'r2']);
  });

  it('writes the refresh token only when there is one, like the legacy app', () => {
    const storage = memoryStorage();
    const store = localStorageTokenStore({ storage });
    store.set({ accessToken: 'a1', refreshToken: 'r1' });
    store.set({ accessToken: 'a2' });
    expect(store.get()).toEqual({ accessToken: 'a2', refreshToken: 'r1' });
    store.clear();
    expect(storage.length).toBe(0);
    expect(store.get()).toBeNull();
  });

  it('takes other keys', () => {
    const storage = memoryStorage();
    localStorageTokenStore({ storage, accessKey: 'at', refreshKey: 'rt' }).set({ accessToken: 'a', refreshToken: 'r' });
    expect([storage.getItem('at'), storage.getItem('rt')]).toEqual(['a', 'r']);
  });

  it('holds nothing where there is no localStorage (server-side rendering)', () => {
    const store = localStorageTokenStore();
    expect(() => store.set({ accessToken: 'a' })).not.toThrow();
    expect(store.get()).toBeNull();
    expect(store.subscribe?.(() => {})).toBeTypeOf('function');
  });
});
