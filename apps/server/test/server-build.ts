import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';
import { serverBuildOptions } from '../tsup.config.js';

/**
 * One compiled copy of the server for the tests that start it in a process of their own (`cims` commands, `server.ts`,
 * replicas, the tracing probe). Run from the sources with tsx, each such process spent about 5 s of CPU compiling and
 * resolving the whole server before doing anything; the compiled copy starts in a fraction of that.
 *
 * It is built with the server's own tsup options (what `pnpm build` makes), with two differences: the workspace
 * packages (`@cims/contracts`) are bundled from their sources, so that it needs no other build and works on a clean
 * clone, and the tracing test's probe entries are built with it. The other dependencies stay external, resolved from
 * the server's node_modules as in production.
 *
 * The build is kept in a cache folder named by {@link serverBuildKey}, so a run whose sources are unchanged reuses it.
 */

const serverDir = fileURLToPath(new URL('..', import.meta.url));
const repoDir = path.join(serverDir, '../..');
/** Inside node_modules: never committed, and the external dependencies resolve from the server's own. */
const cacheDir = path.join(serverDir, 'node_modules/.cache/cims-test-server');

/** Bump when the way the build is made changes, so that older ones are not used. */
const BUILD_FORMAT = 1;

/** What the build is made from: every source file of the server and of the workspace packages it bundles. */
const SOURCE_DIRS = [path.join(serverDir, 'src'), path.join(repoDir, 'contracts/src')];
const SOURCE_FILES = [
  path.join(serverDir, 'package.json'),
  path.join(serverDir, 'tsup.config.ts'),
  path.join(repoDir, 'contracts/package.json'),
  fileURLToPath(import.meta.url),
  path.join(serverDir, 'test/platform/otel-probe.ts'),
  path.join(serverDir, 'test/platform/otel-probe-server.ts'),
];

/** The entry points of the build, each an `.mjs` file in {@link ServerBuild.dir}. */
export interface ServerBuild {
  dir: string;
  /** `src/server.ts`: what `pnpm start` runs. */
  server: string;
  /** `src/cli.ts`: what `pnpm cims` runs. */
  cli: string;
  /** `test/platform/otel-probe.ts`, loaded with `--import` before the probe server (tracing.test.ts). */
  otelProbe: string;
  /** `test/platform/otel-probe-server.ts`: the server on a dumped template database (tracing.test.ts). */
  otelProbeServer: string;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.name.endsWith('.test.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/**
 * What the build depends on: the server's and the contracts' source files (names and contents, tests aside), the
 * package manifests, the tsup options, the probe entries, the tsup version and {@link BUILD_FORMAT}. 12 hex digits of
 * their SHA-256.
 */
export function serverBuildKey(): string {
  const hash = createHash('sha256').update(`format ${BUILD_FORMAT}\n`);
  const tsup = path.join(serverDir, 'node_modules/tsup/package.json');
  hash.update(`tsup ${(JSON.parse(readFileSync(tsup, 'utf8')) as { version: string }).version}\n`);
  const files = [...SOURCE_DIRS.flatMap(walk), ...SOURCE_FILES].sort();
  for (const file of files) {
    hash
      .update(`${path.relative(repoDir, file)}\n`)
      .update(readFileSync(file))
      .update('\n');
  }
  return hash.digest('hex').slice(0, 12);
}

function entries(dir: string): ServerBuild {
  return {
    dir,
    server: path.join(dir, 'server.mjs'),
    cli: path.join(dir, 'cli.mjs'),
    otelProbe: path.join(dir, 'otel-probe.mjs'),
    otelProbeServer: path.join(dir, 'otel-probe-server.mjs'),
  };
}

/**
 * The compiled server: read from the cache folder, or built and put there. A build is made in a folder of its own and
 * renamed into place when complete, so that a reader only ever sees a whole one; when two runs build at once, the
 * first rename wins and the other build is dropped.
 */
export async function buildServerForTests(): Promise<ServerBuild> {
  const dir = path.join(cacheDir, serverBuildKey());
  if (existsSync(dir)) return entries(dir);
  mkdirSync(cacheDir, { recursive: true });
  const aside = `${dir}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await build({
      ...serverBuildOptions,
      // Nothing from the working directory (vitest's, the repository root): every path is given here.
      config: false,
      tsconfig: path.join(serverDir, 'tsconfig.json'),
      entry: {
        server: path.join(serverDir, 'src/server.ts'),
        cli: path.join(serverDir, 'src/cli.ts'),
        'otel-probe': path.join(serverDir, 'test/platform/otel-probe.ts'),
        'otel-probe-server': path.join(serverDir, 'test/platform/otel-probe-server.ts'),
      },
      outDir: aside,
      outExtension: () => ({ js: '.mjs' }),
      // The server's dependencies stay external, as in `pnpm build`; the workspace ones are bundled from `src/`.
      external: [path.join(serverDir, 'package.json')],
      noExternal: [/^@cims\//],
      esbuildOptions(options) {
        options.conditions = ['source'];
      },
      silent: true,
    });
    renameSync(aside, dir);
  } catch (error) {
    rmSync(aside, { recursive: true, force: true });
    // Another run put the same build in place first: use that one.
    if (!existsSync(dir)) throw error;
  }
  // Builds of other sources are never read again.
  for (const other of readdirSync(cacheDir)) {
    if (/^[0-9a-f]{12}$/.test(other) && other !== path.basename(dir)) {
      rmSync(path.join(cacheDir, other), { recursive: true, force: true });
    }
  }
  return entries(dir);
}
