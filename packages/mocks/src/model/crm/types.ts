import type {
  AssignedManagerSchema,
  CustomerFormSchema,
  CustomerType,
  CustomerUpdateFormSchema,
  IntakeCustomerSchema,
  Language,
  ManagerRefSchema,
  Platform,
  ValidationIssue,
} from '@cims/contracts';
import type { BusinessTime } from '@cims/contracts/rules';
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

/** The text fields of `POST /crm/customers`, as the contract parsed them. */
export type CustomerFormFields = z.output<typeof CustomerFormSchema>;
/** The text fields of `PUT`/`PATCH /crm/customers/:id`, as the contract parsed them. */
export type CustomerUpdateFields = z.output<typeof CustomerUpdateFormSchema>;
/** The JSON body of `POST /crm/api/customers`, as the contract parsed it. */
export type IntakeFields = z.output<typeof IntakeCustomerSchema>;

/** A customer as QA adds it directly (`mocks.crm.addCustomer`): the form's fields, checked the same way. */
export interface MockCustomerInput {
  full_name: string;
  platform: Platform;
  phone_number: string;
  /** @default 'need_to_call' */
  status?: string;
  username?: string | null;
  assistant_name?: string | null;
  notes?: string | null;
  chat_url?: string | null;
  customer_type?: CustomerType | null;
  /** @default 'uz' */
  conversation_language?: Language;
  /** ISO-8601; without an offset, in the business time zone. */
  recall_time?: string | null;
  /** When it was created, in milliseconds since the epoch. @default now */
  created_at?: number;
  /** The e-mail address of the creator. @default none (like the intake API) */
  created_by?: string;
  /** Auto-assign it like `POST /crm/customers` does. @default true */
  autoAssign?: boolean;
}

export type ManagerRef = z.infer<typeof ManagerRefSchema>;
export type AssignedManager = z.infer<typeof AssignedManagerSchema>;

/** The fields a customer is written with. */
export interface CustomerFields {
  full_name: string;
  platform: Platform;
  phone_number: string;
  status: string;
  username: string | null;
  assistant_name: string | null;
  notes: string | null;
  chat_url: string | null;
  customer_type: CustomerType | null;
  conversation_language: Language;
  recall_time: number | null;
}

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
