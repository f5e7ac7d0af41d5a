import { defineConfig } from 'tsup';

// The three builds run in parallel, so none of them cleans `dist`: the package's build script empties it first.
const shared = { sourcemap: true, target: 'node20' } as const;
const entry = { index: 'src/index.ts', rules: 'src/rules.ts' };

export default defineConfig([
  // ESM keeps one file per module, so that a bundler drops the modules an app does not use (the package has no side
  // effects): the error table alone does not bring the routers and their zod schemas.
  { ...shared, entry: ['src/**/*.ts', '!src/**/*.test.ts', '!src/openapi/**'], format: ['esm'], bundle: false },
  // CommonJS (for `require`) stays one bundle per entry, with its own declarations.
  { ...shared, entry, format: ['cjs'], dts: true },
  { ...shared, entry, format: ['esm'], dts: { only: true } },
]);
