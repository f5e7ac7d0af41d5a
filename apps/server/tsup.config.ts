import { defineConfig, type Options } from 'tsup';

/** How `pnpm build` bundles the server; the tests' compiled copy (test/server-build.ts) starts from the same options. */
export const serverBuildOptions = {
  entry: { server: 'src/server.ts', cli: 'src/cli.ts' },
  format: ['esm'],
  target: 'node22',
  platform: 'node',
  sourcemap: true,
  clean: true,
  dts: false,
} satisfies Options;

export default defineConfig(serverBuildOptions);
