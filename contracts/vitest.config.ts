import { defineProject } from 'vitest/config';
import { sourceResolve } from '../vitest.shared.js';

export default defineProject({
  ...sourceResolve,
  test: {
    name: 'contracts',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The business-time tests compare thousands of days with luxon: seconds of CPU, more on a busy machine.
    testTimeout: 90_000,
  },
});
