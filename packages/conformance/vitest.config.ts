import { defineProject } from 'vitest/config';
import { sourceResolve } from '../../vitest.shared.js';

/**
 * The suite starts the server in this process, on Node, which never reads the bundlers' `module` condition: resolving
 * it here would pick builds made for bundlers (the AWS SDK's `dist-es`, with extensionless imports) that Node then
 * cannot load.
 */
const conditions = ['source', 'node', 'development|production'];

export default defineProject({
  ...sourceResolve,
  resolve: { ...sourceResolve.resolve, conditions },
  ssr: { resolve: { ...sourceResolve.ssr?.resolve, conditions } },
  test: {
    name: 'conformance',
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
