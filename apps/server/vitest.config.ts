import { defineProject } from 'vitest/config';
import { sourceResolve } from '../../vitest.shared.js';

export default defineProject({
  ...sourceResolve,
  test: {
    name: 'server',
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // Each test builds its own database; PGlite takes ~2 s to start.
    testTimeout: 90_000,
    hookTimeout: 60_000,
  },
});
