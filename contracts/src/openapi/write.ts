import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderOpenApiDocument } from './document.js';

/** `pnpm openapi` writes contracts/openapi.json; `--check` fails when the committed file is stale. */
const target = fileURLToPath(new URL('../../openapi.json', import.meta.url));
const text = renderOpenApiDocument();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // Missing counts as stale.
  }
  if (current !== text) {
    console.error('contracts/openapi.json is stale: run `pnpm openapi` and commit the result.');
    process.exit(1);
  }
  console.log('contracts/openapi.json is up to date.');
} else {
  writeFileSync(target, text);
  console.log(`Wrote ${target}`);
}
