// The SDK's size budget: min+gzip of the client entry as a browser app would bundle it, zod left out (the app
// already has it for its own forms). Fails when the figure is over the budget. Run after `pnpm build`.
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const BUDGET_BYTES = 8 * 1024;

const result = await build({
  entryPoints: [new URL('../dist/index.js', import.meta.url).pathname],
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  external: ['zod'],
  write: false,
  logLevel: 'silent',
});
const code = result.outputFiles[0].contents;
const gzipped = gzipSync(code, { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
console.log(`@cims/sdk client entry: ${kb(code.length)} min, ${kb(gzipped)} min+gzip (budget ${kb(BUDGET_BYTES)})`);
if (gzipped > BUDGET_BYTES) {
  console.error('Over the size budget: trim the SDK or raise the budget deliberately in scripts/size.mjs.');
  process.exit(1);
}
