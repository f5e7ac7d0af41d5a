import { ConfigError, loadConfig } from './config.js';
import { DataDirLockedError } from './db/data-dir-lock.js';
import { createLogger } from './logger.js';
import { BlobStoreError } from './modules/files/blob-store.js';
import { startServer } from './runtime.js';

/** The process entry point: reads the environment, starts the server, stops it cleanly on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config);
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(config, logger);
  } catch (error) {
    if (error instanceof DataDirLockedError || error instanceof BlobStoreError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const database = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.dataDir}`;
  logger.info({ url: server.url, database }, 'CIMS server listening');
  console.log(
    [
      '',
      `  CIMS server ready at ${server.url}`,
      `  API reference:       ${server.url}/docs`,
      `  Database:            ${database}`,
      ...(server.demoUsers.length > 0
        ? [
            '',
            '  Demo logins (created now, in this empty database; CIMS_DEMO_DATA=false turns this off):',
            ...server.demoUsers.map((u) => `    ${u.role.padEnd(13)} ${u.email}  /  ${u.password}`),
          ]
        : []),
      '',
    ].join('\n'),
  );

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    // A second signal (Ctrl-C again, or an operator in a hurry) skips what is left of the drain delay; in-flight
    // requests still finish. Without a drain delay running, it has the signal's default effect: the process ends at
    // once, as does a third one.
    if (stopping) {
      process.off('SIGINT', shutdown);
      process.off('SIGTERM', shutdown);
      if (server.endDrain()) {
        logger.info({ signal }, 'Second signal: ending the drain delay now');
        return;
      }
      process.kill(process.pid, signal);
      return;
    }
    stopping = true;
    logger.info(
      { signal, drainMs: config.shutdownDrainMs },
      config.shutdownDrainMs > 0
        ? 'Shutting down: /readyz answers 503 while still serving for the drain delay, then in-flight requests finish'
        : 'Shutting down: finishing in-flight requests',
    );
    server.stop().then(
      () => {
        logger.info('Shutdown complete');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'Shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
