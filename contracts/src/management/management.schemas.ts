import { z } from 'zod';
import { IdSchema, TimestampSchema } from '../shared/shared.schemas.js';

/** A key such as a page or role name: trimmed, lower-cased, spaces as underscores (`Sales CRM` → `sales_crm`). */
export const KeySchema = z
  .string()
  .transform((value) => value.trim().toLowerCase().replace(/\s+/g, '_'))
  .pipe(
    z
      .string()
      .min(1, 'Should not be empty')
      .max(100)
      .regex(/^[a-z0-9_-]+$/, 'Use letters, digits, "_" and "-"'),
  );

const DisplayNameSchema = z.string().trim().min(1, 'Should not be empty').max(255);
const DescriptionSchema = z.string().trim().max(2000);
/** A route path of the frontend; a missing leading `/` is added, blank means none. */
const RoutePathSchema = z
  .string()
  .trim()
  .transform((value) => (value === '' ? null : value.startsWith('/') ? value : `/${value}`))
  // Checked after the `/` is added, so the stored value fits.
  .pipe(z.string().max(255).nullable());

/** A position in a list: a 32-bit integer, as the column stores it. */
const OrderSchema = z.number().int().min(-2_147_483_648).max(2_147_483_647);

/** The success body of the legacy management and administration routes. */
export const MessageSchema = z.object({ message: z.string() }).describe('The request succeeded.');

/** A page of the application: the unit of page permissions. */
export const PageSchema = z
  .object({
    id: IdSchema,
    name: z.string().describe('The permission key, e.g. `crm`. Immutable.'),
    display_name: z.string(),
    description: z.string().nullable(),
    route_path: z.string().nullable(),
    order: z.number().int(),
    is_active: z.boolean(),
    is_system: z.boolean().describe('Built-in pages cannot be deleted.'),
    created_at: TimestampSchema,
    updated_at: TimestampSchema,
  })
  .describe('A page of the application.');

export const CreatePageSchema = z.object({
  name: KeySchema,
  display_name: DisplayNameSchema,
  description: DescriptionSchema.optional(),
  route_path: RoutePathSchema.optional(),
  order: OrderSchema.default(0),
  is_active: z.boolean().default(true),
});

export const UpdatePageSchema = z.object({
  display_name: DisplayNameSchema.optional(),
  description: DescriptionSchema.nullable().optional().describe('`null` clears it.'),
  route_path: RoutePathSchema.nullable().optional().describe('`null` clears it.'),
  order: OrderSchema.optional(),
  is_active: z.boolean().optional(),
});

/** A role as managed on the Management page. The six built-in roles are system roles. */
export const ManagedRoleSchema = z
  .object({
    id: IdSchema,
    name: z.string().describe('The key. Built-in roles use the role names (`CEO`, `SalesManager`, …).'),
    display_name: z.string(),
    description: z.string().nullable(),
    is_active: z.boolean(),
    is_system: z.boolean(),
    created_at: TimestampSchema,
    updated_at: TimestampSchema,
  })
  .describe('A role.');

export const CreateRoleSchema = z.object({
  name: KeySchema,
  display_name: DisplayNameSchema,
  description: DescriptionSchema.optional(),
  is_active: z.boolean().default(true),
});

export const UpdateRoleSchema = z.object({
  display_name: DisplayNameSchema.optional(),
  description: DescriptionSchema.nullable().optional(),
  is_active: z.boolean().optional(),
});

export type Page = z.infer<typeof PageSchema>;
export type ManagedRole = z.infer<typeof ManagedRoleSchema>;
export type CreatePageInput = z.infer<typeof CreatePageSchema>;
export type UpdatePageInput = z.infer<typeof UpdatePageSchema>;
export type CreateRoleInput = z.infer<typeof CreateRoleSchema>;
export type UpdateRoleInput = z.infer<typeof UpdateRoleSchema>;
