import { z } from 'zod';
import type { Named } from '../shared/named.js';
import { IdSchema, TimestampSchema } from '../shared/shared.schemas.js';

/**
 * Keys no page, role or status may have: objects keyed by names (a status's counts, a role's pages) treat them
 * specially, in the server, the SDK's validators and every client (`__proto__` sets the prototype; valibot's records
 * drop `constructor` and `prototype`).
 */
const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** A key such as a page or role name: trimmed, lower-cased, spaces as underscores (`Sales CRM` → `sales_crm`). */
export const KeySchema = z
  .string()
  .transform((value) => value.trim().toLowerCase().replace(/\s+/g, '_'))
  .pipe(
    z
      .string()
      .min(1, 'Should not be empty')
      .max(100)
      .regex(/^[a-z0-9_-]+$/, 'Use letters, digits, "_" and "-"')
      .refine((key) => !RESERVED_KEYS.has(key), 'This name is reserved'),
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

const messageSchema = z.object({ message: z.string() }).describe('The request succeeded.');
export interface MessageSchema extends Named<typeof messageSchema> {}
/** The success body of the legacy management and administration routes. */
export const MessageSchema: MessageSchema = messageSchema;

const pageSchema = z
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
export interface PageSchema extends Named<typeof pageSchema> {}
/** A page of the application: the unit of page permissions. */
export const PageSchema: PageSchema = pageSchema;

const createPageSchema = z.object({
  name: KeySchema,
  display_name: DisplayNameSchema,
  description: DescriptionSchema.optional(),
  route_path: RoutePathSchema.optional(),
  order: OrderSchema.default(0),
  is_active: z.boolean().default(true),
});
export interface CreatePageSchema extends Named<typeof createPageSchema> {}
export const CreatePageSchema: CreatePageSchema = createPageSchema;

const updatePageSchema = z.object({
  display_name: DisplayNameSchema.optional(),
  description: DescriptionSchema.nullable().optional().describe('`null` clears it.'),
  route_path: RoutePathSchema.nullable().optional().describe('`null` clears it.'),
  order: OrderSchema.optional(),
  is_active: z.boolean().optional(),
});
export interface UpdatePageSchema extends Named<typeof updatePageSchema> {}
export const UpdatePageSchema: UpdatePageSchema = updatePageSchema;

const managedRoleSchema = z
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
export interface ManagedRoleSchema extends Named<typeof managedRoleSchema> {}
/** A role as managed on the Management page. The six built-in roles are system roles. */
export const ManagedRoleSchema: ManagedRoleSchema = managedRoleSchema;

const createRoleSchema = z.object({
  name: KeySchema,
  display_name: DisplayNameSchema,
  description: DescriptionSchema.optional(),
  is_active: z.boolean().default(true),
});
export interface CreateRoleSchema extends Named<typeof createRoleSchema> {}
export const CreateRoleSchema: CreateRoleSchema = createRoleSchema;

const updateRoleSchema = z.object({
  display_name: DisplayNameSchema.optional(),
  description: DescriptionSchema.nullable().optional(),
  is_active: z.boolean().optional(),
});
export interface UpdateRoleSchema extends Named<typeof updateRoleSchema> {}
export const UpdateRoleSchema: UpdateRoleSchema = updateRoleSchema;

export type Page = z.infer<typeof PageSchema>;
export type ManagedRole = z.infer<typeof ManagedRoleSchema>;
export type CreatePageInput = z.infer<typeof CreatePageSchema>;
export type UpdatePageInput = z.infer<typeof UpdatePageSchema>;
export type CreateRoleInput = z.infer<typeof CreateRoleSchema>;
export type UpdateRoleInput = z.infer<typeof UpdateRoleSchema>;
