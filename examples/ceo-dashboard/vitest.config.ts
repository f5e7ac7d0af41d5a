import { defineProject } from 'vitest/config';
import { sourceResolve } from '../../vitest.shared.js';

export default defineProject({
  ...sourceResolve,
  test: {
    name: 'ceo-dashboard',
    include: ['test/**/*.test.ts'],
    // Two production builds and a real browser on a 2-core machine.
    testTimeout: 180_000,
    hookTimeout: 300_000,
  },
});
