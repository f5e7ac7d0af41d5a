import { defineProject } from 'vitest/config';
import { sourceResolve } from '../../vitest.shared.js';

export default defineProject({
  ...sourceResolve,
  test: {
    name: 'server',
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // The compiled server that tests start as processes of their own, built once per run (test/server-build.ts).
    globalSetup: ['./test/global-setup.ts'],
    // Each test builds its own database (a copy of the migrated template): about 0.5 s on PGlite, more on a busy machine.
    testTimeout: 90_000,
    hookTimeout: 60_000,
  },
});
