import { readdirSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { CONFORMANCE_PARTS } from '../src/suite.js';

const here = new URL('./', import.meta.url);

// A part added to the suite without its file would never run on the server, and nothing else would say so.
it('runs every part of the suite on the server, each from a file of its own', () => {
  const files = readdirSync(here).filter((name) => /^server-.+\.test\.ts$/.test(name));
  const runs = files.map(
    (name) => /serverConformance\('([^']+)'\)/.exec(readFileSync(new URL(name, here), 'utf8'))?.[1],
  );
  expect(files.map((name) => name.slice('server-'.length, -'.test.ts'.length))).toEqual(runs);
  expect([...runs].sort()).toEqual([...CONFORMANCE_PARTS].sort());
});
