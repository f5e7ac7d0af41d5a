/** A session's tokens, as the client writes them to a {@link TokenStore}. */
export interface AuthTokens {
  /** The access token (a JWT), sent as `Authorization: Bearer …` on authenticated routes. */
  accessToken: string;
  /** The single-use token spent at `POST /auth/refresh` for a new pair. */
  refreshToken?: string | undefined;
}

/** A change a {@link TokenStore} saw made by someone else (another tab): the access token before and after. */
export interface TokenStoreChange {
  previous: string | null;
  accessToken: string | null;
}

/**
 * Where the client keeps the session's tokens. Every method may be synchronous or return a promise, so an adapter can
 * sit on `localStorage`, IndexedDB, a cookie, React Native's AsyncStorage or a secure enclave.
 *
 * @see memoryTokenStore
 * @see localStorageTokenStore
 * @example
 * const asyncStorageTokenStore: TokenStore = {
 *   get: async () => JSON.parse((await AsyncStorage.getItem('cims')) ?? 'null'),
 *   set: (tokens) => AsyncStorage.setItem('cims', JSON.stringify(tokens)),
 *   clear: () => AsyncStorage.removeItem('cims'),
 * };
 */
export interface TokenStore {
  /** The stored tokens; `null` (or `{}`) when signed out. Either token may be missing. */
  get(): Partial<AuthTokens> | null | undefined | Promise<Partial<AuthTokens> | null | undefined>;
  /** Stores a new pair. The built-in stores keep the previous refresh token when `refreshToken` is missing. */
  set(tokens: AuthTokens): void | Promise<void>;
  /** Forgets both tokens. */
  clear(): void | Promise<void>;
  /**
   * Optional: reports changes made outside this client (the `storage` event of another tab), so the client can tell
   * when the user signed out elsewhere. Only used when `BroadcastChannel` is missing. Returns the unsubscribe function.
   */
  subscribe?(listener: (change: TokenStoreChange) => void): () => void;
}

/**
 * Keeps the tokens in memory: nothing survives a reload, and nothing is readable by other scripts through storage.
 * The default store.
 *
 * @param initial tokens to start with (a session restored by your own code).
 * @example
 * const cims = createCimsClient({ baseUrl: '/api', tokenStore: memoryTokenStore() });
 */
export function memoryTokenStore(initial?: AuthTokens): TokenStore {
  let tokens: AuthTokens | undefined = initial;
  return {
    get: () => tokens,
    set: (next) => {
      tokens = { accessToken: next.accessToken, refreshToken: next.refreshToken || tokens?.refreshToken };
    },
    clear: () => {
      tokens = undefined;
    },
  };
}

/** Options of {@link localStorageTokenStore}. */
export interface LocalStorageTokenStoreOptions {
  /**
   * The key of the access token.
   * @default 'cims_access_token'
   */
  accessKey?: string;
  /**
   * The key of the refresh token.
   * @default 'cims_refresh_token'
   */
  refreshKey?: string;
  /**
   * The `Storage` to use (`sessionStorage`, a test double).
   * @default globalThis.localStorage
   */
  storage?: Storage;
}

/**
 * Keeps the tokens in `localStorage` under the keys of the legacy CIMS app (`cims_access_token`,
 * `cims_refresh_token`), so its signed-in users stay signed in. Like the legacy app, a pair without a refresh token
 * leaves the stored refresh token in place. Where there is no `localStorage` (server-side rendering) it holds nothing.
 *
 * @example
 * const cims = createCimsClient({ baseUrl: '/api', tokenStore: localStorageTokenStore() });
 */
export function localStorageTokenStore(options: LocalStorageTokenStoreOptions = {}): TokenStore {
  const { accessKey = 'cims_access_token', refreshKey = 'cims_refresh_token' } = options;
  // Read lazily: the store may be created during server-side rendering, where `localStorage` does not exist.
  const area = () => options.storage ?? (typeof localStorage === 'undefined' ? undefined : localStorage);
  return {
    get() {
      const storage = area();
      const accessToken = storage?.getItem(accessKey) ?? undefined;
      const refreshToken = storage?.getItem(refreshKey) ?? undefined;
      return accessToken || refreshToken ? { accessToken, refreshToken } : null;
    },
    set({ accessToken, refreshToken }) {
      area()?.setItem(accessKey, accessToken);
      if (refreshToken) area()?.setItem(refreshKey, refreshToken);
    },
    clear() {
      area()?.removeItem(accessKey);
      area()?.removeItem(refreshKey);
    },
    subscribe(listener) {
      if (typeof window === 'undefined') return () => {};
      const onStorage = (event: StorageEvent) => {
        if (event.key === accessKey && (!event.storageArea || event.storageArea === area())) {
          listener({ previous: event.oldValue, accessToken: event.newValue });
        }
      };
      window.addEventListener('storage', onStorage);
      return () => window.removeEventListener('storage', onStorage);
    },
  };
}
