import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';

/**
 * A customer's phone number as stored: E.164 (`+998901234567`), reading a number typed without a country code as one
 * of `region` (the business's `DEFAULT_PHONE_REGION`). Undefined: not a valid phone number (a `422`, worded by
 * `CRM_MESSAGES.phoneInvalid`).
 *
 * @example
 * normalizePhone('(90) 123-45-67', 'UZ'); // '+998901234567'
 */
export function normalizePhone(value: string, region: CountryCode): string | undefined {
  const parsed = parsePhoneNumberFromString(value, region);
  return parsed?.isValid() ? parsed.number : undefined;
}
