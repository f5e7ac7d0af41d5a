import { describe, expect, it } from 'vitest';
import type { ValidationIssue } from '../errors/error.schemas.js';
import { agreedStatus, statusKey, usableStatus } from './customer-status.js';

const STATUSES = [
  { name: 'contacted', is_active: true },
  { name: 'dormant', is_active: false },
  { name: 'need_to_call', is_active: true },
];

describe('statusKey', () => {
  it('names a status in any case and with surrounding spaces', () => {
    expect(statusKey('  Need_To_Call ')).toBe('need_to_call');
  });
});

describe('agreedStatus', () => {
  it.each([
    ['only status', 'Contacted', undefined, 'Contacted'],
    ['only customer_status', undefined, 'finished', 'finished'],
    ['both naming one status in another case', 'Contacted', ' contacted', 'Contacted'],
    ['neither', undefined, undefined, undefined],
  ] as const)('%s: the one sent, no issue', (_name, status, alias, expected) => {
    const issues: ValidationIssue[] = [];
    expect(agreedStatus(status, alias, issues)).toBe(expected);
    expect(issues).toEqual([]);
  });

  it('two different statuses: no status, an issue on customer_status', () => {
    const issues: ValidationIssue[] = [];
    expect(agreedStatus('contacted', 'finished', issues)).toBeUndefined();
    expect(issues).toEqual([
      {
        loc: ['body', 'customer_status'],
        msg: 'status and customer_status name different statuses; send one of them',
        type: 'value_error',
      },
    ]);
  });
});

describe('usableStatus', () => {
  it('an active status in any case gives its key', () => {
    expect(usableStatus(' CONTACTED ', STATUSES)).toEqual({ name: 'contacted' });
  });

  it("an inactive status only when it is the customer's current one", () => {
    expect(usableStatus('Dormant', STATUSES, 'dormant')).toEqual({ name: 'dormant' });
    expect(usableStatus('dormant', STATUSES, 'contacted')).toEqual({
      issue: {
        loc: ['body', 'status'],
        msg: "Unknown or inactive status 'dormant'; use one of: contacted, need_to_call",
        type: 'value_error',
      },
    });
  });

  it('an unknown status: the issue quotes it trimmed and lists the active statuses in order', () => {
    expect(usableStatus('  Nope ', STATUSES)).toEqual({
      issue: {
        loc: ['body', 'status'],
        msg: "Unknown or inactive status 'Nope'; use one of: contacted, need_to_call",
        type: 'value_error',
      },
    });
  });
});
