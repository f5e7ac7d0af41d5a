import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { TimestampSchema } from '../index.js';
import { BusinessTime } from './business-time.js';

// With and without daylight saving time; half-hour and 45-minute offsets (Kathmandu, Chatham); changes at midnight
// (Santiago).
const ZONES = [
  'UTC',
  'Asia/Tashkent',
  'Europe/London',
  'America/New_York',
  'America/St_Johns',
  'Australia/Lord_Howe',
  'Asia/Kathmandu',
  'Pacific/Chatham',
  'America/Santiago',
];

/** Every `step` ms from `from` to `to`, as Dates. */
function instants(from: string, to: string, step: number): Date[] {
  const out: Date[] = [];
  for (let ms = Date.parse(from); ms < Date.parse(to); ms += step) out.push(new Date(ms));
  return out;
}

/** Every `step` days from `from` to `to`, as `YYYY-MM-DD`. */
const calendar = (from: string, to: string, step: number): string[] =>
  instants(from, to, step * 86_400_000).map((d) => d.toISOString().slice(0, 10));

/** Instants every 7 minutes through the 2026 changes of both hemispheres (DST on and off), and two days around now. */
const RECENT = [
  ...instants('2026-03-08T00:00:00Z', '2026-03-09T12:00:00Z', 420_007),
  ...instants('2026-03-28T12:00:00Z', '2026-03-29T12:00:00Z', 420_007),
  ...instants('2026-04-04T12:00:00Z', '2026-04-05T18:00:00Z', 420_007),
  ...instants('2026-10-03T12:00:00Z', '2026-10-04T18:00:00Z', 420_007),
  ...instants('2026-10-24T12:00:00Z', '2026-10-25T12:00:00Z', 420_007),
  ...instants('2026-11-01T00:00:00Z', '2026-11-02T12:00:00Z', 420_007),
  ...instants('2026-11-26T00:00:00Z', '2026-11-28T00:00:00Z', 420_007),
];

const DAY = 86_400_000;
const WEEK = 7 * DAY;

/**
 * The instants `format` and `dayOf` are compared with luxon on in `zone`: {@link RECENT}, one every 9 days and a few
 * hours (a different time of day each time) from 1960 (before the cached range) to 2100, and around every offset change
 * of the zone in those years: the minute before and after, and six times of day on the UTC days before, of and after
 * it. A wrong offset or day shows there; a blind grid dense enough to hit each change (every 3 days, minute by minute
 * near 2026) asked luxon five times as often and still missed most of them.
 */
const samples = memo((zone: string): Date[] => {
  const offset = (ms: number) => DateTime.fromMillis(ms, { zone }).offset;
  const out = [...RECENT, ...instants('1960-01-01T00:00:00Z', '2100-01-01T00:00:00Z', 9 * DAY + 12_345_678)];
  // No zone here changes its offset twice within a week: a change shows as a week whose ends differ.
  for (let from = Date.parse('1960-01-01T00:00:00Z'); from < Date.parse('2100-01-01T00:00:00Z'); from += WEEK) {
    if (offset(from) === offset(from + WEEK)) continue;
    // Bisect to the first minute of the new offset.
    let [low, high] = [from, from + WEEK];
    while (high - low > 60_000) {
      const mid = low + Math.floor((high - low) / 120_000) * 60_000;
      if (offset(mid) === offset(low)) low = mid;
      else high = mid;
    }
    out.push(new Date(high - 60_000), new Date(high - 1), new Date(high), new Date(high + 60_000));
    const day = Math.floor(high / DAY) * DAY;
    for (const start of [day - DAY, day, day + DAY]) {
      for (const hour of [0, 5, 9, 13, 18, 23]) out.push(new Date(start + hour * 3_600_000 + 1_234));
    }
  }
  return out;
});

/** `fn` computed once per argument. */
function memo<T>(fn: (key: string) => T): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    if (!cache.has(key)) cache.set(key, fn(key));
    return cache.get(key) as T;
  };
}

describe('BusinessTime.format', () => {
  it.each(ZONES)('writes what luxon writes in %s, across offset changes and over the years', (zone) => {
    const time = new BusinessTime(zone);
    const wrong = samples(zone).filter((d) => time.format(d) !== DateTime.fromJSDate(d, { zone }).toISO());
    expect(wrong.map((d) => d.toISOString())).toEqual([]);
  });

  it('keeps milliseconds and the offset: 2026-11-27T04:30:00.120Z is 09:30:00.120+05:00 in Tashkent', () => {
    expect(new BusinessTime('Asia/Tashkent').format(new Date('2026-11-27T04:30:00.120Z'))).toBe(
      '2026-11-27T09:30:00.120+05:00',
    );
    expect(new BusinessTime('UTC').format(new Date('2026-11-27T04:30:00.120Z'))).toBe('2026-11-27T04:30:00.120Z');
  });
});

describe('regression: BusinessTime.format failed the response schema for a stored extreme instant', () => {
  // PostgreSQL holds 4713 BC to 294276 AD and ±infinity; a JavaScript Date holds ±8.64e15 ms. Whatever arrives, the
  // result is a timestamp the contract accepts: the same instant where ISO-8601 can write it with four digits.
  const EXTREMES: [string, Date | number, string][] = [
    ['9999-12-31T23:59:59Z (the year 10000 in Tashkent)', new Date('9999-12-31T23:59:59Z'), '9999-12-31T23:59:59.000Z'],
    ['the last four-digit instant', new Date('9999-12-31T23:59:59.999Z'), '9999-12-31T23:59:59.999Z'],
    ['the year 275760', new Date(8.64e15), '9999-12-31T23:59:59.999Z'],
    ['+infinity', Number.POSITIVE_INFINITY, '9999-12-31T23:59:59.999Z'],
    ['-infinity', Number.NEGATIVE_INFINITY, '0000-01-01T00:00:00.000Z'],
    ['271821 BC', new Date(-8.64e15), '0000-01-01T00:00:00.000Z'],
    [
      '0001-01-01T00:00:00Z (local mean time: an offset in seconds)',
      new Date('0001-01-01T00:00:00Z'),
      '0001-01-01T00:00:00.000Z',
    ],
    ['an invalid Date', new Date(Number.NaN), '0000-01-01T00:00:00.000Z'],
  ];
  it.each(EXTREMES)('%s', (_name, instant, expected) => {
    const time = new BusinessTime('Asia/Tashkent');
    expect(time.format(instant)).toBe(expected);
  });

  it.each(ZONES)('every result matches the contract in %s', (zone) => {
    const time = new BusinessTime(zone);
    const samples = [
      ...EXTREMES.map(([, instant]) => instant),
      ...instants('0000-01-01T00:00:00Z', '9999-12-31T00:00:00Z', 389 * 86_400_000 + 1_234_567),
    ];
    const bad = samples
      .map((instant) => time.format(instant))
      .filter((text) => !TimestampSchema.safeParse(text).success);
    expect(bad).toEqual([]);
  });

  it('keeps the instant where the zone can write it: 1900 in New York is -05:00', () => {
    expect(new BusinessTime('America/New_York').format(new Date('1900-06-01T12:00:00Z'))).toBe(
      '1900-06-01T07:00:00.000-05:00',
    );
  });
});

describe('BusinessTime days', () => {
  it.each(ZONES)('finds the day of an instant as luxon does in %s', (zone) => {
    const time = new BusinessTime(zone);
    const wrong = samples(zone).filter((d) => time.dayOf(d) !== DateTime.fromJSDate(d, { zone }).toISODate());
    expect(wrong.map((d) => d.toISOString())).toEqual([]);
  });

  it.each(ZONES)('adds days and finds Mondays and first days as luxon does in %s', (zone) => {
    const time = new BusinessTime(zone);
    const at = (day: string) => DateTime.fromISO(day, { zone });
    const wrong: string[] = [];
    // Every 37th day (every weekday and day of the month comes round) and every day of a leap-free February.
    for (const day of [...calendar('1969-12-20', '2101-01-01', 37), ...calendar('2026-02-20', '2026-03-10', 1)]) {
      for (const n of [-364, -179, -89, -7, -1, 0, 1, 7, 30]) {
        const expected = at(day).plus({ days: n }).toISODate();
        if (time.addDays(day, n) !== expected) wrong.push(`${day} + ${n}: ${time.addDays(day, n)} ≠ ${expected}`);
      }
      if (time.mondayOf(day) !== at(day).startOf('week').toISODate()) wrong.push(`monday of ${day}`);
      if (time.firstOfMonth(day) !== at(day).startOf('month').toISODate()) wrong.push(`1st of ${day}`);
    }
    expect(wrong).toEqual([]);
  });

  it('counts on the calendar: month ends, leap days, Sundays', () => {
    const time = new BusinessTime('Asia/Tashkent');
    expect(time.addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(time.addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(time.addDays('2027-02-28', 1)).toBe('2027-03-01');
    expect(time.addDays('2026-11-27', -364)).toBe('2025-11-28');
    expect(time.mondayOf('2026-11-29')).toBe('2026-11-23');
    expect(time.mondayOf('2026-11-23')).toBe('2026-11-23');
    expect(time.firstOfMonth('2026-11-27')).toBe('2026-11-01');
    expect(time.days('2026-12-30', '2027-01-02')).toEqual(['2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02']);
  });

  it('counts a day a zone skipped as a day: Samoa went from 2011-12-29 to 2011-12-31', () => {
    // luxon moves the missing midnight of 2011-12-30 into the next day; a business day is a date on the calendar.
    const time = new BusinessTime('Pacific/Apia');
    expect(time.addDays('2011-12-29', 1)).toBe('2011-12-30');
    expect(time.days('2011-12-29', '2011-12-31')).toEqual(['2011-12-29', '2011-12-30', '2011-12-31']);
    expect(time.dayOf(new Date('2011-12-30T09:59:59Z'))).toBe('2011-12-29');
    expect(time.dayOf(new Date('2011-12-30T10:00:00Z'))).toBe('2011-12-31');
  });

  it('answers what luxon answers for what is not a plain day', () => {
    const time = new BusinessTime('Asia/Tashkent');
    for (const day of ['2026-02-30', '2026-13-01', '2026-1-05', 'yesterday', '', '1969-07-20', '2026-11-27T10:00']) {
      const at = DateTime.fromISO(day, { zone: 'Asia/Tashkent' });
      expect([day, time.addDays(day, 1)]).toEqual([day, at.plus({ days: 1 }).toISODate()]);
      expect([day, time.mondayOf(day)]).toEqual([day, at.startOf('week').toISODate()]);
      expect([day, time.firstOfMonth(day)]).toEqual([day, at.startOf('month').toISODate()]);
    }
  });

  it('takes today in the business zone from its clock', () => {
    const time = new BusinessTime('Asia/Tashkent', () => new Date('2026-11-27T19:30:00Z'));
    expect(time.today()).toBe('2026-11-28');
    expect(new BusinessTime('America/New_York', () => new Date('2026-11-27T03:30:00Z')).today()).toBe('2026-11-26');
  });
});
