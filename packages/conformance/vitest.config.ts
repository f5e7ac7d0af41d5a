import { defineProject } from 'vitest/config';
import { sourceResolve } from '../../vitest.shared.js';

/**
 * The suite runs the server in this process, on Node, as the server's own tests do: without the bundlers' `module`
 * condition, which would pick builds made for bundlers (the AWS SDK's `dist-es`, with extensionless imports) that Node
 * then cannot load.
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
