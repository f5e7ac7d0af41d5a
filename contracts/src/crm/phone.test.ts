import { describe, expect, it } from 'vitest';
import { normalizePhone } from './phone.js';

describe('normalizePhone', () => {
  it.each([
    ['a national number in the default region', '(90) 123-45-67', 'UZ', '+998901234567'],
    ['E.164 of another country, whatever the region', '+1 202 555 0143', 'UZ', '+12025550143'],
    ['a national number read in another region', '020 7946 0018', 'GB', '+442079460018'],
  ] as const)('%s', (_name, value, region, expected) => {
    expect(normalizePhone(value, region)).toBe(expected);
  });

  it.each([
    ['too short', '12345'],
    ['letters', 'call me'],
    ['a valid length but no such number', '+998 00 000-00-00'],
  ])('refuses %s', (_name, value) => {
    expect(normalizePhone(value, 'UZ')).toBeUndefined();
  });
});
