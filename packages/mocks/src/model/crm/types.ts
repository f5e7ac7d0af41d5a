import type { AssignedManagerSchema, ManagerRefSchema, ValidationIssue } from '@cims/contracts';
import type { BusinessTime, CustomerFormFields, NewCustomerValues, PlainCustomerField } from '@cims/contracts/rules';
import type { CountryCode } from 'libphonenumber-js';
import type { z } from 'zod';
import type { MockAssignment, MockCustomer, MockNote, MockUser } from '../../state.js';
import type { UrlSigner } from '../signed-urls.js';

// The types and pure helpers of the CRM model, shared by its topic files.

/** What the CRM model needs from its mock API. */
export interface CrmModelOptions {
  now: () => number;
  time: BusinessTime;
  signer: UrlSigner;
  /** The region of phone numbers typed without a country code (the server's `DEFAULT_PHONE_REGION`). */
  defaultPhoneRegion: CountryCode;
  /** Whether intake customers are auto-assigned like UI-created ones (the server's `CRM_INTAKE_AUTO_ASSIGN`). */
  intakeAutoAssign: boolean;
}

/**
 * A customer as QA adds it directly (`mocks.crm.addCustomer`): the create form's fields as the contract parses them,
 * checked the same way; its plain fields and `recall_time` may also be `null`. `status` defaults to `need_to_call`,
 * `conversation_language` to `uz`; `recall_time` is ISO-8601 (without an offset, in the business time zone).
 */
export type MockCustomerInput = Omit<CustomerFormFields, 'customer_status' | PlainCustomerField | 'recall_time'> & {
  [K in PlainCustomerField]?: CustomerFormFields[K] | null;
} & {
  recall_time?: string | null;
  /** When it was created, in milliseconds since the epoch. @default now */
  created_at?: number;
  /** The e-mail address of the creator. @default none (like the intake API) */
  created_by?: string;
  /** Auto-assign it like `POST /crm/customers` does. @default true */
  autoAssign?: boolean;
};

export type ManagerRef = z.infer<typeof ManagerRefSchema>;
export type AssignedManager = z.infer<typeof AssignedManagerSchema>;

/** The fields a customer is written with (the contract's `NewCustomerValues`, times in milliseconds). */
export type CustomerFields = NewCustomerValues<number>;

/** A recording checked and read, ready to be stored. */
export interface ReadRecording {
  blob: Blob;
  mediaType: string;
  extension: string;
}

/** A 422 issue about a body field. */
export function issue(field: string, msg: string): ValidationIssue {
  return { loc: ['body', field], msg, type: 'value_error' };
}

/** Compares lists of strings, element by element. */
export function compare(a: string[], b: string[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Newest first, then by id. */
export const byNewest = (a: MockCustomer, b: MockCustomer) => b.created_at - a.created_at || b.id - a.id;

/** `name surname`, as the CRM shows people. */
export const fullName = (user: MockUser) => `${user.name} ${user.surname}`.trim();

/** Lookups built once per served list instead of once per customer. */
export interface Indexes {
  notes: Map<number, MockNote[]>;
  assignments: Map<number, MockAssignment>;
}
