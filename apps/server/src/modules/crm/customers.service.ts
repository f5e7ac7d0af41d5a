import type {
  Customer,
  CustomerDetail,
  CustomerFormSchema,
  CustomerUpdateFormSchema,
  contract,
  IntakeCustomerSchema,
  KeptField,
  StatusChange,
  ValidationIssue,
} from '@cims/contracts';
import { DEFAULT_CUSTOMER_STATUS, INSTANT_RANGE_MESSAGE, isAcceptedInstant, updatedValue } from '@cims/contracts';
import { agreedStatus, CRM_MESSAGES, nextSalesManager, normalizePhone } from '@cims/contracts/rules';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ServerInferRequest } from '@ts-rest/core';
import type { CountryCode } from 'libphonenumber-js';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Config } from '../../config.js';
import type { Orm } from '../../db/orm.js';
import { asDate, asDateOrNull, asInt, query, type Row } from '../../db/sql.js';
import { ApiError, ValidationError } from '../../errors.js';
import { type AuditEntry, type RequestInfo, writeAudit } from '../audit/audit.js';
import type { Caller } from '../auth/caller.js';
import type { BlobStore } from '../files/blob-store.js';
import type { UploadedFile } from '../files/upload-check.js';
import { AUDIO_FOLDER, type AudioService } from './audio.js';
import type { BusinessTime } from './business-time.js';
import {
  CUSTOMER_NOT_FOUND,
  INSIGHT_COLUMNS,
  insightValues,
  notesOf,
  seesArchived,
  visibleCustomer,
} from './customer-rules.js';
import {
  CUSTOMER_COLUMNS,
  CUSTOMER_FROM,
  type CustomerViewContext,
  NOTE_COLUMNS,
  NOTE_FROM,
  toCustomer,
  toNote,
} from './customer-view.js';
import type { NoteService } from './notes.service.js';
import type { StatusService } from './statuses.service.js';

/** The text fields of the create form, as the contract parsed them. */
export type CustomerFormFields = z.output<typeof CustomerFormSchema>;
/** The text fields of the update form (`null`: an emptied optional field), as the contract parsed them. */
export type CustomerUpdateFields = z.output<typeof CustomerUpdateFormSchema>;
/** The JSON body of the intake API, as the contract parsed it. */
export type IntakeFields = z.output<typeof IntakeCustomerSchema>;
/**
 * The body of `POST /crm/customers` as its handler receives it. The value is always the contract's parsed text fields
 * (the upload comes from multer, see {@link UploadedAudio}); ts-rest types it as `Without<FormData | fields, File>`,
 * a `Pick` over a union that names no field, so {@link fieldsOf} gives it back its parsed type.
 */
export type CreateBody = ServerInferRequest<typeof contract.crm.create>['body'];
/** The body of `PUT`/`PATCH /crm/customers/{id}` as its handler receives it; see {@link CreateBody}. */
export type UpdateBody = ServerInferRequest<typeof contract.crm.update>['body'];
/** An uploaded recording: already recognised by its first bytes and on disk (see `http/multipart.ts`). */
export type UploadedAudio = Pick<UploadedFile, 'path' | 'mediaType' | 'extension'>;

/** A customer's values after validation, ready to be stored. */
export interface CustomerValues {
  full_name: string;
  platform: string;
  /** E.164. */
  phone_number: string;
  /** An existing status name. */
  status: string;
  username: string | null;
  assistant_name: string | null;
  notes: string | null;
  chat_url: string | null;
  customer_type: string | null;
  conversation_language: string;
  recall_time: Date | null;
}

/** How a customer is created: by whom, from where, whether it joins the round robin, and when (seeding). */
export interface NewCustomerOptions {
  createdBy: number | null;
  source: 'ui' | 'api';
  autoAssign: boolean;
  /** @default now */
  at?: Date;
}

interface StoredAudio {
  fileId: string;
  mediaType: string;
}

export interface CustomerServiceDeps {
  orm: Orm;
  config: Config;
  logger: Logger;
  time: BusinessTime;
  blobs: BlobStore;
  statuses: StatusService;
  notes: NoteService;
  audio: AudioService;
}

/** The columns an update may set from the form, in the order they are written. */
const FORM_COLUMNS = [
  'full_name',
  'platform',
  'phone_number',
  'status',
  'username',
  'assistant_name',
  'notes',
  'chat_url',
  'customer_type',
  'conversation_language',
  'recall_time',
] as const;

const issue = (field: string, msg: string): ValidationIssue => ({ loc: ['body', field], msg, type: 'value_error' });

/**
 * The parsed text fields of a multipart body. The route's body schema is `FormData | fields`; on the server only the
 * fields branch can match (multer and the URL-encoded parser give plain objects), so that is what `body` holds.
 */
function fieldsOf<TFields>(body: unknown): TFields {
  if (body instanceof FormData || typeof body !== 'object' || body === null) {
    throw new ApiError('MALFORMED_BODY', 'The form could not be read');
  }
  return body as TFields;
}

/** Whether a stored value equals a new one (Dates by instant; drivers return timestamps as Dates or strings). */
function same(stored: unknown, next: unknown): boolean {
  if (next instanceof Date) return asDateOrNull(stored)?.getTime() === next.getTime();
  if (stored === null || stored === undefined || next === null) return (stored ?? null) === next;
  return String(stored) === String(next);
}

/** Whether the database refused a write by a foreign key (SQLSTATE 23503). */
function isForeignKeyViolation(error: unknown): boolean {
  const e = error as { code?: unknown; name?: unknown };
  return e?.code === '23503' || e?.name === 'ForeignKeyConstraintViolationException';
}

/**
 * Customers: create (from the app or the intake API), read, update, archive, restore, delete, and their status history.
 * Each request is one transaction holding the customer row, its status history, its assignment (the round robin) and
 * its audit entry; a recording is written before the transaction and removed again if it fails, and a replaced or
 * deleted recording is removed only after the commit, so no file is ever orphaned nor referenced while missing.
 */
export class CustomerService {
  readonly statuses: StatusService;
  readonly notes: NoteService;
  readonly audio: AudioService;
  /** How customers are rendered: timestamps in the business zone, recordings as signed URLs. */
  readonly view: CustomerViewContext;

  constructor(readonly deps: CustomerServiceDeps) {
    this.statuses = deps.statuses;
    this.notes = deps.notes;
    this.audio = deps.audio;
    this.view = { time: deps.time, audioUrl: (fileId) => deps.audio.url(fileId) };
  }

  #em(): EntityManager {
    return this.deps.orm.em.fork() as EntityManager;
  }

  // ---------------------------------------------------------------------------------------------- create

  /** `POST /crm/customers`: assigned in turn to the active sales managers; the caller is its author. */
  async create(
    body: CreateBody,
    file: UploadedAudio | undefined,
    caller: Caller,
    info: RequestInfo,
  ): Promise<{ message: string; id: number; sales_manager_id: number | null }> {
    const values = await this.#newValues(fieldsOf<CustomerFormFields>(body));
    const created = await this.#withNewAudio(file, (stored) =>
      this.#em().transactional((tem) =>
        this.#insert(tem, values, { createdBy: caller.userId, source: 'ui', autoAssign: true }, stored, info),
      ),
    );
    return { message: CRM_MESSAGES.customerCreated, id: created.id, sales_manager_id: created.managerId };
  }

  /**
   * `POST /crm/api/customers` (its `X-Key` was checked by auth before the body was read): no author; in the round
   * robin unless `CRM_INTAKE_AUTO_ASSIGN=false`.
   */
  async intake(
    body: IntakeFields,
    info: RequestInfo,
  ): Promise<{ message: string; id: number; sales_manager_id: number | null }> {
    const values = await this.#newValues(body);
    const created = await this.#em().transactional((tem) =>
      this.#insert(
        tem,
        values,
        { createdBy: null, source: 'api', autoAssign: this.deps.config.crm.intakeAutoAssign },
        undefined,
        info,
      ),
    );
    return { message: CRM_MESSAGES.customerCreated, id: created.id, sales_manager_id: created.managerId };
  }

  /**
   * Creates a customer with validated values in one transaction, as the routes do: for seeding (demo data), where
   * `options.at` places it in the past.
   */
  async createWith(values: CustomerValues, options: NewCustomerOptions, info: RequestInfo): Promise<number> {
    const created = await this.#em().transactional((tem) => this.#insert(tem, values, options, undefined, info));
    return created.id;
  }

  /** Validates the fields of a new customer; every problem is reported at once (422). */
  async #newValues(fields: {
    full_name: string;
    platform: string;
    phone_number: string;
    status?: string;
    customer_status?: string;
    username?: string;
    assistant_name?: string;
    notes?: string;
    chat_url?: string;
    customer_type?: string;
    conversation_language?: string;
    recall_time?: string;
  }): Promise<CustomerValues> {
    const issues: ValidationIssue[] = [];
    const phone = this.#phone(fields.phone_number, issues);
    const name =
      fields.status === undefined && fields.customer_status === undefined
        ? DEFAULT_CUSTOMER_STATUS
        : agreedStatus(fields.status, fields.customer_status, issues);
    const status = name === undefined ? undefined : await this.statuses.resolve(this.#em(), name, issues);
    const recall = fields.recall_time ? this.#moment(fields.recall_time, issues) : null;
    if (issues.length > 0 || phone === undefined || status === undefined) throw new ValidationError(issues);
    const text = (value: string | undefined) => (value === undefined || value === '' ? null : value);
    return {
      full_name: fields.full_name,
      platform: fields.platform,
      phone_number: phone,
      status,
      username: text(fields.username),
      assistant_name: text(fields.assistant_name),
      notes: text(fields.notes),
      chat_url: text(fields.chat_url),
      customer_type: text(fields.customer_type),
      conversation_language: fields.conversation_language ?? 'uz',
      recall_time: recall ?? null,
    };
  }

  /**
   * Inserts the customer, assigns it (round robin) when asked, records its first status (from `null`, with the manager
   * it went to) and audits it — in the caller's transaction.
   */
  async #insert(
    tem: EntityManager,
    values: CustomerValues,
    options: NewCustomerOptions,
    audio: StoredAudio | undefined,
    info: RequestInfo,
  ): Promise<{ id: number; managerId: number | null }> {
    const at = options.at ?? null;
    let row: Row | undefined;
    try {
      [row] = await query(
        tem,
        `insert into customer (full_name, platform, username, phone_number, status, customer_type, assistant_name,
           chat_url, notes, aisummary, importance_score, priority_score, priority_level, priority_reason, industry,
           business_age_years, audio_file_id, audio_media_type, recall_time, conversation_language, source, created_by,
           created_at, updated_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, coalesce(?, now()), coalesce(?, now()))
         returning id`,
        [
          values.full_name,
          values.platform,
          values.username,
          values.phone_number,
          values.status,
          values.customer_type,
          values.assistant_name,
          values.chat_url,
          values.notes,
          ...insightValues(values.notes, []),
          audio?.fileId ?? null,
          audio?.mediaType ?? null,
          values.recall_time,
          values.conversation_language,
          options.source,
          options.createdBy,
          at,
          at,
        ],
      );
    } catch (error) {
      // The status was deleted after it was checked (the foreign key noticed).
      if (isForeignKeyViolation(error)) {
        throw new ValidationError([issue('status', `The status '${values.status}' no longer exists`)]);
      }
      throw error;
    }
    const id = asInt(row?.id);
    const managerId = options.autoAssign ? await this.#nextManager(tem) : null;
    if (managerId !== null) {
      await query(
        tem,
        `insert into sales_manager_assignment (customer_id, sales_manager_id, assigned_by, assigned_at)
         values (?, ?, null, coalesce(?, now()))`,
        [id, managerId, at],
      );
    }
    await recordStatus(tem, { customerId: id, from: null, to: values.status, by: options.createdBy, at });
    await this.#audit(
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
   * The round robin (`nextSalesManager`, shared with the mocks). The rotation row is locked until the transaction
   * ends, so concurrent creates take turns instead of reading the same previous manager. Null when there is no active
   * sales manager.
   */
  async #nextManager(tem: EntityManager): Promise<number | null> {
    const [rotation] = await query(tem, 'select last_manager_id from sales_rotation where id = 1 for update');
    const last = rotation?.last_manager_id === null || rotation === undefined ? null : asInt(rotation.last_manager_id);
    const active = await query(tem, `select id from app_user where role = 'SalesManager' and is_active`);
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

  // ---------------------------------------------------------------------------------------------- read

  /** A customer with its notes (oldest first); archived ones for the CEO only. */
  async detail(id: number, caller: Caller): Promise<CustomerDetail> {
    const em = this.#em();
    const customer = await this.#customer(em, id, caller);
    const notes = await query(
      em,
      `select ${NOTE_COLUMNS} from ${NOTE_FROM} where n.customer_id = ? order by n.created_at, n.id`,
      [id],
    );
    return { ...customer, additional_notes: notes.map((row) => toNote(row, this.deps.time)) };
  }

  /** Every status the customer had, oldest first: the first one (from `null`), each change, each move. */
  async statusHistory(id: number, caller: Caller): Promise<StatusChange[]> {
    const em = this.#em();
    await visibleCustomer(em, id, caller);
    const rows = await query(
      em,
      `select h.id, h.customer_id, h.from_status, h.to_status, h.changed_by, h.changed_at,
              case when u.id is null then null else u.name || ' ' || u.surname end as changed_by_full_name
         from customer_status_change h left join app_user u on u.id = h.changed_by
        where h.customer_id = ? order by h.changed_at, h.id`,
      [id],
    );
    return rows.map((row) => ({
      id: asInt(row.id),
      customer_id: asInt(row.customer_id),
      from_status: (row.from_status as string | null) ?? null,
      to_status: String(row.to_status),
      changed_by: row.changed_by === null ? null : asInt(row.changed_by),
      changed_by_full_name: (row.changed_by_full_name as string | null) ?? null,
      changed_at: this.deps.time.format(asDate(row.changed_at)),
    }));
  }

  async #customer(em: EntityManager, id: number, caller: Caller): Promise<Customer> {
    const [row] = await query(em, `select ${CUSTOMER_COLUMNS} from ${CUSTOMER_FROM} where c.id = ?`, [id]);
    if (!row || (row.archived_at !== null && !seesArchived(caller))) throw CUSTOMER_NOT_FOUND();
    return toCustomer(row, this.view);
  }

  // ---------------------------------------------------------------------------------------------- update

  /**
   * `PUT`/`PATCH` (the same): an absent field stays, an emptied optional one is cleared, `clear_recall_time` wins
   * over `recall_time`; a new recording replaces the old one. A status change is recorded with the customer's current
   * sales manager; the same status again records nothing. Nothing to change is still a 200.
   */
  async update(
    id: number,
    body: UpdateBody,
    file: UploadedAudio | undefined,
    caller: Caller,
    info: RequestInfo,
  ): Promise<Customer> {
    const fields = fieldsOf<CustomerUpdateFields>(body);
    const em = this.#em();
    const current = await visibleCustomer(em, id, caller, {
      columns: 'c.status, c.full_name, c.platform, c.phone_number',
    });
    const issues: ValidationIssue[] = [];
    const name = agreedStatus(fields.status, fields.customer_status, issues);
    const status =
      name === undefined ? undefined : await this.statuses.resolve(em, name, issues, String(current.status));
    // A stored value sent back as it is stays, even where it predates today's rules (legacy imports).
    const changedTo = (field: KeptField): string | undefined => {
      const sent = fields[field];
      if (sent === undefined) return undefined;
      const outcome = updatedValue(field, sent, String(current[field]));
      if ('message' in outcome) issues.push(issue(field, outcome.message));
      return 'value' in outcome ? outcome.value : undefined;
    };
    const fullName = changedTo('full_name');
    const platform = changedTo('platform');
    const phoneText = changedTo('phone_number');
    const phone = phoneText === undefined ? undefined : this.#phone(phoneText, issues);
    let recall: Date | null | undefined;
    if (fields.clear_recall_time === true || fields.recall_time === null) recall = null;
    else if (fields.recall_time !== undefined) recall = this.#moment(fields.recall_time, issues);
    if (issues.length > 0) throw new ValidationError(issues);

    const next: Record<(typeof FORM_COLUMNS)[number], unknown> = {
      full_name: fullName,
      platform,
      phone_number: phone,
      status,
      username: fields.username,
      assistant_name: fields.assistant_name,
      notes: fields.notes,
      chat_url: fields.chat_url,
      customer_type: fields.customer_type,
      conversation_language: fields.conversation_language,
      recall_time: recall,
    };
    let replaced: string | null = null;
    const customer = await this.#withNewAudio(file, (stored) =>
      em.transactional(async (tem) => {
        const row = await visibleCustomer(tem, id, caller, { columns: 'c.*', lock: true });
        const set: [string, unknown][] = FORM_COLUMNS.filter(
          (column) => next[column] !== undefined && !same(row[column], next[column]),
        ).map((column) => [column, next[column]]);
        const changed = set.map(([column]) => column);
        if (changed.includes('notes')) {
          // The derived summary and priority follow the notes (with the notes list, oldest first).
          const insights = insightValues((next.notes as string | null) ?? null, await notesOf(tem, id));
          for (const [i, column] of INSIGHT_COLUMNS.entries()) set.push([column, insights[i]]);
        }
        if (stored) {
          set.push(['audio_file_id', stored.fileId], ['audio_media_type', stored.mediaType]);
          changed.push('audio');
        }
        if (set.length > 0) {
          await query(
            tem,
            `update customer set ${set.map(([c]) => `${c} = ?`).join(', ')}, updated_at = now() where id = ?`,
            [...set.map(([, value]) => value), id],
          );
          await this.#audit(
            tem,
            { actorUserId: caller.userId, entityType: 'customer', entityId: id, action: 'update', data: { changed } },
            info,
          );
        }
        if (changed.includes('status')) {
          const from = String(row.status);
          await recordStatus(tem, { customerId: id, from, to: String(status), by: caller.userId, at: null });
          await this.#audit(
            tem,
            {
              actorUserId: caller.userId,
              entityType: 'customer',
              entityId: id,
              action: 'status_change',
              data: { from, to: status },
            },
            info,
          );
        }
        replaced = stored ? ((row.audio_file_id as string | null) ?? null) : null;
        return this.#customer(tem, id, caller);
      }),
    );
    if (replaced) await this.#discard(replaced);
    return customer;
  }

  // ---------------------------------------------------------------------------------------------- archive

  /** Archives (soft-deletes); archiving an archived customer again is a no-op. */
  async archive(id: number, caller: Caller, info: RequestInfo): Promise<{ message: string }> {
    return this.#em().transactional(async (tem) => {
      const [row] = await query(
        tem,
        'update customer set archived_at = now(), updated_at = now() where id = ? and archived_at is null returning id',
        [id],
      );
      if (!row) {
        const [exists] = await query(tem, 'select 1 from customer where id = ?', [id]);
        // To anyone but the CEO an archived customer does not exist.
        if (!exists || caller.role !== 'CEO') throw CUSTOMER_NOT_FOUND();
        return { message: CRM_MESSAGES.alreadyArchived };
      }
      await this.#audit(
        tem,
        { actorUserId: caller.userId, entityType: 'customer', entityId: id, action: 'archive' },
        info,
      );
      return { message: CRM_MESSAGES.customerArchived };
    });
  }

  /** Restores an archived customer (CEO); 409 when it is not archived. */
  async restore(id: number, caller: Caller, info: RequestInfo): Promise<{ message: string }> {
    return this.#em().transactional(async (tem) => {
      const [row] = await query(
        tem,
        'update customer set archived_at = null, updated_at = now() where id = ? and archived_at is not null returning id',
        [id],
      );
      if (!row) {
        const [exists] = await query(tem, 'select 1 from customer where id = ?', [id]);
        if (!exists) throw CUSTOMER_NOT_FOUND();
        throw new ApiError('CONFLICT', CRM_MESSAGES.notArchived);
      }
      await this.#audit(
        tem,
        { actorUserId: caller.userId, entityType: 'customer', entityId: id, action: 'restore' },
        info,
      );
      return { message: CRM_MESSAGES.customerRestored };
    });
  }

  /** Deletes a customer for good (CEO): its notes, history and assignment go with it (cascades), then its recording. */
  async hardDelete(id: number, caller: Caller, info: RequestInfo): Promise<{ message: string }> {
    const recordings = await this.#em().transactional(async (tem) => {
      const rows = await query(tem, 'delete from customer where id = ? returning id, audio_file_id', [id]);
      if (rows.length === 0) throw CUSTOMER_NOT_FOUND();
      await this.#audit(
        tem,
        { actorUserId: caller.userId, entityType: 'customer', entityId: id, action: 'hard_delete' },
        info,
      );
      return rows;
    });
    await this.#discardAll(recordings);
    return { message: CRM_MESSAGES.customerDeleted };
  }

  /** Archives the customers of `ids` that exist and are not archived, in one statement; says how many. */
  async bulkArchive(ids: number[], caller: Caller, info: RequestInfo): Promise<{ message: string; count: number }> {
    return this.#em().transactional(async (tem) => {
      const rows = await query(
        tem,
        `update customer set archived_at = now(), updated_at = now()
          where id in (select cast(value as bigint) from jsonb_array_elements_text(cast(? as jsonb)))
            and archived_at is null
          returning id`,
        [JSON.stringify(ids)],
      );
      const changed = rows.map((row) => asInt(row.id));
      if (changed.length > 0) {
        await this.#audit(
          tem,
          {
            actorUserId: caller.userId,
            entityType: 'customer',
            entityId: null,
            action: 'bulk_archive',
            data: { ids: changed },
          },
          info,
        );
      }
      return { message: `${changed.length} customer(s) archived`, count: changed.length };
    });
  }

  /** Deletes the customers of `ids` that exist, in one statement, then their recordings; says how many. */
  async bulkHardDelete(ids: number[], caller: Caller, info: RequestInfo): Promise<{ message: string; count: number }> {
    const rows = await this.#em().transactional(async (tem) => {
      const deleted = await query(
        tem,
        `delete from customer
          where id in (select cast(value as bigint) from jsonb_array_elements_text(cast(? as jsonb)))
          returning id, audio_file_id`,
        [JSON.stringify(ids)],
      );
      if (deleted.length > 0) {
        await this.#audit(
          tem,
          {
            actorUserId: caller.userId,
            entityType: 'customer',
            entityId: null,
            action: 'bulk_hard_delete',
            data: { ids: deleted.map((row) => asInt(row.id)) },
          },
          info,
        );
      }
      return deleted;
    });
    await this.#discardAll(rows);
    return { message: `${rows.length} customer(s) deleted for good`, count: rows.length };
  }

  // ---------------------------------------------------------------------------------------------- helpers

  /** E.164 with the business's default region for numbers without a country code, or a 422 issue. */
  #phone(value: string, issues: ValidationIssue[]): string | undefined {
    const phone = normalizePhone(value, this.deps.config.crm.phoneRegion as CountryCode);
    if (phone === undefined) issues.push(issue('phone_number', CRM_MESSAGES.phoneInvalid));
    return phone;
  }

  /** An ISO-8601 moment; without an offset in the business zone; within the instants the API accepts. */
  #moment(value: string, issues: ValidationIssue[]): Date | undefined {
    const at = this.deps.time.parse(value);
    if (!at) issues.push(issue('recall_time', CRM_MESSAGES.dateTimeInvalid));
    else if (!isAcceptedInstant(at)) issues.push(issue('recall_time', INSTANT_RANGE_MESSAGE));
    return at;
  }

  /**
   * Runs `work` with the upload stored (when there is one); when `work` fails, the stored file is removed again, so a
   * failed request leaves no file behind.
   */
  async #withNewAudio<T>(
    audio: UploadedAudio | undefined,
    work: (stored: StoredAudio | undefined) => Promise<T>,
  ): Promise<T> {
    const stored = audio
      ? {
          fileId: await this.deps.blobs.put(AUDIO_FOLDER, { path: audio.path }, audio.extension),
          mediaType: audio.mediaType,
        }
      : undefined;
    try {
      return await work(stored);
    } catch (error) {
      if (stored) await this.#discard(stored.fileId);
      throw error;
    }
  }

  /** Removes a recording no row references any more. A failure is logged: the change itself has happened. */
  async #discard(fileId: string): Promise<void> {
    try {
      await this.deps.blobs.delete(AUDIO_FOLDER, fileId);
    } catch (error) {
      this.deps.logger.error({ err: error, fileId }, 'Could not remove a recording');
    }
  }

  async #discardAll(rows: Row[]): Promise<void> {
    for (const row of rows) if (typeof row.audio_file_id === 'string') await this.#discard(row.audio_file_id);
  }

  #audit(em: EntityManager, entry: AuditEntry, info: RequestInfo): Promise<void> {
    // Entries name customers by id only: names, phone numbers and notes stay out of the audit log.
    return writeAudit(em, 'crm', entry, info);
  }
}

/**
 * Records a status a customer got, with the sales manager it is assigned to at that moment (so per-manager
 * statistics stay right after a reassignment), in the caller's transaction.
 */
export async function recordStatus(
  tem: EntityManager,
  change: { customerId: number; from: string | null; to: string; by: number | null; at: Date | null },
): Promise<void> {
  await query(
    tem,
    `insert into customer_status_change (customer_id, from_status, to_status, changed_by, sales_manager_id, changed_at)
     values (?, ?, ?, ?, (select sales_manager_id from sales_manager_assignment where customer_id = ?), coalesce(?, now()))`,
    [change.customerId, change.from, change.to, change.by, change.customerId, change.at],
  );
}
