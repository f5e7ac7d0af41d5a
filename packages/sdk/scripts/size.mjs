// The SDK's size budget, as an app pays it: each fixture in `size-fixture/` is built as a Vite production app (one
// build per fixture, so none shares chunks with another), and its figure is the gzip size of the JS it emits minus
// that of the empty app, the validators' library included: an app that validates responses ships it. Fails when a
// figure is over its budget. Run after `pnpm build` (it bundles `dist`, as an app installing the package would).
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

const fixtures = fileURLToPath(new URL('../size-fixture/', import.meta.url));
const dist = fileURLToPath(new URL('../dist/', import.meta.url));

// Measured (kB gzip over the empty app): unwrap 1.1, error table 0.6. Three CRM calls with response validation: on a
// client of just those routes 8.0 (issue 18's target was 14), of the whole CRM domain 9.1, of every domain 10.6, all
// validated by valibot schemas generated from openapi.json (valibot's runtime included); on the contract's zod CRM
// router 28.6 (zod 3 is about 12 of it and cannot be tree-shaken). A new domain or rule adds its schemas to the client
// figures: raise a budget deliberately, to a little above the new figure. `zod`: whether the fixture is meant to bundle
// zod (checked). `--largest` lists each fixture's largest modules as rendered, to see what to trim.
const BUDGETS = {
  unwrap: { label: '`unwrap` alone', kB: 2, zod: false },
  'error-table': { label: 'ERROR_CODES + ERROR_STATUS from @cims/contracts alone', kB: 2, zod: false },
  'crm-routes': {
    label: 'createCimsDomainClient with three CRM routes (@cims/sdk/routes/crm), three calls',
    kB: 8.5,
    zod: false,
  },
  'crm-domain': {
    label: 'createCimsDomainClient({ domains: { crm } }) (@cims/sdk/routes/crm), three calls',
    kB: 9.5,
    zod: false,
  },
  everything: { label: 'createCimsClient (every domain), three calls', kB: 11, zod: false },
  'crm-only': {
    label: 'createCimsDomainClient({ domains: { crm: crmContract } }) (zod), three calls',
    kB: 29.5,
    zod: true,
  },
};

async function gzipOf(name) {
  const output = await build({
    configFile: false,
    root: fixtures,
    logLevel: 'silent',
    // The SDK as published (its `dist`), not its sources; everything else resolves from this package's dependencies.
    resolve: {
      alias: [
        { find: /^@cims\/sdk$/, replacement: `${dist}index.js` },
        { find: /^@cims\/sdk\/(.+)$/, replacement: `${dist}$1.js` },
      ],
    },
    build: { write: false, target: 'es2022', modulePreload: false, rollupOptions: { input: `${fixtures}${name}.js` } },
  });
  const chunks = [output]
    .flat()
    .flatMap((result) => result.output)
    .filter((file) => file.type === 'chunk');
  const modules = chunks.flatMap((chunk) => Object.entries(chunk.modules));
  return {
    gzip: chunks.reduce((sum, chunk) => sum + gzipSync(chunk.code, { level: 9 }).length, 0),
    hasZod: modules.some(([id]) => /[\\/]node_modules[\\/](\.pnpm[\\/])?zod[@\\/]/.test(id)),
    // The largest modules as rendered into the app (minified, before gzip): what to trim when a figure grows.
    largest: modules
      .map(([id, info]) => [
        id.replace(/^.*node_modules[\\/](\.pnpm[\\/][^\\/]+[\\/]node_modules[\\/])?/, ''),
        info.renderedLength,
      ])
      .filter(([, length]) => length > 0)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12),
  };
}

const kB = (n) => `${(n / 1024).toFixed(1)} kB`;
const empty = (await gzipOf('empty')).gzip;
let over = false;
for (const [name, { label, kB: budget, zod }] of Object.entries(BUDGETS)) {
  const { gzip, hasZod, largest } = await gzipOf(name);
  const size = gzip - empty;
  console.log(`${label}: ${kB(size)} gzip (budget ${budget.toFixed(1)} kB)${hasZod ? ', zod included' : ''}`);
  if (process.argv.includes('--largest')) for (const [id, length] of largest) console.log(`  ${length} B  ${id}`);
  over ||= size > budget * 1024;
  if (hasZod !== zod) {
    console.error(`  expected zod ${zod ? 'in' : 'not in'} this bundle`);
    over = true;
  }
}

// What importing the SDK adds to an app's type-check (`tsc --extendedDiagnostics`, `skipLibCheck: false`): the
// consumer in `size-fixture/types` (three calls on the whole client, the same three on the light path) against a
// baseline that uses zod and ts-rest itself. The count of types is deterministic for a given TypeScript; the memory is
// not (it moves with garbage collection), hence the wider margin. Measured: +19,837 types, +10 to 40 MB. Nearly all of
// it is tsc checking the contract's declarations: about a hundred types for each distinct zod type in them. A schema
// whose type has no name (contracts/src/shared/named.ts) is written out, and paid for, again at every route and schema
// that uses it: that is what a jump here usually means. A generated descriptor's declaration asks only `RouteLike` of
// its route: asking `AppRoute` made tsc check all forty CRM routes' zod types on importing one (+3,200 types).
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
