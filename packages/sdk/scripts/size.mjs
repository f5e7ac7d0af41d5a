// The SDK's size budget, as an app pays it: each fixture in `size-fixture/` is built as a Vite production app (one
// build per fixture, so none shares chunks with another), and its figure is the gzip size of the JS it emits minus
// that of the empty app. zod is included: an app that validates responses ships it. Fails when a figure is over its
// budget. Run after `pnpm build` (it bundles `dist`, as an app installing the package would).
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

const fixtures = fileURLToPath(new URL('../size-fixture/', import.meta.url));
const dist = fileURLToPath(new URL('../dist/', import.meta.url));

// Measured (kB gzip over the empty app): unwrap 1.1, error table 0.5, CRM-only client 28.3, whole client 32.7 (three
// CRM calls with response validation, zod included: zod 3 is about 13 of it and cannot be tree-shaken). A new domain or
// rule adds its schemas to the client figures: raise a budget deliberately, to a little above the new figure.
const BUDGETS = {
  unwrap: { label: '`unwrap` alone', kB: 2 },
  'error-table': { label: 'ERROR_CODES + ERROR_STATUS from @cims/contracts alone', kB: 2 },
  'crm-only': { label: 'createCimsDomainClient({ domains: { crm } }), three calls', kB: 29.5 },
  everything: { label: 'createCimsClient (every domain), three calls', kB: 34 },
};

async function gzipOf(name) {
  const output = await build({
    configFile: false,
    root: fixtures,
    logLevel: 'silent',
    // The SDK as published (its `dist`), not its sources; everything else resolves from this package's dependencies.
    resolve: { alias: [{ find: /^@cims\/sdk$/, replacement: `${dist}index.js` }] },
    build: { write: false, target: 'es2022', modulePreload: false, rollupOptions: { input: `${fixtures}${name}.js` } },
  });
  const files = [output].flat().flatMap((result) => result.output);
  return files.reduce((sum, file) => sum + (file.type === 'chunk' ? gzipSync(file.code, { level: 9 }).length : 0), 0);
}

const kB = (n) => `${(n / 1024).toFixed(1)} kB`;
const empty = await gzipOf('empty');
let over = false;
for (const [name, { label, kB: budget }] of Object.entries(BUDGETS)) {
  const size = (await gzipOf(name)) - empty;
  console.log(`${label}: ${kB(size)} gzip (budget ${budget.toFixed(1)} kB)`);
  over ||= size > budget * 1024;
}

// What importing the SDK adds to an app's type-check (`tsc --extendedDiagnostics`, `skipLibCheck: false`): the
// consumer in `size-fixture/types` (three calls) against a baseline that uses zod and ts-rest itself. The count of
// types is deterministic for a given TypeScript; the memory is not (it moves with garbage collection), hence the wider
// margin. Measured: +19,139 types, +10 to 40 MB. Nearly all of it is tsc checking the contract's declarations: about a
// hundred types for each distinct zod type in them. A schema whose type has no name (contracts/src/shared/named.ts) is
// written out, and paid for, again at every route and schema that uses it: that is what a jump here usually means.
const TYPE_BUDGET = { types: 21_000, memoryMB: 55 };
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
function typeCost(project) {
  const out = execFileSync(process.execPath, [tsc, '-p', `${fixtures}types/${project}`, '--extendedDiagnostics'], {
    encoding: 'utf8',
  });
  const read = (label) => Number(out.match(new RegExp(`^${label}:\\s+(\\d+)`, 'm'))?.[1]);
  return { types: read('Types'), memoryMB: read('Memory used') / 1024 };
}
const baseline = typeCost('baseline.json');
const consumer = typeCost('tsconfig.json');
const added = { types: consumer.types - baseline.types, memoryMB: consumer.memoryMB - baseline.memoryMB };
console.log(
  `type-checking an app that imports the SDK: +${added.types} types (budget ${TYPE_BUDGET.types}), ` +
    `+${added.memoryMB.toFixed(0)} MB (budget ${TYPE_BUDGET.memoryMB} MB)`,
);
over ||= !(added.types <= TYPE_BUDGET.types && added.memoryMB <= TYPE_BUDGET.memoryMB);

if (over) {
  console.error('Over the size budget: trim the SDK or raise the budget deliberately in scripts/size.mjs.');
  process.exit(1);
}
