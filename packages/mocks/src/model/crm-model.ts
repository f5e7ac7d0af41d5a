import type {
  AssignedManagerSchema,
  CreateStatusSchema,
  Customer,
  CustomerDetail,
  CustomerFormSchema,
  CustomerNote,
  CustomerStatus,
  CustomerType,
  CustomerUpdateFormSchema,
  IntakeCustomerSchema,
  KeptField,
  Language,
  ManagerRefSchema,
  Platform,
  StatusChange,
  UpdateStatusSchema,
  ValidationIssue,
} from '@cims/contracts';
import { INSTANT_RANGE_MESSAGE, isAcceptedInstant, leadInsights, updatedValue } from '@cims/contracts';
import { type BusinessTime, CRM_MESSAGES, nextSalesManager, normalizePhone, sniffAudio } from '@cims/contracts/rules';
import type { CountryCode } from 'libphonenumber-js';
import type { z } from 'zod';
import { MockApiError } from '../route-handler.js';
import {
  clearCustomers,
  type MockAssignment,
  type MockCustomer,
  type MockNote,
  type MockState,
  type MockStatus,
  type MockUser,
} from '../state.js';
import { requireSomething } from './management-model.js';
import type { UrlSigner } from './signed-urls.js';
import { randomToken } from './tokens.js';

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

type ManagerRef = z.infer<typeof ManagerRefSchema>;
type AssignedManager = z.infer<typeof AssignedManagerSchema>;

/** The fields a customer is written with. */
interface CustomerFields {
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
interface ReadRecording {
  blob: Blob;
  mediaType: string;
  extension: string;
}

function issue(field: string, msg: string): ValidationIssue {
  return { loc: ['body', field], msg, type: 'value_error' };
}

/** Compares lists of strings, element by element. */
function compare(a: string[], b: string[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

const byNewest = (a: MockCustomer, b: MockCustomer) => b.created_at - a.created_at || b.id - a.id;

/** `name surname`, as the CRM shows people. */
export const fullName = (user: MockUser) => `${user.name} ${user.surname}`.trim();

/** Lookups built once per served list instead of once per customer. */
interface Indexes {
  notes: Map<number, MockNote[]>;
  assignments: Map<number, MockAssignment>;
}

/**
 * The CRM rules of `docs/crm.md` over the mocks' state: statuses, customers (with phone normalisation, status checks
 * and derived insights), notes, the status history, archive, sales-manager assignment with the round robin, and call
 * recordings behind signed URLs. Failures are thrown as {@link MockApiError}.
 */
export function createCrmModel(state: MockState, options: CrmModelOptions) {
  const { now, time, signer } = options;
  const crm = () => state.crm;

  // ------------------------------------------------------------------------------------------------ statuses

  function statusesInOrder(): MockStatus[] {
    return [...crm().statuses.values()].sort((a, b) => a.order - b.order || a.id - b.id);
  }

  function activeStatuses(): MockStatus[] {
    return statusesInOrder().filter((status) => status.is_active);
  }

  /** The status with this name, any case (`Need_To_Call` is `need_to_call`). */
  function statusNamed(name: string): MockStatus | undefined {
    const wanted = name.trim().toLowerCase();
    for (const status of crm().statuses.values()) if (status.name === wanted) return status;
    return undefined;
  }

  function requireStatus(id: number): MockStatus {
    const status = crm().statuses.get(id);
    if (!status) throw new MockApiError('NOT_FOUND', 'Status not found');
    return status;
  }

  function serveStatus(status: MockStatus): CustomerStatus {
    return { ...status, created_at: time.format(status.created_at), updated_at: time.format(status.updated_at) };
  }

  /**
   * The status name for a customer write, or an issue: it must exist and be active. `current` (the customer's own
   * status) is accepted even when inactive, since the legacy client re-sends every field on save.
   */
  function resolveStatus(value: string, issues: ValidationIssue[], current?: string): string | undefined {
    const found = statusNamed(value);
    if (found && (found.is_active || found.name === current)) return found.name;
    const names = activeStatuses().map((status) => status.name);
    issues.push(issue('status', `Unknown or inactive status '${value.trim()}'; use one of: ${names.join(', ')}`));
    return undefined;
  }

  /** `status` and `customer_status` are one field: when both are sent they must name the same status. */
  function statusInput(
    fields: { status?: string; customer_status?: string },
    issues: ValidationIssue[],
    current?: string,
  ): string | undefined {
    const { status, customer_status: alias } = fields;
    if (status !== undefined && alias !== undefined && status.trim().toLowerCase() !== alias.trim().toLowerCase()) {
      issues.push(issue('customer_status', 'status and customer_status name different statuses; send one of them'));
      return undefined;
    }
    const value = status ?? alias;
    return value === undefined ? undefined : resolveStatus(value, issues, current);
  }

  // ------------------------------------------------------------------------------------------------ input

  /** E.164 (`+998901234567`) with the default region for numbers without a country code, or an issue. */
  function phoneInput(value: string, issues: ValidationIssue[]): string | undefined {
    const phone = normalizePhone(value, options.defaultPhoneRegion);
    if (phone === undefined) issues.push(issue('phone_number', CRM_MESSAGES.phoneInvalid));
    return phone;
  }

  /** An ISO-8601 moment (without an offset in the business zone) within the instants the API accepts, like the server. */
  function momentInput(value: string, issues: ValidationIssue[]): number | undefined {
    const at = time.parse(value)?.getTime();
    if (at === undefined) issues.push(issue('recall_time', 'Input should be a valid date-time'));
    else if (!isAcceptedInstant(new Date(at))) issues.push(issue('recall_time', INSTANT_RANGE_MESSAGE));
    return at;
  }

  function fail(issues: ValidationIssue[]): void {
    if (issues.length > 0) throw new MockApiError('VALIDATION_FAILED', issues);
  }

  /** The fields of a new customer (create, intake, QA), every problem reported at once. */
  function newCustomerFields(input: {
    full_name: string;
    platform: Platform;
    phone_number: string;
    status?: string;
    customer_status?: string;
    username?: string | null;
    assistant_name?: string | null;
    notes?: string | null;
    chat_url?: string | null;
    customer_type?: CustomerType | null;
    conversation_language?: Language;
    recall_time?: string | null;
  }): CustomerFields {
    const issues: ValidationIssue[] = [];
    const phone = phoneInput(input.phone_number, issues);
    const status = statusInput(input, issues);
    const recall = input.recall_time ? momentInput(input.recall_time, issues) : null;
    fail(issues);
    return {
      full_name: input.full_name,
      platform: input.platform,
      phone_number: phone ?? '',
      status: status ?? '',
      username: input.username ?? null,
      assistant_name: input.assistant_name ?? null,
      notes: input.notes ?? null,
      chat_url: input.chat_url ?? null,
      customer_type: input.customer_type ?? null,
      conversation_language: input.conversation_language ?? 'uz',
      recall_time: recall ?? null,
    };
  }

  /** Reads an uploaded recording: `415` unless its first bytes are a known audio format. */
  async function readRecording(file: File | undefined): Promise<ReadRecording | undefined> {
    if (!file) return undefined;
    const found = sniffAudio(new Uint8Array(await file.slice(0, 16).arrayBuffer()));
    if (!found) throw new MockApiError('UNSUPPORTED_MEDIA_TYPE', CRM_MESSAGES.recordingFormat);
    return {
      blob: new Blob([await file.arrayBuffer()], { type: found.mediaType }),
      mediaType: found.mediaType,
      extension: found.extension,
    };
  }

  /** Stores a recording for a customer under a new unguessable id, replacing (and forgetting) its previous one. */
  function attachRecording(customer: MockCustomer, recording: ReadRecording): void {
    const fileId = `${randomToken(18)}.${recording.extension}`;
    if (customer.audio_file_id) crm().recordings.delete(customer.audio_file_id);
    crm().recordings.set(fileId, {
      file_id: fileId,
      customer_id: customer.id,
      blob: recording.blob,
      media_type: recording.mediaType,
      uploaded_at: now(),
    });
    customer.audio_file_id = fileId;
  }

  // ------------------------------------------------------------------------------------------------ managers

  /** The active sales managers by id (none in the `no-sales-managers` scenario). */
  function activeManagers(): MockUser[] {
    if (state.scenario === 'no-sales-managers') return [];
    return [...state.users.values()]
      .filter((user) => user.role === 'SalesManager' && user.is_active)
      .sort((a, b) => a.id - b.id);
  }

  const managerRef = (user: MockUser): ManagerRef => ({
    id: user.id,
    email: user.email,
    name: user.name,
    surname: user.surname,
  });

  /** The customer's live assignment (to a user that still exists), if any. */
  function assignmentOf(customerId: number): MockAssignment | undefined {
    for (const assignment of crm().assignments.values()) {
      if (assignment.customer_id === customerId && assignment.is_active && state.users.has(assignment.sales_manager_id))
        return assignment;
    }
    return undefined;
  }

  /** Replaces the customer's assignment: `by` made it at `at` (now by default); `null` is the round robin. */
  function assign({
    customerId,
    managerId,
    by,
    at = now(),
  }: {
    customerId: number;
    managerId: number;
    by: number | null;
    at?: number;
  }): MockAssignment {
    for (const old of crm().assignments.values()) if (old.customer_id === customerId) old.is_active = false;
    const assignment: MockAssignment = {
      id: ++state.sequences.assignment,
      customer_id: customerId,
      sales_manager_id: managerId,
      assigned_at: at,
      assigned_by: by,
      is_active: true,
    };
    crm().assignments.set(assignment.id, assignment);
    return assignment;
  }

  /** The round robin (`nextSalesManager` of `@cims/contracts/rules`), from the last auto-assigned manager. */
  function autoAssign(customerId: number, at: number): MockUser | undefined {
    const managers = activeManagers();
    const nextId = nextSalesManager(
      managers.map((manager) => manager.id),
      crm().lastAutoAssigned,
    );
    const next = managers.find((manager) => manager.id === nextId);
    if (!next) return undefined;
    crm().lastAutoAssigned = next.id;
    assign({ customerId, managerId: next.id, by: null, at });
    return next;
  }

  // ------------------------------------------------------------------------------------------------ customers

  /** Adds to the history the move of `customer` from `from` to its current status, by `by` at `at`. */
  function recordStatus({
    customer,
    from,
    by,
    at,
  }: {
    customer: MockCustomer;
    from: string | null;
    by: number | null;
    at: number;
  }): void {
    const id = ++state.sequences.statusChange;
    crm().statusHistory.set(id, {
      id,
      customer_id: customer.id,
      from_status: from,
      to_status: customer.status,
      changed_by: by,
      changed_at: at,
      sales_manager_id: assignmentOf(customer.id)?.sales_manager_id ?? null,
    });
  }

  /** Creates a customer: auto-assigned when asked (and a manager is active), its first status in the history. */
  function insertCustomer({
    fields,
    by,
    autoAssign: assignIt,
    at = now(),
  }: {
    fields: CustomerFields;
    by: number | null;
    autoAssign: boolean;
    at?: number;
  }): { customer: MockCustomer; manager: MockUser | undefined } {
    const customer: MockCustomer = {
      id: ++state.sequences.customer,
      ...fields,
      audio_file_id: null,
      created_at: at,
      updated_at: at,
      archived_at: null,
    };
    crm().customers.set(customer.id, customer);
    const manager = assignIt ? autoAssign(customer.id, at) : undefined;
    recordStatus({ customer, from: null, by, at });
    return { customer, manager };
  }

  /** The customer, or `404`; an archived customer exists for the CEO only. */
  function visibleCustomer(id: number, caller: MockUser): MockCustomer {
    const customer = crm().customers.get(id);
    if (!customer || (customer.archived_at !== null && caller.role !== 'CEO')) {
      throw new MockApiError('NOT_FOUND', 'Customer not found');
    }
    return customer;
  }

  function requireCustomer(id: number): MockCustomer {
    const customer = crm().customers.get(id);
    if (!customer) throw new MockApiError('NOT_FOUND', 'Customer not found');
    return customer;
  }

  function removeCustomer(customer: MockCustomer): void {
    const { notes, statusHistory, assignments, recordings } = crm();
    for (const [id, note] of notes) if (note.customer_id === customer.id) notes.delete(id);
    for (const [id, change] of statusHistory) if (change.customer_id === customer.id) statusHistory.delete(id);
    for (const [id, assignment] of assignments) if (assignment.customer_id === customer.id) assignments.delete(id);
    if (customer.audio_file_id) recordings.delete(customer.audio_file_id);
    crm().customers.delete(customer.id);
  }

  function indexes(): Indexes {
    const notes = new Map<number, MockNote[]>();
    for (const note of [...crm().notes.values()].sort((a, b) => a.created_at - b.created_at || a.id - b.id)) {
      notes.set(note.customer_id, [...(notes.get(note.customer_id) ?? []), note]);
    }
    const assignments = new Map<number, MockAssignment>();
    for (const assignment of crm().assignments.values()) {
      if (assignment.is_active && state.users.has(assignment.sales_manager_id)) {
        assignments.set(assignment.customer_id, assignment);
      }
    }
    return { notes, assignments };
  }

  function serveNote(note: MockNote): CustomerNote {
    const author = note.created_by === null ? undefined : state.users.get(note.created_by);
    return {
      id: note.id,
      customer_id: note.customer_id,
      note: note.note,
      created_by: author?.id ?? null,
      created_by_full_name: author ? fullName(author) : null,
      created_at: time.format(note.created_at),
      updated_at: time.format(note.updated_at),
    };
  }

  /** The relative, signed URL that plays a recording without a token for a while. */
  function audioUrl(fileId: string): string {
    const { expires, sig } = signer.sign(fileId);
    return `/crm/customers/audio/${encodeURIComponent(fileId)}?expires=${expires}&sig=${sig}`;
  }

  function serveCustomer(customer: MockCustomer, index: Indexes = indexes()): Customer {
    const status = statusNamed(customer.status);
    const notes = index.notes.get(customer.id) ?? [];
    const assignment = index.assignments.get(customer.id);
    const manager = assignment && state.users.get(assignment.sales_manager_id);
    const assigned: AssignedManager | null = manager
      ? { id: manager.id, name: manager.name, surname: manager.surname }
      : null;
    return {
      id: customer.id,
      full_name: customer.full_name,
      platform: customer.platform,
      username: customer.username,
      phone_number: customer.phone_number,
      status: customer.status,
      status_label: status?.display_name ?? customer.status,
      status_category: status?.category ?? 'open',
      customer_type: customer.customer_type,
      assistant_name: customer.assistant_name,
      chat_url: customer.chat_url,
      notes: customer.notes,
      ...leadInsights(
        customer.notes,
        notes.map((note) => note.note),
      ),
      audio_file_id: customer.audio_file_id,
      audio_url: customer.audio_file_id ? audioUrl(customer.audio_file_id) : null,
      recall_time: customer.recall_time === null ? null : time.format(customer.recall_time),
      conversation_language: customer.conversation_language,
      sales_manager: assigned,
      created_at: time.format(customer.created_at),
      updated_at: time.format(customer.updated_at),
      is_archived: customer.archived_at !== null,
      archived_at: customer.archived_at === null ? null : time.format(customer.archived_at),
    };
  }

  function serveCustomers(customers: MockCustomer[]): Customer[] {
    const index = indexes();
    return customers.map((customer) => serveCustomer(customer, index));
  }

  /** The non-archived customers, newest first. */
  function liveCustomers(): MockCustomer[] {
    return [...crm().customers.values()].filter((customer) => customer.archived_at === null).sort(byNewest);
  }

  /** The note of `customer`, or `404`; when the caller means to `change` it, `403` unless the author or the CEO. */
  function requireNote({
    customer,
    noteId,
    caller,
    change,
  }: {
    customer: MockCustomer;
    noteId: number;
    caller: MockUser;
    change: boolean;
  }): MockNote {
    const note = crm().notes.get(noteId);
    if (!note || note.customer_id !== customer.id) throw new MockApiError('NOT_FOUND', 'Note not found');
    if (change && caller.role !== 'CEO' && note.created_by !== caller.id) {
      throw new MockApiError('FORBIDDEN', 'Only the author of a note or the CEO can change or delete it');
    }
    return note;
  }

  /**
   * An active sales manager by id, for the CEO or that manager: `403` for anyone else (before anything is looked up),
   * else `404`.
   */
  function managerFor(caller: MockUser, id: number): MockUser {
    if (caller.role !== 'CEO' && caller.id !== id) {
      throw new MockApiError('FORBIDDEN', 'Only the CEO can see another sales manager’s data');
    }
    const user = state.users.get(id);
    if (user?.role !== 'SalesManager' || !user.is_active) {
      throw new MockApiError('NOT_FOUND', 'No active sales manager with this id');
    }
    return user;
  }

  /** The customers assigned to a manager now, with their assignments, newest assignment first. */
  function assignedTo(managerId: number, includeArchived: boolean) {
    const out: Array<{ customer: MockCustomer; assignment: MockAssignment }> = [];
    for (const assignment of indexes().assignments.values()) {
      const customer = crm().customers.get(assignment.customer_id);
      if (assignment.sales_manager_id !== managerId || !customer) continue;
      if (!includeArchived && customer.archived_at !== null) continue;
      out.push({ customer, assignment });
    }
    return out.sort((a, b) => b.assignment.assigned_at - a.assignment.assigned_at || b.assignment.id - a.assignment.id);
  }

  return {
    statusesInOrder,
    activeStatuses,
    statusNamed,
    activeManagers,
    managerRef,
    managerFor,
    assignedTo,
    liveCustomers,
    serveCustomer,
    serveCustomers,
    requireCustomer,
    byNewest,

    // ---------------------------------------------------------------------------------------------- statuses

    listStatuses: (): CustomerStatus[] => statusesInOrder().map(serveStatus),

    createStatus(input: z.output<typeof CreateStatusSchema>): CustomerStatus {
      if (statusNamed(input.name)) throw new MockApiError('CONFLICT', `A status named '${input.name}' already exists`);
      const last = statusesInOrder().at(-1);
      const at = now();
      const status: MockStatus = {
        id: ++state.sequences.status,
        name: input.name,
        display_name: input.display_name,
        description: input.description ?? null,
        color: input.color ?? null,
        order: input.order ?? (last ? last.order + 1 : 1),
        category: input.category,
        is_active: input.is_active,
        is_system: false,
        created_at: at,
        updated_at: at,
      };
      crm().statuses.set(status.id, status);
      return serveStatus(status);
    },

    /** Every status id exactly once (else `422`); the orders become 1, 2, 3, … all at once. */
    reorderStatuses(ids: number[]): CustomerStatus[] {
      const { statuses } = crm();
      const exact =
        ids.length === statuses.size && new Set(ids).size === ids.length && ids.every((id) => statuses.has(id));
      if (!exact) {
        throw new MockApiError('VALIDATION_FAILED', [
          {
            loc: ['body', 'ids'],
            msg: `Send every status id exactly once (${statuses.size} ids)`,
            type: 'value_error',
          },
        ]);
      }
      const at = now();
      ids.forEach((id, i) => {
        const status = statuses.get(id);
        if (status && status.order !== i + 1) Object.assign(status, { order: i + 1, updated_at: at });
      });
      return statusesInOrder().map(serveStatus);
    },

    updateStatus(id: number, patch: z.output<typeof UpdateStatusSchema>): CustomerStatus {
      const status = requireStatus(id);
      requireSomething(patch);
      for (const [key, value] of Object.entries(patch)) {
        if (value !== undefined) (status as unknown as Record<string, unknown>)[key] = value;
      }
      status.updated_at = now();
      return serveStatus(status);
    },

    /**
     * Deletes a status: `403` for a system one; while customers (archived ones included) carry it, `409
     * STATUS_IN_USE` with `in_use_count`, unless `reassignTo` names another status: then they move there (each move
     * in their history, by `caller`) and the status goes.
     */
    deleteStatus(
      id: number,
      reassignTo: string | undefined,
      caller: MockUser,
    ):
      | { status: 200; body: { message: string; reassigned_count: number } }
      | { status: 409; body: { detail: string; code: 'STATUS_IN_USE'; in_use_count: number } } {
      const status = requireStatus(id);
      if (status.is_system) {
        throw new MockApiError('FORBIDDEN', `The system status '${status.name}' cannot be deleted; deactivate it`);
      }
      let target: MockStatus | undefined;
      if (reassignTo !== undefined) {
        target = statusNamed(reassignTo);
        if (!target || target.id === status.id) {
          const msg = target ? 'Choose another status than the one deleted' : `Unknown status '${reassignTo}'`;
          throw new MockApiError('VALIDATION_FAILED', [{ loc: ['query', 'reassign_to'], msg, type: 'value_error' }]);
        }
      }
      const users = [...crm().customers.values()].filter((customer) => customer.status === status.name);
      if (users.length > 0 && !target) {
        return {
          status: 409,
          body: {
            detail: `The status '${status.name}' is used by ${users.length} customer${users.length === 1 ? '' : 's'}; send reassign_to to move them`,
            code: 'STATUS_IN_USE',
            in_use_count: users.length,
          },
        };
      }
      const at = now();
      for (const customer of users) {
        customer.status = target?.name ?? customer.status;
        customer.updated_at = at;
        recordStatus({ customer, from: status.name, by: caller.id, at });
      }
      crm().statuses.delete(status.id);
      return { status: 200, body: { message: `Status '${status.name}' deleted`, reassigned_count: users.length } };
    },

    // ---------------------------------------------------------------------------------------------- customers

    /** `POST /crm/customers`: auto-assigned in turn; its first status recorded as changed by the caller. */
    async create(caller: MockUser, input: CustomerFormFields, file: File | undefined) {
      const fields = newCustomerFields(input);
      const recording = await readRecording(file);
      const { customer, manager } = insertCustomer({ fields, by: caller.id, autoAssign: true });
      if (recording) attachRecording(customer, recording);
      return { message: 'Customer created', id: customer.id, sales_manager_id: manager?.id ?? null };
    },

    /** `POST /crm/api/customers` (the key was checked before): no author; assigned unless `intakeAutoAssign` is off. */
    intake(input: IntakeFields) {
      const { customer, manager } = insertCustomer({
        fields: newCustomerFields(input),
        by: null,
        autoAssign: options.intakeAutoAssign,
      });
      return { message: 'Customer created', id: customer.id, sales_manager_id: manager?.id ?? null };
    },

    /** A customer QA adds directly (seeds, fixtures), checked like a form. */
    addCustomer(input: MockCustomerInput): MockCustomer {
      const by = input.created_by
        ? [...state.users.values()].find((user) => user.email === input.created_by?.trim().toLowerCase())
        : undefined;
      if (input.created_by && !by) throw new Error(`The mocks have no user ${input.created_by}`);
      const fields = newCustomerFields({ ...input, status: input.status ?? 'need_to_call' });
      return insertCustomer({
        fields,
        by: by?.id ?? null,
        autoAssign: input.autoAssign ?? true,
        at: input.created_at ?? now(),
      }).customer;
    },

    detail(id: number, caller: MockUser): CustomerDetail {
      const customer = visibleCustomer(id, caller);
      const index = indexes();
      return {
        ...serveCustomer(customer, index),
        additional_notes: (index.notes.get(customer.id) ?? []).map(serveNote),
      };
    },

    /**
     * `PUT`/`PATCH`: an absent field stays, `null` (an empty form field) clears an optional one,
     * `clear_recall_time` wins over `recall_time`. A status change is recorded; a new recording replaces the old.
     */
    async update({
      id,
      caller,
      input,
      file,
    }: {
      id: number;
      caller: MockUser;
      input: CustomerUpdateFields;
      file?: File;
    }): Promise<Customer> {
      const customer = visibleCustomer(id, caller);
      const issues: ValidationIssue[] = [];
      // A stored value sent back as it is stays, even where it predates today's rules (legacy imports).
      const changedTo = (field: KeptField): string | undefined => {
        const sent = input[field];
        if (sent === undefined) return undefined;
        const outcome = updatedValue(field, sent, customer[field]);
        if ('message' in outcome) issues.push(issue(field, outcome.message));
        return 'value' in outcome ? outcome.value : undefined;
      };
      const fullName = changedTo('full_name');
      const platform = changedTo('platform');
      const phoneText = changedTo('phone_number');
      const phone = phoneText === undefined ? undefined : phoneInput(phoneText, issues);
      const status = statusInput(input, issues, customer.status);
      let recall: number | null | undefined;
      if (input.clear_recall_time === true) recall = null;
      else if (input.recall_time === null) recall = null;
      else if (input.recall_time !== undefined) recall = momentInput(input.recall_time, issues);
      fail(issues);
      const recording = await readRecording(file);

      const next: Partial<MockCustomer> = {
        full_name: fullName,
        // A changed platform passed PlatformSchema: it is one of the keys.
        platform: platform as Platform | undefined,
        phone_number: phone,
        status,
        username: input.username,
        assistant_name: input.assistant_name,
        notes: input.notes,
        chat_url: input.chat_url,
        customer_type: input.customer_type,
        conversation_language: input.conversation_language,
        recall_time: recall,
      };
      const before = customer.status;
      let changed = false;
      for (const [key, value] of Object.entries(next)) {
        const field = key as keyof MockCustomer;
        if (value === undefined || customer[field] === value) continue;
        (customer as unknown as Record<string, unknown>)[field] = value;
        changed = true;
      }
      const at = now();
      if (customer.status !== before) recordStatus({ customer, from: before, by: caller.id, at });
      if (recording) {
        attachRecording(customer, recording);
        changed = true;
      }
      if (changed) customer.updated_at = at;
      return serveCustomer(customer);
    },

    /** Archives; the CEO archiving an archived customer again gets a no-op `200` (others cannot see it: `404`). */
    archive(id: number, caller: MockUser): string {
      const customer = visibleCustomer(id, caller);
      if (customer.archived_at !== null) return 'The customer is already archived';
      customer.archived_at = now();
      customer.updated_at = customer.archived_at;
      return 'Customer archived';
    },

    bulkArchive(ids: number[]): number {
      let count = 0;
      const at = now();
      for (const id of new Set(ids)) {
        const customer = crm().customers.get(id);
        if (!customer || customer.archived_at !== null) continue;
        customer.archived_at = at;
        customer.updated_at = at;
        count++;
      }
      return count;
    },

    restore(id: number): string {
      const customer = requireCustomer(id);
      if (customer.archived_at === null) throw new MockApiError('CONFLICT', 'The customer is not archived');
      customer.archived_at = null;
      customer.updated_at = now();
      return 'Customer restored';
    },

    hardDelete(id: number): string {
      removeCustomer(requireCustomer(id));
      return 'Customer deleted for good';
    },

    bulkHardDelete(ids: number[]): number {
      let count = 0;
      for (const id of new Set(ids)) {
        const customer = crm().customers.get(id);
        if (!customer) continue;
        removeCustomer(customer);
        count++;
      }
      return count;
    },

    /** Archived customers, most recently archived first. */
    archived(limit: number, offset: number): Customer[] {
      const list = [...crm().customers.values()]
        .filter((customer) => customer.archived_at !== null)
        .sort((a, b) => (b.archived_at ?? 0) - (a.archived_at ?? 0) || b.id - a.id);
      return serveCustomers(list.slice(offset, offset + limit));
    },

    statusHistory(id: number, caller: MockUser): StatusChange[] {
      const customer = visibleCustomer(id, caller);
      return [...crm().statusHistory.values()]
        .filter((change) => change.customer_id === customer.id)
        .sort((a, b) => a.changed_at - b.changed_at || a.id - b.id)
        .map((change) => {
          const by = change.changed_by === null ? undefined : state.users.get(change.changed_by);
          return {
            id: change.id,
            customer_id: change.customer_id,
            from_status: change.from_status,
            to_status: change.to_status,
            changed_by: by?.id ?? null,
            changed_by_full_name: by ? fullName(by) : null,
            changed_at: time.format(change.changed_at),
          };
        });
    },

    // ---------------------------------------------------------------------------------------------- notes

    listNotes(id: number, caller: MockUser) {
      const customer = visibleCustomer(id, caller);
      const items = (indexes().notes.get(customer.id) ?? []).map(serveNote);
      return { customer_id: customer.id, items, total_count: items.length };
    },

    /** Adds a note to customer `id` as `caller`, at `at` (now by default). */
    addNote({
      id,
      caller,
      text,
      at = now(),
    }: {
      id: number;
      caller: MockUser;
      text: string;
      at?: number;
    }): CustomerNote {
      const customer = visibleCustomer(id, caller);
      const note: MockNote = {
        id: ++state.sequences.note,
        customer_id: customer.id,
        note: text,
        created_by: caller.id,
        created_at: at,
        updated_at: at,
      };
      crm().notes.set(note.id, note);
      return serveNote(note);
    },

    /** Only the author or the CEO (`403`). */
    updateNote({
      id,
      noteId,
      caller,
      text,
    }: {
      id: number;
      noteId: number;
      caller: MockUser;
      text: string;
    }): CustomerNote {
      const note = requireNote({ customer: visibleCustomer(id, caller), noteId, caller, change: true });
      note.note = text;
      note.updated_at = now();
      return serveNote(note);
    },

    deleteNote(id: number, noteId: number, caller: MockUser): string {
      const note = requireNote({ customer: visibleCustomer(id, caller), noteId, caller, change: true });
      crm().notes.delete(note.id);
      return 'Note deleted';
    },

    // ---------------------------------------------------------------------------------------------- recordings

    /**
     * The recording behind a file id, or `404`. With a token (`viewer`), the recording of an archived customer is the
     * CEO's only; a signed URL plays it whoever follows the link.
     */
    recording(fileId: string, viewer: MockUser | undefined) {
      const recording = crm().recordings.get(fileId);
      const customer = recording && crm().customers.get(recording.customer_id);
      if (!recording || (viewer && viewer.role !== 'CEO' && customer?.archived_at !== null)) {
        throw new MockApiError('NOT_FOUND', 'Recording not found');
      }
      return recording;
    },

    // ---------------------------------------------------------------------------------------------- managers

    /** The active sales managers by name, with how many customers each has now (archived ones included). */
    salesManagers() {
      const loads = new Map<number, number>();
      for (const assignment of indexes().assignments.values()) {
        loads.set(assignment.sales_manager_id, (loads.get(assignment.sales_manager_id) ?? 0) + 1);
      }
      const key = (user: MockUser) => [user.name, user.surname];
      return activeManagers()
        .sort((a, b) => compare(key(a), key(b)) || a.id - b.id)
        .map((user) => ({ ...managerRef(user), assigned_leads_count: loads.get(user.id) ?? 0 }));
    },

    /** Replaces the customer's assignment (the customer may be archived); the target must be an active manager. */
    assign(customerId: number, managerId: number, caller: MockUser) {
      const customer = requireCustomer(customerId);
      const manager = activeManagers().find((user) => user.id === managerId);
      if (!manager) throw new MockApiError('NOT_FOUND', 'No active sales manager with this id');
      const assignment = assign({ customerId: customer.id, managerId: manager.id, by: caller.id });
      return { ...assignment, assigned_at: time.format(assignment.assigned_at) };
    },

    /** Who a customer is assigned to; `404` when nobody, no such customer, or archived and the caller not the CEO. */
    customerManager(id: number, caller: MockUser) {
      visibleCustomer(id, caller);
      const assignment = assignmentOf(id);
      const manager = assignment && state.users.get(assignment.sales_manager_id);
      if (!assignment || !manager) throw new MockApiError('NOT_FOUND', 'No sales manager is assigned to this customer');
      return {
        assignment_id: assignment.id,
        customer_id: id,
        sales_manager: managerRef(manager),
        assigned_at: time.format(assignment.assigned_at),
        assigned_by:
          assignment.assigned_by !== null && state.users.has(assignment.assigned_by) ? assignment.assigned_by : null,
      };
    },

    /** The sales manager a customer is assigned to now, if any. */
    managerOf(customerId: number): MockUser | undefined {
      const assignment = assignmentOf(customerId);
      return assignment && state.users.get(assignment.sales_manager_id);
    },

    /** Forgets every customer (the `empty-crm` scenario); statuses stay. */
    clearCustomers: () => clearCustomers(state),

    /** Records a status change as if `by` made it at `at` (seeds). */
    changeStatus({
      customer,
      status,
      by,
      at,
    }: {
      customer: MockCustomer;
      status: string;
      by: number | null;
      at: number;
    }): void {
      const before = customer.status;
      customer.status = status;
      customer.updated_at = at;
      recordStatus({ customer, from: before, by, at });
    },
  };
}

/** The CRM model of one mock API. */
export type CrmModel = ReturnType<typeof createCrmModel>;
