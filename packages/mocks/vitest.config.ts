import { defineProject } from 'vitest/config';
import { sourceResolve } from '../../vitest.shared.js';

export default defineProject({
  ...sourceResolve,
  test: {
    name: 'mocks',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The `*.test-d.ts` files assert the public API's types (what the controls return, what stays internal).
    typecheck: { enabled: true, include: ['src/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
});
