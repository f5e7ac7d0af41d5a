import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import projects from './vitest.workspace.js';

// vitest 4 no longer reads vitest.workspace.ts by itself, and says nothing (every file would run as one root project,
// without the projects' settings): pass its list to `test.projects`.
export default defineConfig({
  test: {
    projects,
    // vitest's default is one worker less than the cores: a single one on the 2-core CI machine, which then idles
    // while a test waits on PostgreSQL, a spawned process or a socket. Two files at a time use both cores; no test
    // depends on running alone or on how fast the machine is (their waits end on events, not deadlines).
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
