/**
 * The server as `server.ts` starts it (the configuration from the environment, then `startServer`), on an embedded
 * database loaded from the migrated template dumped at the path in `argv[2]`, so that the child process of
 * tracing.test.ts starts in seconds instead of migrating an empty database. Prints its URL; stops on SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startServer } from '../../src/runtime.js';

const templatePath = process.argv[2];
if (!templatePath) throw new Error('Usage: otel-probe-server.ts <template dump>');
const config = loadConfig();
const server = await startServer(config, createLogger(config), {
  target: { kind: 'pglite', loadDataDir: new Blob([readFileSync(templatePath)]) },
});
console.log(`CIMS server ready at ${server.url}`);
process.once('SIGTERM', () => {
  server.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
