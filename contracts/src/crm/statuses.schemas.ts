import { z } from 'zod';
import { ApiErrorSchema } from '../errors/error.schemas.js';
import { KeySchema } from '../management/management.schemas.js';
import type { Named } from '../shared/named.js';
import { IdSchema, TimestampSchema } from '../shared/shared.schemas.js';

/**
 * The six statuses of the legacy enum. They are built-in (system) statuses, so old clients and old data map one to
 * one; they can be relabelled, recoloured, reordered and deactivated, never deleted.
 */
export const LEGACY_STATUSES = [
  'contacted',
  'project_started',
  'continuing',
  'finished',
  'rejected',
  'need_to_call',
] as const;
export type LegacyStatus = (typeof LEGACY_STATUSES)[number];

/**
 * The status a new customer gets when none is sent (neither `status` nor `customer_status`): the legacy API's default,
 * which the legacy client's form also pre-selects. Used by the form create and the intake API alike.
 */
export const DEFAULT_CUSTOMER_STATUS = 'need_to_call' satisfies LegacyStatus;

/** Where a status sits in the pipeline, for analytics: still open, won, or lost. */
export const STATUS_CATEGORIES = ['open', 'won', 'lost'] as const;
export const StatusCategorySchema = z.enum(STATUS_CATEGORIES).describe('`open`, `won` or `lost`.');
export type StatusCategory = z.infer<typeof StatusCategorySchema>;

/** The statuses a new database starts with (the legacy defaults, with a pipeline category each). */
export const DEFAULT_STATUSES = [
  {
    name: 'contacted',
    display_name: 'Contacted',
    description: 'Initial contact made',
    color: '#3B82F6',
    order: 1,
    category: 'open',
  },
  {
    name: 'project_started',
    display_name: 'Project Started',
    description: 'Project has started',
    color: '#10B981',
    order: 2,
    category: 'won',
  },
  {
    name: 'continuing',
    display_name: 'Continuing',
    description: 'Project is continuing',
    color: '#F59E0B',
    order: 3,
    category: 'won',
  },
  {
    name: 'finished',
    display_name: 'Finished',
    description: 'Project completed',
    color: '#8B5CF6',
    order: 4,
    category: 'won',
  },
  {
    name: 'rejected',
    display_name: 'Rejected',
    description: 'Lead rejected',
    color: '#EF4444',
    order: 5,
    category: 'lost',
  },
  {
    name: 'need_to_call',
    display_name: 'Need to Call',
    description: 'Follow-up call needed',
    color: '#F97316',
    order: 6,
    category: 'open',
  },
] as const satisfies ReadonlyArray<{
  name: LegacyStatus;
  display_name: string;
  description: string;
  color: string;
  order: number;
  category: StatusCategory;
}>;

/** A CSS colour as `#RRGGBB` (stored upper-case). */
export const ColorSchema = z
  .string()
  .trim()
  .regex(/^#[0-9a-fA-F]{6}$/, 'Input should be a colour like #3B82F6')
  .transform((value) => value.toUpperCase());

const DisplayNameSchema = z.string().trim().min(1, 'Should not be empty').max(255);
const DescriptionSchema = z.string().trim().max(2000);
const OrderSchema = z.number().int().min(0).max(1_000_000);

const customerStatusSchema = z
  .object({
    id: IdSchema,
    name: z.string().describe('The value customers carry, e.g. `need_to_call`. Immutable.'),
    display_name: z.string().describe('The label. Renaming a status changes only this.'),
    description: z.string().nullable(),
    color: z.string().nullable().describe('`#RRGGBB`.'),
    order: z.number().int().describe('Position in pickers and charts; statuses come sorted by it.'),
    category: StatusCategorySchema,
    is_active: z.boolean().describe('Inactive statuses are hidden from pickers; customers keep them.'),
    is_system: z.boolean().describe('The six legacy statuses: they cannot be deleted.'),
    created_at: TimestampSchema,
    updated_at: TimestampSchema,
  })
  .describe('A customer status.');
export interface CustomerStatusSchema extends Named<typeof customerStatusSchema> {}
/** A customer status as the Management page edits it. */
export const CustomerStatusSchema: CustomerStatusSchema = customerStatusSchema;
export type CustomerStatus = z.infer<typeof CustomerStatusSchema>;

const createStatusSchema = z.object({
  name: KeySchema.describe('Trimmed, lower-cased, spaces as underscores. Immutable once created.'),
  display_name: DisplayNameSchema,
  description: DescriptionSchema.optional(),
  color: ColorSchema.optional(),
  order: OrderSchema.optional().describe('Defaults to after the last status.'),
  category: StatusCategorySchema.default('open'),
  is_active: z.boolean().default(true),
});
export interface CreateStatusSchema extends Named<typeof createStatusSchema> {}
export const CreateStatusSchema: CreateStatusSchema = createStatusSchema;
export type CreateStatusInput = z.input<typeof CreateStatusSchema>;

const updateStatusSchema = z.object({
  display_name: DisplayNameSchema.optional(),
  description: DescriptionSchema.nullable().optional().describe('`null` clears it.'),
  color: ColorSchema.nullable().optional().describe('`null` clears it.'),
  order: OrderSchema.optional(),
  category: StatusCategorySchema.optional(),
  is_active: z.boolean().optional(),
});
export interface UpdateStatusSchema extends Named<typeof updateStatusSchema> {}
export const UpdateStatusSchema: UpdateStatusSchema = updateStatusSchema;
export type UpdateStatusInput = z.input<typeof UpdateStatusSchema>;

const reorderStatusesSchema = z.object({
  ids: z
    .array(IdSchema)
    .min(1)
    .max(1000)
    .describe('Every status id, each once, in the new order. Applied atomically; positions become 1, 2, 3, …'),
});
export interface ReorderStatusesSchema extends Named<typeof reorderStatusesSchema> {}
export const ReorderStatusesSchema: ReorderStatusesSchema = reorderStatusesSchema;
export type ReorderStatusesInput = z.input<typeof ReorderStatusesSchema>;

const deleteStatusQuerySchema = z.object({
  reassign_to: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .describe('Move the customers that use the status to this one (by name), in the same transaction.'),
});
export interface DeleteStatusQuerySchema extends Named<typeof deleteStatusQuerySchema> {}
export const DeleteStatusQuerySchema: DeleteStatusQuerySchema = deleteStatusQuerySchema;

const statusInUseErrorSchema = ApiErrorSchema.extend({
  in_use_count: z.number().int().min(1).describe('How many customers (archived included) use the status.'),
}).describe('The status is in use; send `reassign_to` to move its customers first.');
export interface StatusInUseErrorSchema extends Named<typeof statusInUseErrorSchema> {}
/** The 409 of deleting a status that customers still use. */
export const StatusInUseErrorSchema: StatusInUseErrorSchema = statusInUseErrorSchema;

const deletedStatusSchema = z.object({
  message: z.string(),
  reassigned_count: z.number().int().min(0).describe('Customers moved to `reassign_to`.'),
});
export interface DeletedStatusSchema extends Named<typeof deletedStatusSchema> {}
export const DeletedStatusSchema: DeletedStatusSchema = deletedStatusSchema;

const dynamicStatusSchema = z
  .object({
    value: z.string().describe('The status name customers carry.'),
    label: z.string(),
    color: z.string().nullable(),
    order: z.number().int(),
    description: z.string().nullable(),
    category: StatusCategorySchema,
  })
  .describe('An active status for pickers.');
export interface DynamicStatusSchema extends Named<typeof dynamicStatusSchema> {}
/** An active status as the CRM's pickers use it (`GET /crm/statuses/dynamic`). */
export const DynamicStatusSchema: DynamicStatusSchema = dynamicStatusSchema;
export type DynamicStatus = z.infer<typeof DynamicStatusSchema>;
