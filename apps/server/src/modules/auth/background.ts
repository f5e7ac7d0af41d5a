import type { Logger } from 'pino';
import { databaseTrouble } from '../../db/unavailable.js';

/**
 * Logs a failure of work done after the answer (storing or mailing a code). The database being unreachable or timing
 * out is an operational condition, already answered `503` elsewhere: `warn`. Anything else is a bug: `error`.
 */
export function logBackgroundFailure(logger: Pick<Logger, 'warn' | 'error'>, error: unknown, message: string): void {
  if (databaseTrouble(error)) logger.warn({ err: error }, message);
  else logger.error({ err: error }, message);
}
