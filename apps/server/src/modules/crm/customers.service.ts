import type { Customer, CustomerDetail, StatusChange } from '@cims/contracts';
import type { IntakeFields } from '@cims/contracts/rules';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { RequestInfo } from '../audit/audit.js';
import type { RequestScope } from '../auth/caller.js';
import type { AudioService } from './audio.js';
import { archiveCustomer, deleteCustomer, restoreCustomer } from './customer-archive.js';
import { type BulkResult, bulkArchive, bulkHardDelete } from './customer-bulk.js';
import type { CustomerContext, CustomerServiceDeps } from './customer-context.js';
import {
  type Created,
  createCustomer,
  intakeCustomer,
  type NewCustomerOptions,
  type SeedCustomerValues,
  seedCustomer,
} from './customer-create.js';
import { statusHistory } from './customer-history.js';
import type { CreateBody, UpdateBody } from './customer-input.js';
import { customerDetail } from './customer-read.js';
import type { UploadedAudio } from './customer-recordings.js';
import { updateCustomer } from './customer-update.js';
import type { CustomerViewContext } from './customer-view.js';
import type { NoteService } from './notes.service.js';
import type { StatusService } from './statuses.service.js';

/**
 * Customers: create (from the app or the intake API), read, update, archive, restore, delete, and their status
 * history — one file per action (`customer-create.ts`, `customer-read.ts`, `customer-update.ts`,
 * `customer-archive.ts`, `customer-bulk.ts`, `customer-history.ts`, `customer-recordings.ts`), over one column table
 * (`customer-table.ts`). Each request is one transaction holding the customer row, its status history, its assignment
 * (the round robin) and its audit entry; a recording is written before the transaction and removed again if it
 * fails, and a replaced or deleted recording is removed only after the commit, so no file is ever orphaned nor
 * referenced while missing.
 */
export class CustomerService implements CustomerContext {
  readonly statuses: StatusService;
  readonly notes: NoteService;
  readonly audio: AudioService;
  readonly view: CustomerViewContext;

  constructor(readonly deps: CustomerServiceDeps) {
    this.statuses = deps.statuses;
    this.notes = deps.notes;
    this.audio = deps.audio;
    this.view = { time: deps.time, audioUrl: (fileId) => deps.audio.url(fileId) };
  }

  em(): EntityManager {
    return this.deps.orm.em.fork() as EntityManager;
  }

  /** `POST /crm/customers`: assigned in turn to the active sales managers; the caller is its author. */
  create(scope: RequestScope, input: { body: CreateBody; file: UploadedAudio | undefined }): Promise<Created> {
    return createCustomer(this, scope, input);
  }

  /** `POST /crm/api/customers`: no author; in the round robin unless `CRM_INTAKE_AUTO_ASSIGN=false`. */
  intake(info: RequestInfo, body: IntakeFields): Promise<Created> {
    return intakeCustomer(this, info, body);
  }

  /**
   * Creates a customer with validated values in one transaction, as the routes do: for seeding (demo data), where
   * `options.at` places it in the past; a plain field left out is not set.
   */
  createWith(values: SeedCustomerValues, options: NewCustomerOptions, info: RequestInfo): Promise<number> {
    return seedCustomer(this, info, { values, options });
  }

  /** A customer with its notes (oldest first); archived ones for the CEO only. */
  detail(scope: Pick<RequestScope, 'caller'>, id: number): Promise<CustomerDetail> {
    return customerDetail(this, scope, id);
  }

  /** Every status the customer had, oldest first. */
  statusHistory(scope: Pick<RequestScope, 'caller'>, id: number): Promise<StatusChange[]> {
    return statusHistory(this, scope, id);
  }

  /** `PUT`/`PATCH`: an absent field stays, an emptied optional one is cleared; see `customer-update.ts`. */
  update(
    scope: RequestScope,
    id: number,
    input: { body: UpdateBody; file: UploadedAudio | undefined },
  ): Promise<Customer> {
    return updateCustomer(this, scope, { id, ...input });
  }

  /** Archives (soft-deletes); archiving an archived customer again is a no-op. */
  archive(scope: RequestScope, id: number): Promise<{ message: string }> {
    return archiveCustomer(this, scope, id);
  }

  /** Restores an archived customer (CEO); 409 when it is not archived. */
  restore(scope: RequestScope, id: number): Promise<{ message: string }> {
    return restoreCustomer(this, scope, id);
  }

  /** Deletes a customer for good (CEO), then its recording. */
  hardDelete(scope: RequestScope, id: number): Promise<{ message: string }> {
    return deleteCustomer(this, scope, id);
  }

  /** Archives the customers of `ids` that exist and are not archived, in one statement. */
  bulkArchive(scope: RequestScope, ids: number[]): Promise<BulkResult> {
    return bulkArchive(this, scope, ids);
  }

  /** Deletes the customers of `ids` that exist, in one statement, then their recordings. */
  bulkHardDelete(scope: RequestScope, ids: number[]): Promise<BulkResult> {
    return bulkHardDelete(this, scope, ids);
  }
}
