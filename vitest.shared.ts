import type { ViteUserConfig } from 'vitest/config';

/**
 * Workspace packages resolve to their `src/` through the `source` export condition, so tests never need a build.
 * Vite's own server conditions follow (setting `conditions` replaces its defaults).
 */
const conditions = ['source', 'module', 'node', 'development|production'];

export const sourceResolve: Pick<ViteUserConfig, 'resolve' | 'ssr'> = {
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['source'] } },
};
