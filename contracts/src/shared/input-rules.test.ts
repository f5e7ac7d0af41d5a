import { describe, expect, it } from 'vitest';
import {
  INSTANT_RANGE,
  isAcceptedDay,
  isAcceptedInstant,
  isStorableText,
  isValidDateTimeText,
  MALFORMED_ESCAPE_MESSAGE,
  malformedPathParamIssues,
  UNSAFE_TEXT_MESSAGE,
  unsafeTextIssues,
} from './input-rules.js';

describe('isStorableText', () => {
  it.each([
    ['plain', true],
    ['', true],
    ['a pair \ud83d\ude00', true],
    ['a\u0000b', false],
    ['high \ud800 alone', false],
    ['ends high \ud83d', false],
    ['\ude00 low first', false],
    ['reversed \ude00\ud83d', false],
  ])('%j → %s', (text, expected) => {
    expect(isStorableText(text)).toBe(expected);
  });
});

describe('unsafeTextIssues', () => {
  it('names every bad value and key, through objects and arrays', () => {
    expect(
      unsafeTextIssues('body', { ok: 'fine', name: 'a\u0000', list: ['x', '\ud800'], 'k\u0000': 1, n: 5 }),
    ).toEqual([
      { loc: ['body', 'name'], msg: UNSAFE_TEXT_MESSAGE, type: 'string_unsafe' },
      { loc: ['body', 'list', 1], msg: UNSAFE_TEXT_MESSAGE, type: 'string_unsafe' },
      { loc: ['body', 'k\u0000'], msg: UNSAFE_TEXT_MESSAGE, type: 'string_unsafe' },
    ]);
    expect(unsafeTextIssues('query', undefined)).toEqual([]);
  });
});

describe('days and instants', () => {
  it.each([
    ['2024-02-29', true],
    ['1970-01-01', true],
    ['2999-12-31', true],
    ['2024-02-30', false],
    ['2023-02-29', false],
    ['2024-04-31', false],
    ['2024-13-01', false],
    ['0000-01-01', false],
    ['0001-01-01', false],
    ['1969-12-31', false],
    ['3000-01-01', false],
    ['2024-1-1', false],
  ])('isAcceptedDay(%s) → %s', (day, expected) => {
    expect(isAcceptedDay(day)).toBe(expected);
  });

  it.each([
    ['2026-03-03T09:53:00+05:00', true],
    ['2026-03-03 09:53', true],
    ['2026-03-03T23:59:59.999999Z', true],
    ['2026-02-30T09:53', false],
    ['2026-03-03T24:00', false],
    ['2026-03-03T10:60', false],
    ['2026-03-03T10:00:61Z', false],
    ['2026-03-03T10:00+24:00', false],
    ['9999-12-31T23:59:59Z', false],
  ])('isValidDateTimeText(%s) → %s', (text, expected) => {
    expect(isValidDateTimeText(text)).toBe(expected);
  });

  it('accepts instants from 1970 up to, not including, the year 3000', () => {
    expect(isAcceptedInstant(new Date(INSTANT_RANGE.from))).toBe(true);
    expect(isAcceptedInstant(new Date(INSTANT_RANGE.from - 1))).toBe(false);
    expect(isAcceptedInstant(new Date(INSTANT_RANGE.until - 1))).toBe(true);
    expect(isAcceptedInstant(new Date(INSTANT_RANGE.until))).toBe(false);
    expect(isAcceptedInstant(new Date(Number.NaN))).toBe(false);
    expect(new Date(INSTANT_RANGE.until).toISOString()).toBe('3000-01-01T00:00:00.000Z');
  });
});

describe('malformedPathParamIssues', () => {
  it('names each parameter whose segment is not valid percent-encoding', () => {
    const issue = (name: string) => ({ loc: ['path', name], msg: MALFORMED_ESCAPE_MESSAGE, type: 'url_decoding' });
    expect(malformedPathParamIssues('/crm/detail/:id', '/crm/detail/%ff')).toEqual([issue('id')]);
    expect(malformedPathParamIssues('/crm/detail/:id', '/crm/detail/%')).toEqual([issue('id')]);
    expect(malformedPathParamIssues('/a/:x/b/:y?', '/a/%E0%A4%A/b/%zz')).toEqual([issue('x'), issue('y')]);
    expect(malformedPathParamIssues('/crm/detail/:id', '/crm/detail/%41%C3%A9')).toEqual([]);
    expect(malformedPathParamIssues('/crm/detail/:id', '/crm/detail/')).toEqual([]);
  });
});
