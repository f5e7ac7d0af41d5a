import {
  DeadlockException,
  DriverException,
  LockWaitTimeoutException,
  UniqueConstraintViolationException,
} from '@mikro-orm/core';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { databaseTrouble } from './unavailable.js';

/** A socket error as Node reports it (`connect ECONNREFUSED …`). */
function socketError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, syscall: 'connect' });
}

/** An error the PostgreSQL server sent, as node-postgres builds it. */
function serverError(code: string, message: string): pg.DatabaseError {
  return Object.assign(new pg.DatabaseError(message, message.length, 'error'), { code, severity: 'ERROR' });
}

describe('databaseTrouble', () => {
  it('regression (any ECONNREFUSED in a cause chain was database trouble): errors of other services are not', () => {
    // What Node's fetch throws when a Graph API call cannot connect, and what an SMTP client does.
    expect(databaseTrouble(new TypeError('fetch failed', { cause: socketError('ECONNREFUSED') }))).toBeUndefined();
    expect(databaseTrouble(socketError('ENOTFOUND'))).toBeUndefined();
    expect(databaseTrouble(new Error('send failed', { cause: socketError('ETIMEDOUT') }))).toBeUndefined();
    expect(databaseTrouble(Object.assign(new Error('Connection terminated'), { code: 'ECONNRESET' }))).toBeUndefined();
    // A fetch timeout is a TimeoutError too, but not tarn's or knex's.
    expect(
      databaseTrouble(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
    ).toBeUndefined();
  });

  it('socket errors of the database layer are unreachable, directly or as a cause', () => {
    const converted = new DriverException(socketError('ECONNREFUSED'));
    expect(databaseTrouble(converted)).toEqual({ kind: 'unreachable', code: 'ECONNREFUSED' });
    expect(databaseTrouble(new Error('while saving', { cause: converted }))).toEqual({
      kind: 'unreachable',
      code: 'ECONNREFUSED',
    });
    expect(databaseTrouble(new DriverException(new Error('Connection terminated unexpectedly')))).toEqual({
      kind: 'unreachable',
      code: 'POOL',
    });
    expect(databaseTrouble(serverError('57P01', 'terminating connection due to administrator command'))).toEqual({
      kind: 'unreachable',
      code: '57P01',
    });
  });

  it('pool acquire timeouts of knex and pg-pool are unreachable', () => {
    const knex = Object.assign(new Error('Knex: Timeout acquiring a connection. The pool is probably full.'), {
      name: 'KnexTimeoutError',
    });
    expect(databaseTrouble(knex)).toEqual({ kind: 'unreachable', code: 'POOL' });
    expect(databaseTrouble(new Error('timeout exceeded when trying to connect'))).toEqual({
      kind: 'unreachable',
      code: 'POOL',
    });
  });

  it('regression (serialization failures and deadlocks answered 500): 40001 and 40P01 are a conflict', () => {
    expect(databaseTrouble(new DeadlockException(serverError('40001', 'could not serialize access')))).toEqual({
      kind: 'conflict',
      code: '40001',
    });
    expect(databaseTrouble(serverError('40P01', 'deadlock detected'))).toEqual({ kind: 'conflict', code: '40P01' });
  });

  it('statement and lock timeouts are a timeout; a constraint or a bad value is not trouble', () => {
    expect(databaseTrouble(new LockWaitTimeoutException(serverError('55P03', 'lock timeout')))).toEqual({
      kind: 'timeout',
      code: '55P03',
    });
    expect(databaseTrouble(serverError('57014', 'canceling statement due to statement timeout'))).toEqual({
      kind: 'timeout',
      code: '57014',
    });
    expect(
      databaseTrouble(new UniqueConstraintViolationException(serverError('23505', 'duplicate key'))),
    ).toBeUndefined();
    expect(databaseTrouble(serverError('22P02', 'invalid input syntax for type integer'))).toBeUndefined();
    // A SQLSTATE-like code without a severity is not the server's.
    expect(databaseTrouble(Object.assign(new Error('x'), { code: '08006' }))).toBeUndefined();
  });
});
