import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig, loadEnv } from 'vite';
import { bundleSizeReport, mockServiceWorker } from './vite-plugins.js';

const MODES = ['mock', 'live'] as const;

/**
 * `vite` (mock mode: @cims/mocks in a service worker) or `vite --mode live` (a running server at `VITE_CIMS_API_URL`);
 * the choice is made at build time, so the live build carries no mock code at all.
 */
export default defineConfig(({ mode }) => {
  const env = loadEnv(mode, fileURLToPath(new URL('.', import.meta.url)), 'VITE_');
  const cimsMode = env.VITE_CIMS_MODE ?? 'mock';
  if (!(MODES as readonly string[]).includes(cimsMode)) {
    throw new Error(`VITE_CIMS_MODE must be "mock" or "live", not "${cimsMode}"`);
  }
  if (cimsMode === 'live' && !env.VITE_CIMS_API_URL) {
    throw new Error('Live mode needs VITE_CIMS_API_URL, the base URL of a running CIMS server');
  }
  return {
    plugins: [react(), cimsMode === 'mock' && mockServiceWorker(), bundleSizeReport(`ceo-dashboard (${cimsMode})`)],
    // The workspace packages are used from their TypeScript sources, so a fresh clone runs without building them.
    resolve: { conditions: ['source', ...defaultClientConditions] },
    server: { host: '127.0.0.1', port: 5173, strictPort: true },
    preview: { host: '127.0.0.1', port: 4173, strictPort: true },
    // React, recharts and the contract's schemas make one chunk of ~700 kB (~200 kB gzip); the size is reported.
    build: { target: 'es2022', chunkSizeWarningLimit: 1000 },
  };
});
