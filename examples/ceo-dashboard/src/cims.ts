import { createCimsClient, localStorageTokenStore, type SessionExpiredError } from '@cims/sdk';
import { createCimsQueries } from '@cims/sdk/query';
import { QueryClient } from '@tanstack/react-query';
import { API_URL } from './config.js';

/** The tokens live in `localStorage`, so a reload keeps the user signed in. */
export const tokenStore = localStorageTokenStore();

const expiryListeners = new Set<(error: SessionExpiredError) => void>();

/** The one client of the app: it adds the access token, refreshes it when it runs out, and reports a lost session. */
export const cims = createCimsClient({
  baseUrl: API_URL,
  tokenStore,
  onSessionExpired: (error) => {
    for (const listener of expiryListeners) listener(error);
  },
});

/**
 * TanStack Query helpers for every route, through the client above (its session and refresh): `queryOptions` for
 * reads, `mutationOptions` for writes, and key prefixes to invalidate a domain after a write.
 */
export const queries = createCimsQueries(cims);

/**
 * The app's query cache. No automatic retries: the SDK already refreshes an expired session and retries once, and a
 * failure is shown at once (with a way to load again) rather than after three silent attempts.
 */
export const queryClient = new QueryClient({
  defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false } },
});

/** Calls `listener` when the session ends behind the user's back (refresh refused, signed out in another tab). */
export function onSessionExpired(listener: (error: SessionExpiredError) => void): () => void {
  expiryListeners.add(listener);
  return () => expiryListeners.delete(listener);
}
