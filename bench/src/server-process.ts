/**
 * The REAL server for the auth benchmark: the same `startServer` as `apps/server/src/server.ts`, configured from the
 * environment by the same `loadConfig`, with the same logger. Run as a child process of `auth.bench.ts` (IPC): it
 * reports `{ type: 'ready', url }` once it listens (migrated, demo users seeded) and stops cleanly on `{ type: 'stop' }`.
 *
 * It imports the server's source (the benchmark, like the server's own tests, is allowed to); under tsx with the
 * `source` condition, exactly as `pnpm cims` runs it.
 */
import { createLogger, loadConfig, startServer } from '@cims/server/bench';
import { serveProcessStats } from './lib/child-stats.js';

serveProcessStats();
// EXPERIMENTS (off by default): see experiments/patches.ts.
if (process.env.BENCH_PATCH) {
  const { applyPatches } = await import('./experiments/patches.js');
  applyPatches(process.env.BENCH_PATCH.split(','));
}
const config = loadConfig(process.env);
const logger = createLogger(config);
const server = await startServer(config, logger);
if (process.env.BENCH_WITHOUT) removeLayers(process.env.BENCH_WITHOUT.split(','));
process.send?.({ type: 'ready', url: server.url });

/**
 * EXPERIMENT (`BENCH_WITHOUT=request-log,helmet,…`), off by default: takes middleware out of the running server's
 * Express stack, to measure what each one costs without touching the server's code. Each name must match exactly one
 * top-level layer of `createApp` (apps/server/src/app.ts), or the process refuses to start.
 */
function removeLayers(names: string[]): void {
  type Layer = { name: string };
  const stack = (server.app.express as unknown as { _router: { stack: Layer[] } })._router.stack;
  const matchers: Record<string, (layer: Layer) => boolean> = {
    // (`docs` and `request-context` were measured here too, and have since left the request path of `createApp`.)
    // (`pino-http` was measured here too; the server now logs requests with its own `requestLogger`.)
    // (`route-table` was measured here too; the contract's endpoints are now reached through it, so it stays.)
    'request-log': (layer) => layer.name === 'logRequest',
    'security-headers': (layer) => layer.name === 'setFixedHeaders',
    static: (layer) => layer.name === 'serveStatic',
  };
  for (const name of names) {
    const matcher = matchers[name];
    if (!matcher) throw new Error(`BENCH_WITHOUT: unknown layer ${name}; known: ${Object.keys(matchers).join(', ')}`);
    const found = stack.map((layer, index) => (matcher(layer) ? index : -1)).filter((index) => index >= 0);
    if (found.length !== 1) throw new Error(`BENCH_WITHOUT: ${name} matched ${found.length} layers`);
    stack.splice(found[0] as number, 1);
  }
  console.error(`EXPERIMENT: running without ${names.join(', ')}`);
}

process.on('message', (message: { type?: string }) => {
  if (message?.type !== 'stop') return;
  server.http.closeAllConnections();
  server.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
