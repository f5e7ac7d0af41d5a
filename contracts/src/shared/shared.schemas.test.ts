import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TimestampSchema } from './shared.schemas.js';

describe('TimestampSchema', () => {
  const zodDatetime = z.string().datetime({ offset: true });
  const samples = [
    '2026-11-26T09:30:00Z',
    '2026-11-26T09:30:00.000Z',
    '2026-11-26T14:30:00.123456+05:00',
    '2026-11-26T14:30:00-0330',
    '2024-02-29T00:00:00Z',
    '2026-11-26T09:30Z',
    '2026-11-26T09:30:00',
    '2026-11-26 09:30:00Z',
    '2026-02-29T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-11-26T24:00:00Z',
    '2026-11-26T09:30:00+5:00',
    '2026-11-26',
    '',
    'yesterday',
  ];

  it.each(samples)('judges %j as z.string().datetime({ offset: true }) does', (sample) => {
    expect(TimestampSchema.safeParse(sample).success).toBe(zodDatetime.safeParse(sample).success);
  });

  it('accepts an ISO-8601 timestamp with an offset and rejects one without', () => {
    expect(TimestampSchema.parse('2026-11-26T14:30:00.000+05:00')).toBe('2026-11-26T14:30:00.000+05:00');
    const failure = TimestampSchema.safeParse('2026-11-26T14:30:00');
    expect(failure.success).toBe(false);
    expect(failure.error?.issues[0]).toMatchObject({ code: 'invalid_string', message: 'Invalid datetime' });
  });
});
