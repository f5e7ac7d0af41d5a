import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { BusinessTime } from './business-time.js';

const ZONES = ['UTC', 'Asia/Tashkent', 'Europe/London', 'America/New_York', 'America/St_Johns', 'Australia/Lord_Howe'];

/** Every `step` ms from `from` to `to`, as Dates. */
function instants(from: string, to: string, step: number): Date[] {
  const out: Date[] = [];
  for (let ms = Date.parse(from); ms < Date.parse(to); ms += step) out.push(new Date(ms));
  return out;
}

describe('BusinessTime.format', () => {
  it.each(ZONES)('writes what luxon writes in %s, across offset changes and over the years', (zone) => {
    const time = new BusinessTime(zone);
    const samples = [
      // Minute by minute through the 2026 changes of the northern and southern hemispheres (DST on and off).
      ...instants('2026-03-08T00:00:00Z', '2026-03-09T12:00:00Z', 60_007),
      ...instants('2026-03-28T12:00:00Z', '2026-03-29T12:00:00Z', 60_007),
      ...instants('2026-04-04T12:00:00Z', '2026-04-05T18:00:00Z', 60_007),
      ...instants('2026-10-03T12:00:00Z', '2026-10-04T18:00:00Z', 60_007),
      ...instants('2026-10-24T12:00:00Z', '2026-10-25T12:00:00Z', 60_007),
      ...instants('2026-11-01T00:00:00Z', '2026-11-02T12:00:00Z', 60_007),
      // Every few days from 1960 (before the cached range) to 2100.
      ...instants('1960-01-01T00:00:00Z', '2100-01-01T00:00:00Z', 3 * 86_400_000 + 12_345_678),
    ];
    const wrong = samples.filter((d) => time.format(d) !== DateTime.fromJSDate(d, { zone }).toISO());
    expect(wrong.map((d) => d.toISOString())).toEqual([]);
  });

  it('keeps milliseconds and the offset: 2026-11-27T04:30:00.120Z is 09:30:00.120+05:00 in Tashkent', () => {
    expect(new BusinessTime('Asia/Tashkent').format(new Date('2026-11-27T04:30:00.120Z'))).toBe(
      '2026-11-27T09:30:00.120+05:00',
    );
    expect(new BusinessTime('UTC').format(new Date('2026-11-27T04:30:00.120Z'))).toBe('2026-11-27T04:30:00.120Z');
  });
});
