// The install matrix: installs the packed @cims/contracts, @cims/sdk and @cims/mocks (the tarballs `pnpm pack` makes,
// never workspace links) into fresh apps with a plain `npm install`, next to the zod and MSW versions frontends use
// today, then type-checks and runs each app. Fails (exit 1) when any combination fails. Run after `pnpm build`:
//
//   node packages/sdk/install-matrix/run.mjs            # every combination
//   node packages/sdk/install-matrix/run.mjs node-cjs   # the combinations of one fixture
//
// MSW 3 needs Node 22.12 or later. When the `node` running this is older, the MSW 3 combinations run on Node
// 24 from the registry's `node-<platform>-<arch>` package, unpacked once into CIMS_NODE_CACHE
// (default ~/.cache/cims), so every combination always runs.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..', '..');
const PACKAGES = { '@cims/contracts': 'contracts', '@cims/sdk': 'packages/sdk', '@cims/mocks': 'packages/mocks' };
const NODE_FOR_MSW3 = '24.22.3';
const ZOD_3 = '3.25.76';
const ZOD_4 = '4.6.7';
const MSW_2 = '2.15.0';
const MSW_3 = '3.0.5';

/** Every supported pairing of zod and MSW appears at least once. */
const COMBINATIONS = [
  { fixture: 'vite-react', zod: ZOD_4, msw: MSW_3 },
  { fixture: 'node-esm', zod: ZOD_3, msw: MSW_2 },
  { fixture: 'node-esm', zod: ZOD_3, msw: MSW_3 },
  { fixture: 'node-cjs', zod: ZOD_4, msw: MSW_2 },
];

const only = process.argv.slice(2);
const selected = COMBINATIONS.filter((c) => only.length === 0 || only.includes(c.fixture));
if (selected.length === 0) {
  console.error(`No combination for ${only.join(', ')}; fixtures: ${[...new Set(COMBINATIONS.map((c) => c.fixture))]}`);
  process.exit(1);
}

const seconds = (start) => ((Date.now() - start) / 1000).toFixed(1);

/** Runs a command; on failure prints its output and throws. */
function run(command, args, options) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-60).join('\n');
    throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal}):\n${output}`);
  }
  return result.stdout;
}

function atLeast(version, [major, minor]) {
  const [a = 0, b = 0] = version.split('.').map(Number);
  return a > major || (a === major && b >= minor);
}

/** A `bin` folder with a Node that MSW 3 accepts: this one's, or Node ${NODE_FOR_MSW3} fetched once. */
function nodeForMsw3(work) {
  if (atLeast(process.versions.node, [22, 12])) return dirname(process.execPath);
  const cache = join(process.env.CIMS_NODE_CACHE ?? join(homedir(), '.cache', 'cims'), `node-${NODE_FOR_MSW3}`);
  const bin = join(cache, 'package', 'bin');
  if (!existsSync(join(bin, 'node'))) {
    const start = Date.now();
    const name = `node-${process.platform}-${process.arch}@${NODE_FOR_MSW3}`;
    console.log(`==> Node ${process.versions.node} is too old for MSW 3: fetching ${name}`);
    const download = join(work, 'node');
    mkdirSync(download, { recursive: true });
    const tarball = run('npm', ['pack', name, '--silent', '--pack-destination', download]).trim().split('\n').pop();
    mkdirSync(cache, { recursive: true });
    run('tar', ['xzf', join(download, tarball), '-C', cache]);
    console.log(`==> Node ${NODE_FOR_MSW3} ready in ${seconds(start)} s`);
  }
  return bin;
}

const work = mkdtempSync(join(tmpdir(), 'cims-install-matrix-'));
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    rmSync(work, { recursive: true, force: true });
    process.exit(1);
  });
}
const total = Date.now();
const results = [];
try {
  // The tarballs, as the registry would serve them (workspace:* replaced by the versions).
  const packs = join(work, 'packs');
  mkdirSync(packs);
  const tarballs = {};
  for (const [name, folder] of Object.entries(PACKAGES)) {
    run('pnpm', ['pack', '--pack-destination', packs], { cwd: join(repo, folder) });
    const prefix = `${name.replace('@', '').replace('/', '-')}-`;
    const file = readdirSync(packs).find((f) => f.startsWith(prefix) && f.endsWith('.tgz'));
    if (!file) throw new Error(`pnpm pack of ${name} made no tarball in ${packs}`);
    tarballs[name] = `file:${join(packs, file)}`;
  }
  const needsNewNode = selected.some((c) => c.msw === MSW_3) ? nodeForMsw3(work) : undefined;

  for (const combination of selected) {
    const { fixture, zod, msw } = combination;
    const label = `${fixture} (zod ${zod}, msw ${msw})`;
    const start = Date.now();
    const app = join(work, `${fixture}-zod${zod}-msw${msw}`);
    try {
      cpSync(join(here, fixture), app, { recursive: true });
      const manifest = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8'));
      // What the README's install line gives: the SDK and the mocks (each bringing the contract), the app's zod and
      // MSW. The contract is not on the registry here, so `overrides` points its version at its tarball.
      manifest.dependencies = { ...manifest.dependencies, '@cims/sdk': tarballs['@cims/sdk'], zod };
      manifest.devDependencies = { ...manifest.devDependencies, '@cims/mocks': tarballs['@cims/mocks'], msw };
      manifest.overrides = { '@cims/contracts': tarballs['@cims/contracts'] };
      writeFileSync(join(app, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);

      const bin = msw === MSW_3 ? needsNewNode : dirname(process.execPath);
      const env = {
        ...process.env,
        PATH: `${bin}${delimiter}${process.env.PATH}`,
        npm_config_update_notifier: 'false',
      };
      const node = run('node', ['--version'], { cwd: app, env }).trim();
      run('npm', ['install', '--no-audit', '--no-fund'], { cwd: app, env });
      const zods = run('npm', ['ls', 'zod', '--all', '--parseable', '--long'], { cwd: app, env })
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split(':')[1]);
      // The app's zod is its own; a second copy exists only when the app is not on the contract's zod 3.25.
      const expected = zod === ZOD_3 ? 1 : 2;
      if (new Set(zods).size !== expected) throw new Error(`expected ${expected} zod version(s), found ${zods}`);
      run('npm', ['run', 'check'], { cwd: app, env });
      const lines = run('npm', ['run', '--silent', 'start'], { cwd: app, env }).split('\n');
      const output = lines
        .map((line) => line.trim())
        .filter(Boolean)
        .pop();
      results.push({ label, ok: true, time: seconds(start), note: `${node}, ${[...new Set(zods)].join(' + ')}` });
      console.log(`==> ok ${label} on Node ${node} in ${seconds(start)} s: ${output}`);
    } catch (error) {
      results.push({ label, ok: false, time: seconds(start), note: String(error.message).split('\n')[0] });
      console.error(`==> FAILED ${label} after ${seconds(start)} s\n${error.message}`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

console.log('\ninstall matrix:');
for (const { label, ok, time, note } of results)
  console.log(`  ${ok ? 'ok    ' : 'FAILED'} ${label}: ${time} s (${note})`);
console.log(`install matrix took ${seconds(total)} s`);
if (results.some((r) => !r.ok) || results.length !== selected.length) process.exit(1);
