import { type Logger, pino } from 'pino';
import type { Config } from './config.js';

/**
 * Paths that never reach a log line. pino-http logs request headers; bodies are never logged, but handlers that log
 * objects get the same protection.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.new_password',
  '*.current_password',
  '*.access_token',
  '*.refresh_token',
  '*.token',
  '*.secret',
];

/** The server's root logger: JSON lines on stdout, secrets censored. */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: pino.DestinationStream): Logger {
  return pino({ level: config.logLevel, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, destination);
}
