import type { Customer, CustomerNote, CustomerStatus, ValidationIssue } from '@cims/contracts';
import { DEFAULT_CUSTOMER_STATUS, INSTANT_RANGE_MESSAGE, isAcceptedInstant, leadInsights } from '@cims/contracts';
import {
  agreedStatus,
  CRM_MESSAGES,
  type CustomerFormFields,
  nextSalesManager,
  normalizePhone,
  PLAIN_CUSTOMER_FIELDS,
  type PlainCustomerValues,
  plainValuesOf,
  sniffAudio,
  statusKey,
  usableStatus,
} from '@cims/contracts/rules';
import { MockApiError } from '../../route-handler.js';
import type { MockAssignment, MockCustomer, MockNote, MockState, MockStatus, MockUser } from '../../state.js';
import { randomToken } from '../tokens.js';

import {
  type AssignedManager,
  byNewest,
  type CrmModelOptions,
  type CustomerFields,
  fullName,
  type Indexes,
  issue,
  type ManagerRef,
  type ReadRecording,
} from './types.js';

/**
 * The state and the shared steps of the CRM model (status and input checks, assignment, the served shapes), which its
 * topic files (`statuses.ts`, `customers.ts`, `notes.ts`, `managers.ts`) build on.
 */
export function createCrmCore(state: MockState, options: CrmModelOptions) {
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
    const wanted = statusKey(name);
    for (const status of crm().statuses.values()) if (status.name === wanted) return status;
    return undefined;
  }

  function requireStatus(id: number): MockStatus {
    const status = crm().statuses.get(id);
    if (!status) throw new MockApiError('NOT_FOUND', CRM_MESSAGES.statusNotFound);
    return status;
  }

  function serveStatus(status: MockStatus): CustomerStatus {
    return { ...status, created_at: time.format(status.created_at), updated_at: time.format(status.updated_at) };
  }

  /** The status name for a customer write by the contract's `usableStatus` rule, or an issue. */
  function resolveStatus(value: string, issues: ValidationIssue[], current?: string): string | undefined {
    const usable = usableStatus(value, statusesInOrder(), current);
    if ('name' in usable) return usable.name;
    issues.push(usable.issue);
    return undefined;
  }

  /** `status` and `customer_status` are one field (the contract's `agreedStatus`), naming a usable status. */
  function statusInput(
    fields: { status?: string; customer_status?: string },
    issues: ValidationIssue[],
    current?: string,
  ): string | undefined {
    const value = agreedStatus(fields.status, fields.customer_status, issues);
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
    if (at === undefined) issues.push(issue('recall_time', CRM_MESSAGES.dateTimeInvalid));
    else if (!isAcceptedInstant(new Date(at))) issues.push(issue('recall_time', INSTANT_RANGE_MESSAGE));
    return at;
  }

  function fail(issues: ValidationIssue[]): void {
    if (issues.length > 0) throw new MockApiError('VALIDATION_FAILED', issues);
  }

  /** The fields of a new customer (create, intake, QA), every problem reported at once. */
  function newCustomerFields(
    input: Pick<CustomerFormFields, 'full_name' | 'platform' | 'phone_number' | 'status' | 'customer_status'> &
      Parameters<typeof plainValuesOf>[0] & {
        conversation_language?: CustomerFormFields['conversation_language'] | null;
        recall_time?: string | null;
      },
  ): CustomerFields {
    const issues: ValidationIssue[] = [];
    const phone = phoneInput(input.phone_number, issues);
    const status =
      input.status === undefined && input.customer_status === undefined
        ? resolveStatus(DEFAULT_CUSTOMER_STATUS, issues)
        : statusInput(input, issues);
    const recall = input.recall_time ? momentInput(input.recall_time, issues) : null;
    fail(issues);
    return {
      full_name: input.full_name,
      platform: input.platform,
      phone_number: phone ?? '',
      status: status ?? '',
      conversation_language: input.conversation_language ?? 'uz',
      recall_time: recall ?? null,
      ...plainValuesOf(input),
    };
  }

  /**
   * Reads an uploaded recording. Its only callers, `create` and `update`, get the file from the route handler, which
   * already answered `415` to bytes `sniffAudio` does not know (the `audio` part declares audio types: `checkFileType`
   * in `route-handler.ts`), so a file here always has a known signature; the sniff only names its type.
   */
  async function readRecording(file: File | undefined): Promise<ReadRecording | undefined> {
    if (!file) return undefined;
    const found = sniffAudio(new Uint8Array(await file.slice(0, 16).arrayBuffer()));
    if (!found) throw new Error('readRecording: the route handler lets only known audio signatures through');
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
      throw new MockApiError('NOT_FOUND', CRM_MESSAGES.customerNotFound);
    }
    return customer;
  }

  function requireCustomer(id: number): MockCustomer {
    const customer = crm().customers.get(id);
    if (!customer) throw new MockApiError('NOT_FOUND', CRM_MESSAGES.customerNotFound);
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

  /** The plain fields of a stored customer, served as they are. */
  function plainFieldsOf(customer: MockCustomer): PlainCustomerValues {
    const values: Record<string, unknown> = {};
    for (const field of PLAIN_CUSTOMER_FIELDS) values[field] = customer[field];
    return values as PlainCustomerValues;
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
      phone_number: customer.phone_number,
      status: customer.status,
      status_label: status?.display_name ?? customer.status,
      status_category: status?.category ?? 'open',
      ...plainFieldsOf(customer),
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
    if (!note || note.customer_id !== customer.id) throw new MockApiError('NOT_FOUND', CRM_MESSAGES.noteNotFound);
    if (change && caller.role !== 'CEO' && note.created_by !== caller.id) {
      throw new MockApiError('FORBIDDEN', CRM_MESSAGES.noteAuthorOnly);
    }
    return note;
  }

  /**
   * An active sales manager by id, for the CEO or that manager: `403` for anyone else (before anything is looked up),
   * else `404`.
   */
  function managerFor(caller: MockUser, id: number): MockUser {
    if (caller.role !== 'CEO' && caller.id !== id) {
      throw new MockApiError('FORBIDDEN', CRM_MESSAGES.otherManagersData);
    }
    const user = state.users.get(id);
    if (user?.role !== 'SalesManager' || !user.is_active) {
      throw new MockApiError('NOT_FOUND', CRM_MESSAGES.managerNotFound);
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
    state,
    options,
    now,
    time,
    signer,
    crm,
    statusesInOrder,
    activeStatuses,
    statusNamed,
    requireStatus,
    serveStatus,
    resolveStatus,
    statusInput,
    phoneInput,
    momentInput,
    fail,
    newCustomerFields,
    readRecording,
    attachRecording,
    activeManagers,
    managerRef,
    assignmentOf,
    assign,
    autoAssign,
    recordStatus,
    insertCustomer,
    visibleCustomer,
    requireCustomer,
    removeCustomer,
    indexes,
    serveNote,
    audioUrl,
    serveCustomer,
    serveCustomers,
    liveCustomers,
    requireNote,
    managerFor,
    assignedTo,
  };
}

/** The shared steps of one CRM model. */
export type CrmCore = ReturnType<typeof createCrmCore>;
