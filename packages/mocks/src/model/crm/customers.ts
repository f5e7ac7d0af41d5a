import type { Customer, CustomerDetail, KeptField, Platform, StatusChange, ValidationIssue } from '@cims/contracts';
import { updatedValue } from '@cims/contracts';
import {
  CRM_MESSAGES,
  type CustomerFormFields,
  type CustomerUpdateFields,
  type IntakeFields,
  plainChangesOf,
} from '@cims/contracts/rules';
import { MockApiError } from '../../route-handler.js';
import type { MockCustomer, MockUser } from '../../state.js';
import type { CrmCore } from './core.js';
import { fullName, issue, type MockCustomerInput } from './types.js';

/** The customers: create (form, intake, QA), read, update, archive, restore, delete, their status history. */
export function crmCustomers(core: CrmCore) {
  const {
    state,
    options,
    now,
    time,
    crm,
    statusInput,
    phoneInput,
    momentInput,
    fail,
    newCustomerFields,
    readRecording,
    attachRecording,
    recordStatus,
    insertCustomer,
    visibleCustomer,
    requireCustomer,
    removeCustomer,
    indexes,
    serveNote,
    serveCustomer,
    serveCustomers,
  } = core;
  return {
    /** `POST /crm/customers`: auto-assigned in turn; its first status recorded as changed by the caller. */
    async create(caller: MockUser, { body, file }: { body: CustomerFormFields; file: File | undefined }) {
      const fields = newCustomerFields(body);
      const recording = await readRecording(file);
      const { customer, manager } = insertCustomer({ fields, by: caller.id, autoAssign: true });
      if (recording) attachRecording(customer, recording);
      return { message: CRM_MESSAGES.customerCreated, id: customer.id, sales_manager_id: manager?.id ?? null };
    },

    /** `POST /crm/api/customers` (the key was checked before): no author; assigned unless `intakeAutoAssign` is off. */
    intake(input: IntakeFields) {
      const { customer, manager } = insertCustomer({
        fields: newCustomerFields(input),
        by: null,
        autoAssign: options.intakeAutoAssign,
      });
      return { message: CRM_MESSAGES.customerCreated, id: customer.id, sales_manager_id: manager?.id ?? null };
    },

    /** A customer QA adds directly (seeds, fixtures), checked like a form. */
    addCustomer(input: MockCustomerInput): MockCustomer {
      const by = input.created_by
        ? [...state.users.values()].find((user) => user.email === input.created_by?.trim().toLowerCase())
        : undefined;
      if (input.created_by && !by) throw new Error(`The mocks have no user ${input.created_by}`);
      const fields = newCustomerFields(input);
      return insertCustomer({
        fields,
        by: by?.id ?? null,
        autoAssign: input.autoAssign ?? true,
        at: input.created_at ?? now(),
      }).customer;
    },

    detail(caller: MockUser, id: number): CustomerDetail {
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
    async update(
      caller: MockUser,
      id: number,
      { body: input, file }: { body: CustomerUpdateFields; file: File | undefined },
    ): Promise<Customer> {
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
        ...plainChangesOf(input),
        full_name: fullName,
        // A changed platform passed PlatformSchema: it is one of the keys.
        platform: platform as Platform | undefined,
        phone_number: phone,
        status,
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
    archive(caller: MockUser, id: number): string {
      const customer = visibleCustomer(id, caller);
      if (customer.archived_at !== null) return CRM_MESSAGES.alreadyArchived;
      customer.archived_at = now();
      customer.updated_at = customer.archived_at;
      return CRM_MESSAGES.customerArchived;
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
      if (customer.archived_at === null) throw new MockApiError('CONFLICT', CRM_MESSAGES.notArchived);
      customer.archived_at = null;
      customer.updated_at = now();
      return CRM_MESSAGES.customerRestored;
    },

    hardDelete(id: number): string {
      removeCustomer(requireCustomer(id));
      return CRM_MESSAGES.customerDeleted;
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
    archived({ limit, offset }: { limit: number; offset: number }): Customer[] {
      const list = [...crm().customers.values()]
        .filter((customer) => customer.archived_at !== null)
        .sort((a, b) => (b.archived_at ?? 0) - (a.archived_at ?? 0) || b.id - a.id);
      return serveCustomers(list.slice(offset, offset + limit));
    },

    statusHistory(caller: MockUser, id: number): StatusChange[] {
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
  };
}
