import { describe, expect, it, vi } from 'vitest';
import { logBackgroundFailure } from './background.js';

function fakeLogger() {
  return { warn: vi.fn(), error: vi.fn() };
}

describe('logBackgroundFailure', () => {
  it('regression: database unavailability after the answer was logged at error; it is warn', () => {
    const logger = fakeLogger();
    // As node-postgres reports it: a server error carries its severity and SQLSTATE.
    const outage = Object.assign(new Error('terminating connection due to administrator command'), {
      code: '57P01',
      severity: 'FATAL',
    });
    logBackgroundFailure(logger, outage, 'Could not issue a code');
    expect(logger.warn).toHaveBeenCalledWith({ err: outage }, 'Could not issue a code');
    expect(logger.error).not.toHaveBeenCalled();
  });

  it('logs any other failure at error', () => {
    const logger = fakeLogger();
    const bug = new TypeError('x is undefined');
    logBackgroundFailure(logger, bug, 'Could not issue a code');
    expect(logger.error).toHaveBeenCalledWith({ err: bug }, 'Could not issue a code');
    expect(logger.warn).not.toHaveBeenCalled();
  });
});
