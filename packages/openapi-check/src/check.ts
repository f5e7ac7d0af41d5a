import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { generateOpenapiTypescript } from './generate-openapi-typescript.js';

/**
 * The generator check: clients generated from `contracts/openapi.json` by orval, Hey API and openapi-typescript (with
 * openapi-fetch) must type-check and work against the real server. Any failure exits 1.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
const documentUrl = new URL('../../../contracts/openapi.json', import.meta.url);
const serverEntry = fileURLToPath(new URL('../../../apps/server/dist/server.js', import.meta.url));

/** Runs `work`, printing how long it took. */
async function step<T>(name: string, work: () => T | Promise<T>): Promise<T> {
  const start = performance.now();
  process.stdout.write(`openapi-check: ${name}\n`);
  const result = await work();
  process.stdout.write(`openapi-check: ${name}: ${((performance.now() - start) / 1000).toFixed(1)} s\n`);
  return result;
}

function run(command: string, args: string[]): void {
  execFileSync(command, args, { cwd: root, stdio: 'inherit' });
}

interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

/** The built server on a fresh embedded database in a temporary folder, with the demo data, on a free port. */
async function startServer(): Promise<RunningServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cims-openapi-check-'));
  const child: ChildProcess = spawn(process.execPath, [serverEntry], {
    env: {
      ...process.env,
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: '0',
      CIMS_DATA_DIR: dataDir,
      CIMS_DEMO_DATA: 'true',
      LOG_LEVEL: 'info',
      DATABASE_URL: '',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the server exited with ${code} before listening`)));
    lines.on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'CIMS server listening' && entry.url) resolve(entry.url);
      } catch {
        // Not a log line: ignore it.
      }
    });
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return { url, stop };
}

type RunClient = (baseUrl: string) => Promise<void>;

/** Each generated client's program (`src/clients/`), type-checked with the generated code by `tsconfig.clients.json`. */
const CLIENTS = [
  ['orval', 'orval-client.ts', 'runOrval'],
  ['Hey API', 'hey-api-client.ts', 'runHeyApi'],
  ['openapi-fetch', 'openapi-fetch-client.ts', 'runOpenapiFetch'],
] as const;

async function main(): Promise<void> {
  rmSync(join(root, 'generated'), { recursive: true, force: true });
  await step('generate with orval', () => run(bin('orval'), ['--config', 'orval.config.ts']));
  await step('generate with Hey API', () => run(bin('openapi-ts'), ['--file', 'openapi-ts.config.ts']));
  await step('generate with openapi-typescript', () =>
    generateOpenapiTypescript(documentUrl, join(root, 'generated/openapi-typescript/schema.d.ts')),
  );
  await step('type-check the generated clients and their use (tsc --noEmit)', () =>
    run(bin('tsc'), ['--noEmit', '-p', 'tsconfig.clients.json']),
  );
  const server = await step('start the built server (embedded database, demo data)', startServer);
  try {
    for (const [name, file, exported] of CLIENTS) {
      // Loaded by URL once generated: the package's own type check runs before there is generated code to check.
      const module = (await import(new URL(`./clients/${file}`, import.meta.url).href)) as Record<string, RunClient>;
      const runClient = module[exported];
      if (!runClient) throw new Error(`${file} exports no ${exported}`);
      await step(`${name} client against the server`, () => runClient(server.url));
    }
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`openapi-check failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
