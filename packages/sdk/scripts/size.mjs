// The SDK's size budget: min+gzip of the client entry as a browser app would bundle it, zod left out (the app
// already has it for its own forms). Two figures: the whole entry, with the contract's schemas (which grow with every
// domain), and the runtime alone (transport, session layer, ts-rest), which is what this package controls. Fails
// when either is over its budget. Run after `pnpm build`.
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

// Measured 21.4 kB whole (contract: health, auth, ceo, management, crm, sales, instagram, with the period report's
// paging rule and the customer update form that keeps imported values) and 5.0 kB runtime (4.2 kB before the error
// classes a consumer can branch on: unexpected responses, network failures, timeouts, typed API errors with their
// headers). A new contract domain or rule adds its schemas to the first: raise it deliberately, to a little above the
// new measured figure.
const BUDGETS = { whole: 21.7 * 1024, runtime: 5.2 * 1024 };

async function measure(external) {
  const result = await build({
    entryPoints: [new URL('../dist/index.js', import.meta.url).pathname],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    // The contract as it is in the tree (its `source` export), not whatever `contracts/dist` was last built from.
    conditions: ['source'],
    external,
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].contents;
  return { min: code.length, gzip: gzipSync(code, { level: 9 }).length };
}

const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
const figures = {
  whole: await measure(['zod']),
  runtime: await measure(['zod', '@cims/contracts']),
};
let over = false;
for (const [name, { min, gzip }] of Object.entries(figures)) {
  const label = name === 'whole' ? 'client entry with the contract' : 'runtime without the contract';
  console.log(`@cims/sdk ${label}: ${kb(min)} min, ${kb(gzip)} min+gzip (budget ${kb(BUDGETS[name])})`);
  over ||= gzip > BUDGETS[name];
}
if (over) {
  console.error('Over the size budget: trim the SDK or raise the budget deliberately in scripts/size.mjs.');
  process.exit(1);
}
