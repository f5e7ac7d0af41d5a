/** Where the dashboard's API is: the mocks in this browser, or a running server. Fixed at build time. */
export type CimsMode = 'mock' | 'live';

/** `vite` builds the mock mode, `vite --mode live` the live one (see `.env` and `.env.live`). */
export const MODE: CimsMode = import.meta.env.VITE_CIMS_MODE === 'live' ? 'live' : 'mock';

/** The SDK's base URL: a path the service worker answers in mock mode, the server's URL in live mode. */
export const API_URL = MODE === 'live' ? (import.meta.env.VITE_CIMS_API_URL ?? '').replace(/\/+$/, '') : '/api';
