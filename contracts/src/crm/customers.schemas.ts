import { z } from 'zod';
import { DAY_RANGE_MESSAGE, isAcceptedDay, isValidDateTimeText } from '../shared/input-rules.js';
import type { Named } from '../shared/named.js';
import type { FilePart } from '../shared/route-meta.js';
import { IdSchema, OffsetSchema, QueryBooleanSchema, TimestampSchema } from '../shared/shared.schemas.js';
import { DEFAULT_CUSTOMER_STATUS, StatusCategorySchema } from './statuses.schemas.js';

/**
 * Where a lead came from. Input is read case-insensitively with spaces and hyphens as underscores, so the legacy
 * client's title-cased `Telegram Bot` is `telegram_bot`; anything else is a 422 listing these.
 */
export const PLATFORMS = [
  'instagram',
  'telegram',
  'telegram_bot',
  'facebook',
  'whatsapp',
  'tiktok',
  'youtube',
  'linkedin',
  'website',
  'phone_call',
  'email',
  'referral',
  'walk_in',
  'other',
] as const;
export type Platform = (typeof PLATFORMS)[number];

/** Local or international customer. */
export const CUSTOMER_TYPES = ['local', 'international'] as const;
export type CustomerType = (typeof CUSTOMER_TYPES)[number];

/** The language of the conversation with the customer. */
export const LANGUAGES = ['uz', 'ru', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/** How urgent a lead looks, from its notes (see `priority_reason`). */
export const PRIORITY_LEVELS = ['critical', 'high', 'medium', 'low'] as const;
export type PriorityLevel = (typeof PRIORITY_LEVELS)[number];

/** A value of `values`, read case-insensitively (and with `normalize` applied first). */
function caseInsensitiveEnum<const T extends readonly [string, ...string[]]>(
  values: T,
  normalize: (value: string) => string = (value) => value,
) {
  return z
    .string()
    .transform((value, ctx) => {
      const key = normalize(value.trim().toLowerCase());
      if ((values as readonly string[]).includes(key)) return key as T[number];
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: `Input should be one of ${values.map((v) => `'${v}'`).join(', ')}`,
        params: { allowed: values },
      });
      return z.NEVER;
    })
    .describe(`One of ${values.map((v) => `\`${v}\``).join(', ')} (any case).`);
}

export const PlatformSchema = caseInsensitiveEnum(PLATFORMS, (value) => value.replace(/[\s-]+/g, '_'));
export const CustomerTypeSchema = caseInsensitiveEnum(CUSTOMER_TYPES);
export const LanguageSchema = caseInsensitiveEnum(LANGUAGES);
export const PriorityLevelSchema = caseInsensitiveEnum(PRIORITY_LEVELS);

/**
 * A status name as a customer form sends it: a dynamic status or one of the six legacy values. Checked against the
 * active statuses by the server (422 listing them when unknown).
 */
export const StatusNameSchema = z.string().trim().min(1, 'Should not be empty').max(100);

/** A phone number as typed; the server normalises it to E.164 (default region: the business's) or answers 422. */
export const PhoneSchema = z
  .string()
  .trim()
  .min(1, 'Should not be empty')
  .max(32)
  .regex(/^[+\d\s().-]+$/, 'Input should be a phone number');

/**
 * A moment as ISO-8601: `2026-03-03T09:53:00+05:00`, `…Z`, or without an offset (then read in the business time
 * zone, `BUSINESS_TIMEZONE`). The day must exist and lie in 1970–2999; the server also checks the instant itself
 * against `INSTANT_RANGE` once the zone is known.
 */
export const LocalDateTimeSchema = z
  .string()
  .trim()
  .regex(
    /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?$/i,
    'Input should be an ISO-8601 date-time, e.g. 2026-03-03T09:53:00+05:00',
  )
  .refine(isValidDateTimeText, 'Input should be a valid date-time from 1970 to 2999')
  .describe('ISO-8601 date-time from 1970 to 2999; without an offset it is read in the business time zone.');

/** A calendar day, `YYYY-MM-DD`, in the business time zone: a day that exists, from 1970-01-01 to 2999-12-31. */
export const DateSchema = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Input should be a date as YYYY-MM-DD')
  .refine(isAcceptedDay, DAY_RANGE_MESSAGE)
  .describe('A day as `YYYY-MM-DD` (business time zone), from 1970-01-01 to 2999-12-31.');

/** A text field of a form: trimmed; on create an empty value means "not given". */
const text = (max: number) => z.string().trim().max(max);
/**
 * A form field where a blank value means "not given". Typed as the field itself: a zod preprocess would type the
 * input as `unknown` and take type checking away from SDK callers.
 */
const blankToUndefined = <T extends z.ZodTypeAny>(schema: T) =>
  z.preprocess(
    (value) => (typeof value === 'string' && value.trim() === '' ? undefined : value),
    schema.optional(),
  ) as unknown as z.ZodOptional<T>;
/** On update an empty value clears an optional field (`null`); absent leaves it as is. */
const blankToNull = <T extends z.ZodTypeAny>(schema: T) =>
  z.preprocess(
    (value) => (typeof value === 'string' && value.trim() === '' ? null : value),
    schema.nullable().optional(),
  ) as unknown as z.ZodOptional<z.ZodNullable<T>>;

/** A customer's name on input: 1 to 255 characters. */
export const FullNameSchema = text(255).min(1, 'Should not be empty');
const UsernameSchema = text(255);
const AssistantSchema = text(255);
const NotesSchema = text(10_000);
const ChatUrlSchema = text(1000);

/**
 * `customer_status`, the legacy client's name for `status` in customer forms: both are documented as optional fields,
 * which every client generator types correctly, rather than as a choice between two object shapes.
 */
const CustomerStatusAliasSchema = blankToUndefined(StatusNameSchema).describe(
  'Another name for `status`, as the legacy client sends it. Send either; when both are sent they must name the same status (else 422).',
);

/** The file part `audio` of customer forms. */
export const CUSTOMER_AUDIO: FilePart = {
  required: false,
  description: 'A call recording. MP3, OGG/Opus, WAV, M4A/AAC, FLAC or WebM; the content is checked, not the name.',
  mediaTypes: [
    'audio/mpeg',
    'audio/ogg',
    'audio/wav',
    'audio/x-wav',
    'audio/mp4',
    'audio/x-m4a',
    'audio/aac',
    'audio/flac',
    'audio/webm',
    'application/octet-stream',
  ],
  maxBytes: 25 * 1024 * 1024,
};

const customerFormSchema = z.object({
  full_name: FullNameSchema,
  platform: PlatformSchema,
  phone_number: PhoneSchema,
  status: blankToUndefined(StatusNameSchema).describe(
    `The customer's status (a status name, any case); \`customer_status\` is another name for it. Default \`${DEFAULT_CUSTOMER_STATUS}\` when neither is sent.`,
  ),
  customer_status: CustomerStatusAliasSchema,
  username: blankToUndefined(UsernameSchema),
  assistant_name: blankToUndefined(AssistantSchema),
  notes: blankToUndefined(NotesSchema),
  chat_url: blankToUndefined(ChatUrlSchema),
  conversation_language: blankToUndefined(LanguageSchema).describe('Default `uz`; any case, stored lower case.'),
  customer_type: blankToUndefined(CustomerTypeSchema),
  recall_time: blankToUndefined(LocalDateTimeSchema),
});
export interface CustomerFormSchema extends Named<typeof customerFormSchema> {}
/**
 * The text fields of `POST /crm/customers` (multipart, or urlencoded without a file), as the legacy client sends them.
 * `customer_status` is accepted as another name for `status`; without either the customer gets
 * `DEFAULT_CUSTOMER_STATUS` (`need_to_call`).
 */
export const CustomerFormSchema: CustomerFormSchema = customerFormSchema;
export type CustomerForm = z.input<typeof CustomerFormSchema>;

const customerUpdateFormSchema = z.object({
  full_name: text(500)
    .min(1, 'Should not be empty')
    .optional()
    .describe('Up to 255 characters; the stored name sent back is kept.'),
  platform: text(255)
    .min(1, 'Should not be empty')
    .optional()
    .describe(
      `One of the platforms (${PLATFORMS.join(', ')}, any case); the stored platform sent back is kept as it is.`,
    ),
  phone_number: text(500)
    .min(1, 'Should not be empty')
    .optional()
    .describe('A phone number; the stored one sent back is kept.'),
  status: blankToUndefined(StatusNameSchema).describe(
    'The new status (a status name, any case); `customer_status` is another name for it. Neither sent: unchanged.',
  ),
  customer_status: CustomerStatusAliasSchema,
  username: blankToNull(UsernameSchema),
  assistant_name: blankToNull(AssistantSchema),
  notes: blankToNull(NotesSchema),
  chat_url: blankToNull(ChatUrlSchema),
  conversation_language: blankToUndefined(LanguageSchema),
  customer_type: blankToNull(CustomerTypeSchema),
  recall_time: blankToNull(LocalDateTimeSchema),
  clear_recall_time: QueryBooleanSchema.optional().describe('`true` removes the recall time.'),
});
export interface CustomerUpdateFormSchema extends Named<typeof customerUpdateFormSchema> {}
/**
 * The text fields of `PUT`/`PATCH /crm/customers/{id}` (both behave the same): an absent field stays, an empty one
 * clears an optional field. `status` and `customer_status` are the same field. `clear_recall_time=true` wins over
 * `recall_time`.
 */
export const CustomerUpdateFormSchema: CustomerUpdateFormSchema = customerUpdateFormSchema;
export type CustomerUpdateForm = z.input<typeof CustomerUpdateFormSchema>;

const intakeCustomerSchema = z.object({
  full_name: FullNameSchema,
  platform: PlatformSchema,
  phone_number: PhoneSchema,
  status: StatusNameSchema.default(DEFAULT_CUSTOMER_STATUS),
  username: UsernameSchema.min(1).optional(),
  assistant_name: AssistantSchema.min(1).optional(),
  notes: NotesSchema.optional(),
  chat_url: ChatUrlSchema.min(1).optional(),
  conversation_language: LanguageSchema.default('uz'),
  customer_type: CustomerTypeSchema.optional(),
  recall_time: LocalDateTimeSchema.optional(),
});
export interface IntakeCustomerSchema extends Named<typeof intakeCustomerSchema> {}
/** The JSON body of the external intake `POST /crm/api/customers`. */
export const IntakeCustomerSchema: IntakeCustomerSchema = intakeCustomerSchema;
export type IntakeCustomerInput = z.input<typeof IntakeCustomerSchema>;

const customerNoteSchema = z
  .object({
    id: IdSchema,
    customer_id: IdSchema,
    note: z.string(),
    created_by: IdSchema.nullable().describe('The author; `null` once the author’s account is deleted.'),
    created_by_full_name: z.string().nullable().describe('"Name Surname" of the author.'),
    created_at: TimestampSchema,
    updated_at: TimestampSchema,
  })
  .describe('A note on a customer.');
export interface CustomerNoteSchema extends Named<typeof customerNoteSchema> {}
/** A note on a customer. */
export const CustomerNoteSchema: CustomerNoteSchema = customerNoteSchema;
export type CustomerNote = z.infer<typeof CustomerNoteSchema>;

const noteInputSchema = z.object({
  note: z.string().trim().min(1, 'Should not be empty').max(10_000),
});
export interface NoteInputSchema extends Named<typeof noteInputSchema> {}
export const NoteInputSchema: NoteInputSchema = noteInputSchema;
export type NoteInput = z.input<typeof NoteInputSchema>;

const customerNotesSchema = z.object({
  customer_id: IdSchema,
  items: z.array(CustomerNoteSchema).describe('Oldest first.'),
  total_count: z.number().int().min(0),
});
export interface CustomerNotesSchema extends Named<typeof customerNotesSchema> {}
export const CustomerNotesSchema: CustomerNotesSchema = customerNotesSchema;

const assignedManagerSchema = z.object({
  id: IdSchema,
  name: z.string(),
  surname: z.string(),
});
export interface AssignedManagerSchema extends Named<typeof assignedManagerSchema> {}
/** The sales manager a customer is assigned to. */
export const AssignedManagerSchema: AssignedManagerSchema = assignedManagerSchema;

const customerSchema = z
  .object({
    id: IdSchema,
    full_name: z.string(),
    platform: z.string().describe('A platform key, e.g. `telegram_bot`.'),
    username: z.string().nullable(),
    phone_number: z.string().describe('E.164 where the number could be parsed, e.g. `+998901234567`.'),
    status: z.string().describe('The status name; never null.'),
    status_label: z.string().describe('The status’s display name.'),
    status_category: StatusCategorySchema,
    customer_type: z.enum(CUSTOMER_TYPES).nullable(),
    assistant_name: z.string().nullable(),
    chat_url: z.string().nullable(),
    notes: z.string().nullable(),
    aisummary: z.string().nullable().describe('A short summary of the notes.'),
    importance_score: z.number().int().min(0).max(100).nullable(),
    priority_score: z.number().int().min(0).max(100).nullable(),
    priority_level: z.enum(PRIORITY_LEVELS).nullable(),
    priority_reason: z.string().nullable(),
    industry: z.string().nullable(),
    business_age_years: z.number().int().nullable(),
    audio_file_id: z.string().nullable(),
    audio_url: z
      .string()
      .nullable()
      .describe(
        'A relative URL on this server that plays the recording without an Authorization header for a short time ' +
          '(`?expires=…&sig=…`); `null` without audio.',
      ),
    recall_time: TimestampSchema.nullable(),
    conversation_language: z.enum(LANGUAGES),
    sales_manager: AssignedManagerSchema.nullable(),
    created_at: TimestampSchema,
    updated_at: TimestampSchema,
    is_archived: z.boolean(),
    archived_at: TimestampSchema.nullable(),
  })
  .describe('A customer (lead).');
export interface CustomerSchema extends Named<typeof customerSchema> {}
/** A customer (lead). Every key is always present; unset ones are `null`. */
export const CustomerSchema: CustomerSchema = customerSchema;
export type Customer = z.infer<typeof CustomerSchema>;

const customerDetailSchema = CustomerSchema.extend({
  additional_notes: z.array(CustomerNoteSchema).describe('Oldest first.'),
}).describe('A customer with its notes.');
export interface CustomerDetailSchema extends Named<typeof customerDetailSchema> {}
/** A customer with its notes (`GET /crm/detail/{id}`). */
export const CustomerDetailSchema: CustomerDetailSchema = customerDetailSchema;
export type CustomerDetail = z.infer<typeof CustomerDetailSchema>;

const statusChangeSchema = z.object({
  id: IdSchema,
  customer_id: IdSchema,
  from_status: z.string().nullable().describe('`null` for the status a customer was created with.'),
  to_status: z.string(),
  changed_by: IdSchema.nullable().describe('`null` for the intake API or a deleted account.'),
  changed_by_full_name: z.string().nullable(),
  changed_at: TimestampSchema,
});
export interface StatusChangeSchema extends Named<typeof statusChangeSchema> {}
/** One recorded status change. */
export const StatusChangeSchema: StatusChangeSchema = statusChangeSchema;
export type StatusChange = z.infer<typeof StatusChangeSchema>;

const createdCustomerSchema = z.object({
  message: z.string(),
  id: IdSchema,
  sales_manager_id: IdSchema.nullable().describe('Who the customer was assigned to, if anyone.'),
});
export interface CreatedCustomerSchema extends Named<typeof createdCustomerSchema> {}
export const CreatedCustomerSchema: CreatedCustomerSchema = createdCustomerSchema;

const bulkIdsSchema = z.object({
  customer_ids: z.array(IdSchema).min(1, 'The list is empty').max(1000),
});
export interface BulkIdsSchema extends Named<typeof bulkIdsSchema> {}
export const BulkIdsSchema: BulkIdsSchema = bulkIdsSchema;
export type BulkIdsInput = z.input<typeof BulkIdsSchema>;

const bulkResultSchema = z.object({
  message: z.string(),
  count: z.number().int().min(0).describe('Customers changed; unknown ids are skipped.'),
});
export interface BulkResultSchema extends Named<typeof bulkResultSchema> {}
export const BulkResultSchema: BulkResultSchema = bulkResultSchema;

const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(500).describe('At most this many, newest first.'),
  offset: OffsetSchema.default(0),
});
export interface ListQuerySchema extends Named<typeof listQuerySchema> {}
/** `limit` and `offset` of the plain list routes. */
export const ListQuerySchema: ListQuerySchema = listQuerySchema;
