import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import type { ServerBuild } from './server-build.js';

const serverDir = fileURLToPath(new URL('..', import.meta.url));

/**
 * The compiled server the tests run in processes of their own (`cli.mjs`, `server.mjs`), built once per run by the
 * project's global setup (test/global-setup.ts, test/server-build.ts).
 */
export function serverBuild(): ServerBuild {
  return inject('serverBuild');
}

/** `pnpm cims <args>` in its own process; resolves with the exit code and everything it printed. */
export function cims(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [serverBuild().cli, ...args], {
    cwd: serverDir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr.on('data', (chunk) => {
    output += String(chunk);
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
}
