import { CimsApiError, SessionExpiredError } from '@cims/sdk';
import { describe, expect, it } from 'vitest';
import { describeError } from '../src/errors.js';

describe('describeError', () => {
  it('says one sentence per known error code', () => {
    expect(describeError(new CimsApiError(401, { detail: 'x', code: 'INVALID_CREDENTIALS' }))).toBe(
      'Wrong e-mail or password.',
    );
    expect(describeError(new SessionExpiredError('refresh-failed'))).toBe(
      'Your session has ended. Please sign in again.',
    );
  });

  it('never answers an empty text, so an error is always shown', () => {
    expect(describeError(new Error(''))).toBe('Something went wrong. Please try again.');
    expect(describeError('')).toBe('Something went wrong. Please try again.');
    expect(describeError(undefined)).toBe('Something went wrong. Please try again.');
    expect(describeError(new CimsApiError(500, { detail: '', code: 'INTERNAL' }))).not.toBe('');
  });
});
