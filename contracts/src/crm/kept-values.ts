import type { z } from 'zod';
import { FullNameSchema, PhoneSchema, PlatformSchema } from './customers.schemas.js';

/** Update fields whose stored value may predate today's input rules (customers imported from the legacy CIMS). */
export type KeptField = 'full_name' | 'platform' | 'phone_number';

const TODAYS_RULES: Record<KeptField, z.ZodType<string, z.ZodTypeDef, string>> = {
  full_name: FullNameSchema,
  platform: PlatformSchema,
  phone_number: PhoneSchema,
};

/**
 * A value as a client echoes it back: trimmed; a platform also in any case with spaces, `_` and `-` alike (the legacy
 * client title-cases the platform it shows). A name's case is an edit of its own.
 */
const echoed = (field: KeptField, value: string) =>
  field === 'platform'
    ? value
        .trim()
        .toLowerCase()
        .replace(/[\s_-]+/g, ' ')
    : value.trim();

/**
 * What an update does with a sent `full_name`, `platform` or `phone_number`, given the customer's stored value. The
 * legacy client re-sends every field of the form on edit (platforms title-cased), so a value that is the stored one as
 * a client echoes it is kept as stored (`{ keep: true }`) — an imported customer with a free-text platform or a number
 * that is not one stays editable. Any other value must pass today's rule: `{ value }` (normalised: a platform key; a
 * phone number still to be parsed), or `{ message }` for a 422 on that field.
 */
export function updatedValue(
  field: KeptField,
  sent: string,
  stored: string,
): { keep: true } | { value: string } | { message: string } {
  if (echoed(field, sent) === echoed(field, stored)) return { keep: true };
  const checked = TODAYS_RULES[field].safeParse(sent);
  if (checked.success) return { value: checked.data };
  return { message: checked.error.issues[0]?.message ?? 'Invalid value' };
}
