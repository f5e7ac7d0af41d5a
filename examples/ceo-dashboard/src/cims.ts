import { createCimsClient, localStorageTokenStore, type SessionExpiredError } from '@cims/sdk';
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

/** Calls `listener` when the session ends behind the user's back (refresh refused, signed out in another tab). */
export function onSessionExpired(listener: (error: SessionExpiredError) => void): () => void {
  expiryListeners.add(listener);
  return () => expiryListeners.delete(listener);
}
