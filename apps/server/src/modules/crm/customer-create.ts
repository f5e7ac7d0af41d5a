import { DEFAULT_CUSTOMER_STATUS, leadInsights, type ValidationIssue } from '@cims/contracts';
import {
  agreedStatus,
  CRM_MESSAGES,
  type CustomerFormFields,
  type IntakeFields,
  type NewCustomerValues,
  nextSalesManager,
  type PlainCustomerField,
  plainValuesOf,
} from '@cims/contracts/rules';
import type { EntityManager } from '@mikro-orm/postgresql';
import { asInt, query, transaction } from '../../db/sql.js';
import { isForeignKeyViolation } from '../../db/writes.js';
import { ValidationError } from '../../errors.js';
import type { RequestInfo } from '../audit/audit.js';
import type { RequestScope } from '../auth/caller.js';
import { auditCustomer, type CustomerContext } from './customer-context.js';
import { recordStatus } from './customer-history.js';
import { type CreateBody, fieldsOf, issue, momentOf, phoneOf } from './customer-input.js';
import { type StoredAudio, type UploadedAudio, withNewAudio } from './customer-recordings.js';
import { INSERT_CUSTOMER } from './customer-table.js';

/** A customer's values after validation, ready to be stored (the contract's `NewCustomerValues`). */
export type CustomerValues = NewCustomerValues<Date>;

/** {@link CustomerValues} for seeding, where a plain field left out is not set (`null`). */
export type SeedCustomerValues = Omit<CustomerValues, PlainCustomerField> & {
  [K in PlainCustomerField]?: CustomerValues[K];
};

/** How a customer is created: by whom, from where, whether it joins the round robin, and when (seeding). */
export interface NewCustomerOptions {
  createdBy: number | null;
  source: 'ui' | 'api';
  autoAssign: boolean;
  /** @default now */
  at?: Date;
}

/** What `POST /crm/customers` and the intake answer. */
export interface Created {
  message: string;
  id: number;
  sales_manager_id: number | null;
}

/** `POST /crm/customers`: assigned in turn to the active sales managers; the caller is its author. */
export async function createCustomer(
  ctx: CustomerContext,
  scope: RequestScope,
  input: { body: CreateBody; file: UploadedAudio | undefined },
): Promise<Created> {
  const values = await newValues(ctx, fieldsOf<CustomerFormFields>(input.body));
  const options: NewCustomerOptions = { createdBy: scope.caller.userId, source: 'ui', autoAssign: true };
  const created = await withNewAudio(ctx, input.file, (audio) =>
    transaction(ctx.em(), (tem) => insertCustomer(tem, { values, options, audio, info: scope.info })),
  );
  return { message: CRM_MESSAGES.customerCreated, id: created.id, sales_manager_id: created.managerId };
}

/**
 * Creates a customer with validated values in one transaction, as the routes do: for seeding (demo data), where
 * `options.at` places it in the past.
 */
export async function seedCustomer(
  ctx: CustomerContext,
  info: RequestInfo,
  input: { values: SeedCustomerValues; options: NewCustomerOptions },
): Promise<number> {
  const values: CustomerValues = { ...input.values, ...plainValuesOf(input.values) };
  const created = await transaction(ctx.em(), (tem) => insertCustomer(tem, { values, options: input.options, info }));
  return created.id;
}

/**
 * `POST /crm/api/customers` (its `X-Key` was checked by auth before the body was read): no author; in the round robin
 * unless `CRM_INTAKE_AUTO_ASSIGN=false`.
 */
export async function intakeCustomer(ctx: CustomerContext, info: RequestInfo, body: IntakeFields): Promise<Created> {
  const values = await newValues(ctx, body);
  const options: NewCustomerOptions = {
    createdBy: null,
    source: 'api',
    autoAssign: ctx.deps.config.crm.intakeAutoAssign,
  };
  const created = await transaction(ctx.em(), (tem) => insertCustomer(tem, { values, options, info }));
  return { message: CRM_MESSAGES.customerCreated, id: created.id, sales_manager_id: created.managerId };
}

/** Validates the fields of a new customer (create form or intake); every problem is reported at once (422). */
async function newValues(ctx: CustomerContext, fields: CustomerFormFields | IntakeFields): Promise<CustomerValues> {
  const issues: ValidationIssue[] = [];
  const phone = phoneOf(ctx, fields.phone_number, issues);
  const alias = 'customer_status' in fields ? fields.customer_status : undefined;
  const name =
    fields.status === undefined && alias === undefined
      ? DEFAULT_CUSTOMER_STATUS
      : agreedStatus(fields.status, alias, issues);
  const status = name === undefined ? undefined : await ctx.deps.statuses.resolve(ctx.em(), { value: name, issues });
  const recall = fields.recall_time ? momentOf(ctx, fields.recall_time, issues) : null;
  if (issues.length > 0 || phone === undefined || status === undefined) throw new ValidationError(issues);
  return {
    full_name: fields.full_name,
    platform: fields.platform,
    phone_number: phone,
    status,
    conversation_language: fields.conversation_language ?? 'uz',
    recall_time: recall ?? null,
    ...plainValuesOf(fields),
  };
}

/**
 * Inserts the customer, assigns it (round robin) when asked, records its first status (from `null`, with the manager
 * it went to) and audits it — in the caller's transaction.
 */
export async function insertCustomer(
  tem: EntityManager,
  input: { values: CustomerValues; options: NewCustomerOptions; audio?: StoredAudio; info: RequestInfo },
): Promise<{ id: number; managerId: number | null }> {
  const { values, options, audio, info } = input;
  const at = options.at ?? null;
  let row: { id: number | string } | undefined;
  try {
    [row] = await query<{ id: number | string }>(
      tem,
      INSERT_CUSTOMER.sql,
      INSERT_CUSTOMER.params({
        ...values,
        // The derived summary and priority of its own notes (it has no notes list yet).
        ...leadInsights(values.notes, []),
        audio_file_id: audio?.fileId ?? null,
        audio_media_type: audio?.mediaType ?? null,
        source: options.source,
        created_by: options.createdBy,
        created_at: at,
        updated_at: at,
      }),
    );
  } catch (error) {
    // The status was deleted after it was checked (the foreign key noticed).
    if (isForeignKeyViolation(error)) {
      throw new ValidationError([issue('status', `The status '${values.status}' no longer exists`)]);
    }
    throw error;
  }
  const id = asInt(row?.id);
  const managerId = options.autoAssign ? await nextManager(tem) : null;
  if (managerId !== null) {
    await query(
      tem,
      `insert into sales_manager_assignment (customer_id, sales_manager_id, assigned_by, assigned_at)
       values (?, ?, null, coalesce(?, now()))`,
      [id, managerId, at],
    );
  }
  await recordStatus(tem, { customerId: id, from: null, to: values.status, by: options.createdBy, at });
  await auditCustomer(
    tem,
    {
      actorUserId: options.createdBy,
      entityType: 'customer',
      entityId: id,
      action: 'create',
      data: {
        status: values.status,
        platform: values.platform,
        source: options.source,
        sales_manager_id: managerId,
        audio: audio !== undefined,
      },
    },
    info,
  );
  return { id, managerId };
}

/**
 * The round robin (`nextSalesManager`, shared with the mocks). The rotation row is locked until the transaction ends,
 * so concurrent creates take turns instead of reading the same previous manager. Null when there is no active sales
 * manager.
 */
async function nextManager(tem: EntityManager): Promise<number | null> {
  const [rotation] = await query<{ last_manager_id: number | string | null }>(
    tem,
    'select last_manager_id from sales_rotation where id = 1 for update',
  );
  const last = rotation === undefined || rotation.last_manager_id === null ? null : asInt(rotation.last_manager_id);
  const active = await query<{ id: number | string }>(
    tem,
    `select id from app_user where role = 'SalesManager' and is_active`,
  );
  const managerId = nextSalesManager(
    active.map((row) => asInt(row.id)),
    last,
  );
  if (managerId === undefined) return null;
  await query(
    tem,
    `insert into sales_rotation (id, last_manager_id, updated_at) values (1, ?, now())
     on conflict (id) do update set last_manager_id = excluded.last_manager_id, updated_at = excluded.updated_at`,
    [managerId],
  );
  return managerId;
}
