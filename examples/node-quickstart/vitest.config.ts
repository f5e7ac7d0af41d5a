import { defineProject } from 'vitest/config';
import { sourceResolve } from '../../vitest.shared.js';

export default defineProject({
  ...sourceResolve,
  test: { name: 'node-quickstart', include: ['test/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 },
});
