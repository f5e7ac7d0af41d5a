import type { z } from 'zod';
import {
  type Customer,
  CustomerFormSchema,
  type CustomerUpdateFormSchema,
  type IntakeCustomerSchema,
} from './customers.schemas.js';

/** The text fields of `POST /crm/customers`, as the contract parsed them. */
export type CustomerFormFields = z.output<typeof CustomerFormSchema>;
/** The text fields of `PUT`/`PATCH /crm/customers/{id}` (`null`: an emptied optional field), as the contract parsed them. */
export type CustomerUpdateFields = z.output<typeof CustomerUpdateFormSchema>;
/** The JSON body of the intake `POST /crm/api/customers`, as the contract parsed it. */
export type IntakeFields = z.output<typeof IntakeCustomerSchema>;

/**
 * The fields of the create form with a rule of their own: checked or normalised (`phone_number`, `status`,
 * `recall_time`), kept as stored on an edit (`full_name`, `platform`, `phone_number`), defaulted
 * (`conversation_language`) or another name for a field (`customer_status`).
 */
const RULED_FIELDS = [
  'full_name',
  'platform',
  'phone_number',
  'status',
  'customer_status',
  'conversation_language',
  'recall_time',
] as const;

/**
 * The plain fields of a customer: every field of `CustomerFormSchema` without a rule of its own. Each is stored in the
 * column of its name as the contract parsed it (`null` when not given or blank), returned under its name by
 * `CustomerSchema`, set by an edit that sends it and cleared by one that sends it empty. A field added to the three
 * schemas is one of them: the server and the mocks handle it with nothing to add to their code.
 */
export type PlainCustomerField = Exclude<keyof CustomerFormFields, (typeof RULED_FIELDS)[number]>;

const isPlain = (key: string): key is PlainCustomerField => !(RULED_FIELDS as readonly string[]).includes(key);

/**
 * {@link PlainCustomerField}, in the order of the create form. Typed so that a plain field missing from
 * `CustomerSchema` or `CustomerUpdateFormSchema` fails to compile here.
 */
export const PLAIN_CUSTOMER_FIELDS: readonly (PlainCustomerField & keyof Customer & keyof CustomerUpdateFields)[] =
  Object.keys(CustomerFormSchema.shape).filter(isPlain);

/** `T` with every optional field present, `null` where it was absent. */
export type Present<T> = { [K in keyof T]-?: undefined extends T[K] ? Exclude<T[K], undefined> | null : T[K] };

/** The plain fields of a customer as stored: each present, `null` when not set. */
export type PlainCustomerValues = Present<Pick<CustomerFormFields, PlainCustomerField>>;

/**
 * A new customer's fields once checked, as both implementations store them: the phone number in E.164, an existing
 * status, the conversation language defaulted (`uz`), every plain field present (`null`: not given), and the recall
 * time as a `TInstant` (a `Date` on the server, milliseconds since the epoch in the mocks).
 */
export type NewCustomerValues<TInstant> = Pick<
  IntakeFields,
  'full_name' | 'platform' | 'phone_number' | 'status' | 'conversation_language'
> &
  PlainCustomerValues & { recall_time: TInstant | null };

/**
 * The plain fields of a new customer (create form, intake, fixtures): each as given, `null` when absent, `null` or
 * blank (the intake's `notes` may be empty).
 */
export function plainValuesOf(
  fields: { [K in PlainCustomerField]?: CustomerFormFields[K] | null },
): PlainCustomerValues {
  const values: Record<string, unknown> = {};
  for (const field of PLAIN_CUSTOMER_FIELDS) {
    const value = fields[field];
    values[field] = value === undefined || value === '' ? null : value;
  }
  return values as PlainCustomerValues;
}

/**
 * The plain fields an edit sets: those it sent, `null` for one it sent empty (cleared); the absent ones are left out
 * (unchanged).
 */
export function plainChangesOf(fields: CustomerUpdateFields): Partial<PlainCustomerValues> {
  const changes: Record<string, unknown> = {};
  for (const field of PLAIN_CUSTOMER_FIELDS) {
    const value = fields[field];
    if (value !== undefined) changes[field] = value;
  }
  return changes as Partial<PlainCustomerValues>;
}
