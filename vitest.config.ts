import { defineConfig } from 'vitest/config';
import projects from './vitest.workspace.js';

// vitest 4 no longer reads vitest.workspace.ts by itself, and says nothing (every file would run as one root project,
// without the projects' settings): pass its list to `test.projects`.
export default defineConfig({
  test: { projects },
});
