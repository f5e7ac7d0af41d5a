import { routeMeta } from '@cims/contracts';
import type { ApiFetcherArgs } from '@ts-rest/core';
import { SessionExpiredError } from './errors.js';
import type { AuthTokens, TokenStore, TokenStoreChange } from './token-store.js';
import type { FetchFn } from './transport.js';

/**
 * Runs `task` while holding a lock shared by every tab of the origin, so only one tab refreshes at a time. The
 * default uses Web Locks (`navigator.locks`) in a browser; pass your own to coordinate other contexts, or in tests.
 *
 * @example
 * // An in-process mutex, enough for several clients in one page or one Node process.
 * let tail = Promise.resolve();
 * const lock: RefreshLock = (task) => {
 *   const run = tail.then(task);
 *   tail = run.then(() => {}, () => {});
 *   return run;
 * };
 */
export type RefreshLock = <T>(task: () => Promise<T>) => Promise<T>;

/** What the session layer needs; `createCimsClient` fills it from its options. */
export interface SessionOptions {
  store: TokenStore;
  fetch: FetchFn;
  /** Spends a refresh token at `POST /auth/refresh`; rejects when that fails. */
  refresh: (refreshToken: string) => Promise<AuthTokens>;
  onSessionExpired: ((error: SessionExpiredError) => void) | undefined;
  refreshAheadSeconds: number | false;
  lock: RefreshLock | undefined;
  syncTabs: boolean;
}

/** A change of session announced to the other tabs: the access token before, the tokens after (`null`: signed out). */
interface TabMessage {
  previous: string | null;
  next: AuthTokens | null;
}

/** How long a tab waits for another tab's refresh before refreshing on its own (a suspended tab can hold the lock). */
const LOCK_TIMEOUT_MS = 10_000;

/** Web Locks, when the browser has them. A lock that cannot be had in time, or at all, runs the task unlocked. */
export function webLock(): RefreshLock | undefined {
  const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
  if (!locks) return undefined;
  return <T>(task: () => Promise<T>) => {
    let held = false;
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), LOCK_TIMEOUT_MS);
    return locks
      .request('cims-refresh', { signal: timeout.signal }, () => {
        held = true;
        clearTimeout(timer);
        return task();
      })
      .catch((error: unknown): Promise<T> => {
        clearTimeout(timer);
        if (held) throw error;
        return task();
      }) as Promise<T>;
  };
}

/** The `exp` claim of a JWT, read without verifying it (only the server can; this is for timing). */
function expiry(token: string): number | undefined {
  try {
    const payload = JSON.parse(atob((token.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/')));
    return typeof payload.exp === 'number' ? payload.exp : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The session layer: attaches the access token to bearer routes, refreshes it (ahead of expiry, or after a `401`) with
 * one request shared by every waiting call and, in a browser, by every tab, and retries each call once.
 */
export function createSession(options: SessionOptions) {
  const { store } = options;
  let inflight: Promise<string> | undefined;
  // The access token this client last used or stored, to tell whether a sign-out in another tab ended *our* session.
  let known: string | null | undefined;
  // How many sign-outs other tabs have reported, so a refresh that fails because of one does not report it again.
  let remoteEnds = 0;
  // How the session of an access token ended (a refresh that failed, a sign-out in another tab): a call sent with
  // that token whose 401 comes back only afterwards rejects as the calls that waited did.
  let ended: { token: string; error: SessionExpiredError } | undefined;

  const read = async (): Promise<Partial<AuthTokens>> => (await store.get()) ?? {};

  const expire = (error: SessionExpiredError) => {
    options.onSessionExpired?.(error);
    return error;
  };

  // Cross-tab: a BroadcastChannel carries every change; without one, `storage` events of a shared store tell of
  // sign-outs. Both only in a browser (or when asked), so nothing keeps a Node process alive.
  const channel =
    options.syncTabs && typeof BroadcastChannel === 'function' ? new BroadcastChannel('cims-auth') : undefined;

  async function onRemote({ previous, next }: TabMessage, apply: boolean) {
    // Compare-and-set: a tab with a store of its own takes the change only if it was on the same session.
    if (apply && ((await read()).accessToken ?? null) === previous) await (next ? store.set(next) : store.clear());
    if (known !== previous) return;
    known = next?.accessToken ?? null;
    if (!next && previous) {
      remoteEnds++;
      ended = { token: previous, error: expire(new SessionExpiredError('signed-out')) };
    }
  }

  if (channel) channel.onmessage = (event: MessageEvent<TabMessage>) => void onRemote(event.data, true);
  const unsubscribe =
    options.syncTabs && !channel
      ? store.subscribe?.(({ previous, accessToken }: TokenStoreChange) =>
          onRemote({ previous, next: accessToken ? { accessToken } : null }, false),
        )
      : undefined;
  if (options.syncTabs) void read().then((tokens) => (known ??= tokens.accessToken ?? null));

  /** Writes the tokens (or clears them, for `null`) and tells the other tabs. */
  async function save(next: AuthTokens | null) {
    const previous = (await read()).accessToken ?? null;
    await (next ? store.set(next) : store.clear());
    known = next?.accessToken ?? null;
    channel?.postMessage({ previous, next } satisfies TabMessage);
  }

  /**
   * The one refresh in flight, started by whichever call needed it first. `sentWith` is the access token the caller
   * holds: when the store has another one by the time the lock is ours, someone else rotated, and that one is used.
   */
  function refresh(sentWith: string | undefined): Promise<string> {
    inflight ??= (async () => {
      const ends = remoteEnds;
      const rotate = async () => {
        const tokens = await read();
        if (tokens.accessToken && tokens.accessToken !== sentWith) return tokens.accessToken;
        try {
          if (!tokens.refreshToken) throw new Error('No refresh token');
          const next = await options.refresh(tokens.refreshToken);
          await save(next);
          return next.accessToken;
        } catch (cause) {
          // Cleared while the lock is still held, so a tab waiting for it finds the session over and does not spend
          // the same refresh token again.
          await save(null);
          throw cause;
        }
      };
      try {
        return await (options.lock ? options.lock(rotate) : rotate());
      } catch (cause) {
        const error = new SessionExpiredError('refresh-failed', { cause });
        if (sentWith) ended = { token: sentWith, error };
        throw remoteEnds === ends ? expire(error) : error;
      } finally {
        inflight = undefined;
      }
    })();
    return inflight;
  }

  /** The access token to send: the stored one, refreshed first when it expires within `refreshAheadSeconds`. */
  async function accessToken(): Promise<string | undefined> {
    const tokens = await read();
    const exp = tokens.accessToken && expiry(tokens.accessToken);
    const ahead = options.refreshAheadSeconds;
    if (tokens.refreshToken && exp && ahead !== false && exp - Date.now() / 1000 <= ahead) {
      return refresh(tokens.accessToken);
    }
    return tokens.accessToken;
  }

  /**
   * Sends one call of the contract. Only routes that take an access token (`bearer`, and `signedUrl`, which takes one
   * instead of a signature) without a caller-supplied `Authorization` are touched.
   */
  async function send(args: ApiFetcherArgs): Promise<Response> {
    const { path, method, fetchOptions } = args;
    let headers = args.headers;
    let body: BodyInit | null | undefined = args.body;
    const go = (token?: string) =>
      options.fetch(path, {
        ...fetchOptions,
        method,
        headers: token ? { ...headers, authorization: `Bearer ${token}` } : headers,
        body: body ?? null,
      });
    const { auth } = routeMeta(args.route);
    if ((auth !== 'bearer' && auth !== 'signedUrl') || 'authorization' in headers) return go();

    // A retry must send the same bytes, but every send of a FormData picks a new multipart boundary: encode it once.
    if (body instanceof FormData) {
      const encoded = new Response(body);
      headers = { ...headers, 'content-type': encoded.headers.get('content-type') ?? '' };
      body = await encoded.blob();
    }

    const token = await accessToken();
    known = token ?? null;
    const first = await go(token);
    if (first.status !== 401) return first;

    const now = await read();
    if (now.accessToken && now.accessToken !== token) {
      // The 401 came back after a refresh had already replaced this token: just use the new one.
      first.body?.cancel().catch(() => {});
      return go(now.accessToken);
    }
    if (!now.refreshToken) {
      // Signed out meanwhile: a call of the session that ended rejects as the others did; any other 401 is the answer.
      if (token && ended?.token === token) {
        first.body?.cancel().catch(() => {});
        throw ended.error;
      }
      return first;
    }
    first.body?.cancel().catch(() => {});
    return go(await refresh(token));
  }

  return {
    send,
    save,
    read,
    accessToken,
    close() {
      channel?.close();
      unsubscribe?.();
    },
  };
}
