import { DriverException } from '@mikro-orm/core';

/** Why the database could not serve a request, when the cause is the database's state rather than the request. */
export interface DatabaseTrouble {
  /**
   * `timeout` (a statement or lock wait ran out: retry soon), `conflict` (the transaction lost a serialization
   * check or a deadlock to a concurrent one: retrying it is safe and usually succeeds at once) or `unreachable` (no
   * connection to be had).
   */
  kind: 'timeout' | 'conflict' | 'unreachable';
  /** The SQLSTATE or driver code that decided it, for the log. */
  code: string;
}

/**
 * SQLSTATEs that say nothing about the request: class 08 (connection exception) is matched by prefix; 57P01–57P03
 * (the server is shutting down, crashed, or cannot take connections now), 53300 (too many connections); 57014 and
 * 55P03 are this server's own `statement_timeout` and `lock_timeout`; 40001 and 40P01 (a serialization failure, a
 * deadlock) come from concurrent writes, and PostgreSQL has already rolled the transaction back.
 */
const TIMEOUT_STATES = new Set(['57014', '55P03']);
const CONFLICT_STATES = new Set(['40001', '40P01']);
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
 * Messages of the drivers' errors that carry no code: node-postgres when a connection ends under a query or cannot be
 * made in time, pg-pool and knex (tarn) when no connection frees up within the acquire timeout.
 */
const UNREACHABLE_MESSAGES = [
  /^Connection terminated/,
  /^timeout expired/,
  /^timeout exceeded when trying to connect/,
  /^Client has encountered a connection error and is not queryable/,
  /^Knex: Timeout acquiring a connection/,
];

/** pg-pool's error when no connection could be had in time: a plain Error, recognisable only by its text. */
const POOL_TIMEOUT = /^timeout exceeded when trying to connect/;

const SQLSTATE = /^[0-9A-Z]{5}$/;

/**
 * Whether `e` comes from the database layer: a MikroORM driver error (every statement's failure, and a connection
 * that could not be had, is converted to one), a node-postgres or PGlite error from the server (a SQLSTATE and a
 * severity), knex's pool timeout, or pg-pool's. A socket error alone says nothing: a Graph API call or SMTP fails with
 * the same ECONNREFUSED.
 */
function fromDatabase(e: object): boolean {
  if (e instanceof DriverException) return true;
  const { name, code, severity, message } = e as {
    name?: unknown;
    code?: unknown;
    severity?: unknown;
    message?: unknown;
  };
  if (typeof severity === 'string' && typeof code === 'string' && SQLSTATE.test(code)) return true;
  if (name === 'KnexTimeoutError') return true;
  return typeof message === 'string' && POOL_TIMEOUT.test(message);
}

/**
 * Whether `error` (or an error it wraps, as `cause`) is database trouble: an outage, killed connections, an exhausted
 * pool, a statement or lock timeout, or a transaction that lost to a concurrent one. Only an error of the database
 * layer ({@link fromDatabase}) and the errors it wraps count. Anything else — a constraint, a bad value, a syntax
 * error, another service that cannot be reached — is not: it is a bug, a bad request or the other service's trouble,
 * and must not be hidden behind the database's "retry later".
 */
export function databaseTrouble(error: unknown): DatabaseTrouble | undefined {
  let inDatabase = false;
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 5; depth += 1) {
    inDatabase ||= fromDatabase(e);
    const { code, message, cause } = e as { code?: unknown; message?: unknown; cause?: unknown };
    if (inDatabase) {
      if (typeof code === 'string') {
        if (TIMEOUT_STATES.has(code)) return { kind: 'timeout', code };
        if (CONFLICT_STATES.has(code)) return { kind: 'conflict', code };
        if (code.startsWith('08') || UNREACHABLE_STATES.has(code) || SOCKET_CODES.has(code)) {
          return { kind: 'unreachable', code };
        }
      }
      if (typeof message === 'string' && UNREACHABLE_MESSAGES.some((pattern) => pattern.test(message))) {
        return { kind: 'unreachable', code: 'POOL' };
      }
    }
    e = cause;
  }
  return undefined;
}
