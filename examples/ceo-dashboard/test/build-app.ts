import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { type BundleReport, measureBundle } from '../vite-plugins.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * A production build of the dashboard in one mode, through Vite's JS API, exactly as `pnpm build` (mock) or
 * `pnpm build:live` make it; returns its size.
 */
export async function buildDashboard(options: {
  mode: 'mock' | 'live';
  outDir: string;
  /** Live mode: the server's URL, as `VITE_CIMS_API_URL` would give it. */
  apiUrl?: string;
}): Promise<BundleReport> {
  const saved = {
    NODE_ENV: process.env.NODE_ENV,
    VITE_CIMS_MODE: process.env.VITE_CIMS_MODE,
    VITE_CIMS_API_URL: process.env.VITE_CIMS_API_URL,
  };
  // Vitest runs with NODE_ENV=test, which would give React's development build, and puts the project's `.env`
  // (mock mode) into process.env, where it would win over `.env.live`.
  process.env.NODE_ENV = 'production';
  process.env.VITE_CIMS_MODE = options.mode;
  if (options.apiUrl) process.env.VITE_CIMS_API_URL = options.apiUrl;
  try {
    await build({
      root,
      configFile: `${root}vite.config.ts`,
      mode: options.mode === 'live' ? 'live' : 'production',
      logLevel: 'warn',
      build: { outDir: options.outDir, emptyOutDir: true },
    });
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
  return measureBundle(options.outDir);
}
