import { defineConfig } from 'vitest/config';
import projects from './vitest.workspace.js';

// vitest 4 no longer reads vitest.workspace.ts by itself (stack.md §2.10): pass its list to `test.projects`.
export default defineConfig({
  test: { projects },
});
