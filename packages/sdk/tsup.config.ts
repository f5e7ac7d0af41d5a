import { readdirSync } from 'node:fs';
import { defineConfig } from 'tsup';

// The three builds run in parallel, so none of them cleans `dist`: the package's build script empties it first.
const shared = { sourcemap: true, target: 'es2022', platform: 'neutral' } as const;
// One `@cims/sdk/routes/<domain>` entry per generated domain module (`all.ts` is the whole client's, not a subpath).
const domains = readdirSync(new URL('src/routes/', import.meta.url))
  .filter((file) => file.endsWith('.ts') && file !== 'all.ts')
  .map((file) => file.slice(0, -'.ts'.length));
const entry = {
  index: 'src/index.ts',
  query: 'src/query.ts',
  ...Object.fromEntries(domains.map((domain) => [`routes/${domain}`, `src/routes/${domain}.ts`])),
};

export default defineConfig([
  // ESM keeps one file per module, so that a bundler drops what an app does not use (the package has no side
  // effects): `unwrap` and the error classes do not bring the client, nor a route the validators of the others.
  { ...shared, entry: ['src/**/*.ts', '!src/**/*.test.ts', '!src/**/*.test-d.ts'], format: ['esm'], bundle: false },
  // CommonJS (for `require`) stays one bundle per entry, with its own declarations.
  { ...shared, entry, format: ['cjs'], dts: true },
  { ...shared, entry, format: ['esm'], dts: { only: true } },
]);
