/** Why the database could not serve a request, when the cause is the database's state rather than the request. */
export interface DatabaseTrouble {
  /** `timeout` (a statement or lock wait ran out: retry soon) or `unreachable` (no connection to be had). */
  kind: 'timeout' | 'unreachable';
  /** The SQLSTATE or driver code that decided it, for the log. */
  code: string;
}

/**
 * SQLSTATEs that say nothing about the request: class 08 (connection exception) is matched by prefix; 57P01–57P03
 * (the server is shutting down, crashed, or cannot take connections now), 53300 (too many connections); 57014 and
 * 55P03 are this server's own `statement_timeout` and `lock_timeout`.
 */
const TIMEOUT_STATES = new Set(['57014', '55P03']);
const UNREACHABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300']);

/** Socket errors of the drivers when the database cannot be reached or the connection breaks. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * Messages of errors that carry no code: node-postgres when a connection ends under a query or cannot be made in time,
 * pg-pool and knex (tarn) when no connection frees up within the acquire timeout.
 */
const UNREACHABLE_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /^Client has encountered a connection error and is not queryable/,
  /^Knex: Timeout acquiring a connection/,
];

/**
 * Whether `error` (or an error it wraps, as `cause`) is database trouble: an outage, killed connections, an exhausted
 * pool or a statement or lock timeout. Anything else — a constraint, a bad value, a syntax error — is not: it is a bug
 * or a bad request and must not be hidden behind a "retry later".
 */
export function databaseTrouble(error: unknown): DatabaseTrouble | undefined {
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 5; depth += 1) {
    const { code, message, cause } = e as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === 'string') {
      if (TIMEOUT_STATES.has(code)) return { kind: 'timeout', code };
      if (code.startsWith('08') || UNREACHABLE_STATES.has(code) || SOCKET_CODES.has(code)) {
        return { kind: 'unreachable', code };
      }
    }
    if (typeof message === 'string' && UNREACHABLE_MESSAGES.some((pattern) => pattern.test(message))) {
      return { kind: 'unreachable', code: 'POOL' };
    }
    e = cause;
  }
  return undefined;
}
