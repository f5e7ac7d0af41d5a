import { defineProject } from 'vitest/config';
import { sourceResolve } from '../../vitest.shared.js';

/**
 * The server runs on Node, which never reads the bundlers' `module` condition: resolving it here would pick builds
 * made for bundlers (the AWS SDK's `dist-es`, with extensionless imports) that Node then cannot load.
 */
const conditions = ['source', 'node', 'development|production'];

export default defineProject({
  ...sourceResolve,
  resolve: { ...sourceResolve.resolve, conditions },
  ssr: { resolve: { ...sourceResolve.ssr?.resolve, conditions } },
  test: {
    name: 'server',
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // Each test builds its own database (a copy of the migrated template): about 0.5 s on PGlite, more on a busy machine.
    testTimeout: 90_000,
    hookTimeout: 60_000,
  },
});
