import type { ViteUserConfig } from 'vitest/config';

/**
 * Workspace packages resolve to their `src/` through the `source` export condition, so tests never need a build.
 * Everything else resolves as Node does, since that is where the tests run: without the bundlers' `module` condition
 * and `module` field, which point some packages (the AWS SDK, OpenTelemetry) at ES builds whose imports have no file
 * extensions, which Node cannot load. Setting `conditions` replaces Vite's defaults.
 */
const conditions = ['source', 'node', 'development|production'];

export const sourceResolve: Pick<ViteUserConfig, 'resolve' | 'ssr'> = {
  resolve: { conditions, mainFields: ['main'] },
  ssr: { resolve: { conditions, externalConditions: ['source'] } },
};
