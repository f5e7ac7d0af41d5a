import { defineProject } from 'vitest/config';

/**
 * The server runs on Node, which resolves a package through its `exports` map without the bundlers' `module` condition
 * and `module` field: OpenTelemetry's and the AWS SDK's packages point those at ES builds whose imports have no file
 * extensions, which Node cannot load. The tests resolve as Node does (workspace packages still through `source`).
 */
const nodeConditions = ['source', 'node', 'development|production'];

export default defineProject({
  resolve: { conditions: nodeConditions, mainFields: ['main'] },
  ssr: { resolve: { conditions: nodeConditions, externalConditions: ['source'] } },
  test: {
    name: 'server',
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // Each test builds its own database (a copy of the migrated template): about 0.5 s on PGlite, more on a busy machine.
    testTimeout: 90_000,
    hookTimeout: 60_000,
  },
});
