import { describe, expect, it } from 'vitest';
import { graphFailureCode, graphFailureDetail, graphFailureKind } from './graph-failures.js';
import { INSTAGRAM_MESSAGES } from './instagram.messages.js';

describe('graphFailureKind', () => {
  it('a refused token (190) or permission (10, 200–299) needs a reconnect, whatever the status', () => {
    expect(graphFailureKind({ status: 400, code: 190 })).toBe('token');
    expect(graphFailureKind({ status: 400, code: 10 })).toBe('permission');
    expect(graphFailureKind({ status: 403, code: 200 })).toBe('permission');
    expect(graphFailureKind({ status: 403, code: 299 })).toBe('permission');
    expect(graphFailureKind({ status: 400, code: 300 })).toBe('other');
  });

  it('throttling: 4, 17, 32, 613 and every Business Use Case code (80000–80014)', () => {
    for (const code of [4, 17, 32, 613, 80_000, 80_001, 80_002, 80_014]) {
      expect(graphFailureKind({ status: 400, code })).toBe('rate-limited');
    }
    expect(graphFailureKind({ status: 400, code: 80_015 })).toBe('other');
  });

  it('no answer, HTTP 5xx, codes 1 and 2 and is_transient are worth another attempt', () => {
    expect(graphFailureKind({ status: null })).toBe('transient');
    expect(graphFailureKind({ status: 503 })).toBe('transient');
    expect(graphFailureKind({ status: 500, code: 1 })).toBe('transient');
    expect(graphFailureKind({ status: 400, code: 2 })).toBe('transient');
    expect(graphFailureKind({ status: 400, code: 368, isTransient: true })).toBe('transient');
  });

  it('code 1 over HTTP 4xx without is_transient (wrong app credentials) is not tried again', () => {
    expect(graphFailureKind({ status: 400, code: 1 })).toBe('other');
    expect(graphFailureKind({ status: 400, code: 1, isTransient: true })).toBe('transient');
  });

  it('code 100 is an unknown object, except over HTTP 5xx; an answer without an error object is no retry', () => {
    expect(graphFailureKind({ status: 400, code: 100 })).toBe('unknown-object');
    expect(graphFailureKind({ status: 500, code: 100 })).toBe('transient');
    expect(graphFailureKind({ status: 404 })).toBe('other');
    expect(graphFailureKind({ status: 200 })).toBe('other');
  });
});

describe('graphFailureCode', () => {
  it('at setup the token and id are refused (400); on use a reconnect is needed (409)', () => {
    expect(graphFailureCode('token', 'setup')).toBe('INSTAGRAM_TOKEN_REJECTED');
    expect(graphFailureCode('permission', 'setup')).toBe('INSTAGRAM_TOKEN_REJECTED');
    expect(graphFailureCode('unknown-object', 'setup')).toBe('INSTAGRAM_TOKEN_REJECTED');
    expect(graphFailureCode('token', 'use')).toBe('INSTAGRAM_RECONNECT_REQUIRED');
    expect(graphFailureCode('permission', 'use')).toBe('INSTAGRAM_RECONNECT_REQUIRED');
    expect(graphFailureCode('unknown-object', 'use')).toBe('UPSTREAM_UNAVAILABLE');
  });

  it('throttling is a 503 and Meta’s trouble a 502 at either stage', () => {
    for (const stage of ['setup', 'use'] as const) {
      expect(graphFailureCode('rate-limited', stage)).toBe('UPSTREAM_RATE_LIMITED');
      expect(graphFailureCode('transient', stage)).toBe('UPSTREAM_UNAVAILABLE');
      expect(graphFailureCode('other', stage)).toBe('UPSTREAM_UNAVAILABLE');
    }
  });
});

describe('graphFailureDetail', () => {
  const texts = { graphMessage: 'Meta says no', failure: 'HTTP 500', unavailable: 'every attempt failed' };
  it('words a refused token or account by stage, quoting Meta, and a failure every attempt met as given', () => {
    expect(graphFailureDetail('token', 'setup', texts)).toBe(INSTAGRAM_MESSAGES.tokenRefused('Meta says no'));
    expect(graphFailureDetail('token', 'use', texts)).toBe(INSTAGRAM_MESSAGES.tokenExpired('Meta says no'));
    expect(graphFailureDetail('unknown-object', 'setup', texts)).toBe(
      INSTAGRAM_MESSAGES.accountRefused('Meta says no'),
    );
    expect(graphFailureDetail('unknown-object', 'use', texts)).toBe(INSTAGRAM_MESSAGES.graphFailed('HTTP 500'));
    expect(graphFailureDetail('transient', 'use', texts)).toBe('every attempt failed');
    expect(graphFailureDetail('other', 'setup', texts)).toBe(INSTAGRAM_MESSAGES.graphFailed('HTTP 500'));
  });
});
