import type { CustomerNote } from '@cims/contracts';
import { CRM_MESSAGES } from '@cims/contracts/rules';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Orm } from '../../db/orm.js';
import { asInt, query, transaction } from '../../db/sql.js';
import { ApiError } from '../../errors.js';
import { writeAudit } from '../audit/audit.js';
import type { Caller, RequestScope } from '../auth/caller.js';
import type { BusinessTime } from './business-time.js';
import { refreshInsights, visibleCustomer } from './customer-rules.js';
import { NOTE_COLUMNS, NOTE_FROM, toNote } from './customer-view.js';

const NOTE_NOT_FOUND = () => new ApiError('NOT_FOUND', CRM_MESSAGES.noteNotFound);

/** A note, by the customer it is on and its own id (both in the route's path). */
export interface NoteRef {
  customerId: number;
  noteId: number;
}

/** What a note write sends: the note's text. */
export interface NoteInput {
  note: string;
}

/**
 * The notes list of a customer. Anyone in the CRM adds notes to the customers they see; only a note's author or the
 * CEO changes or deletes it. Every change recomputes the customer's derived summary and priority in its transaction.
 */
export class NoteService {
  constructor(
    readonly orm: Orm,
    readonly time: BusinessTime,
  ) {}

  #em(): EntityManager {
    return this.orm.em.fork() as EntityManager;
  }

  async #note(em: EntityManager, noteId: number): Promise<CustomerNote> {
    const [row] = await query(em, `select ${NOTE_COLUMNS} from ${NOTE_FROM} where n.id = ?`, [noteId]);
    if (!row) throw NOTE_NOT_FOUND();
    return toNote(row, this.time);
  }

  /** The notes of a customer, oldest first. */
  async list({ caller }: Pick<RequestScope, 'caller'>, customerId: number) {
    const em = this.#em();
    await visibleCustomer(em, { id: customerId, caller });
    const rows = await query(
      em,
      `select ${NOTE_COLUMNS} from ${NOTE_FROM} where n.customer_id = ? order by n.created_at, n.id`,
      [customerId],
    );
    const items = rows.map((row) => toNote(row, this.time));
    return { customer_id: customerId, items, total_count: items.length };
  }

  async create(scope: RequestScope, customerId: number, { note }: NoteInput): Promise<CustomerNote> {
    return transaction(this.#em(), async (tem) => {
      await visibleCustomer(tem, { id: customerId, caller: scope.caller, lock: true });
      const [row] = await query(
        tem,
        `insert into customer_note (customer_id, note, created_by, created_at, updated_at)
         values (?, ?, ?, now(), now()) returning id`,
        [customerId, note, scope.caller.userId],
      );
      const noteId = asInt(row?.id);
      await refreshInsights(tem, customerId);
      await this.#audit(tem, scope, { customerId, noteId, action: 'note_create' });
      return this.#note(tem, noteId);
    });
  }

  async update(scope: RequestScope, ref: NoteRef, { note }: NoteInput): Promise<CustomerNote> {
    return transaction(this.#em(), async (tem) => {
      await this.#authored(tem, scope.caller, ref);
      await query(tem, 'update customer_note set note = ?, updated_at = now() where id = ?', [note, ref.noteId]);
      await refreshInsights(tem, ref.customerId);
      await this.#audit(tem, scope, { ...ref, action: 'note_update' });
      return this.#note(tem, ref.noteId);
    });
  }

  async delete(scope: RequestScope, ref: NoteRef): Promise<{ message: string }> {
    return transaction(this.#em(), async (tem) => {
      await this.#authored(tem, scope.caller, ref);
      await query(tem, 'delete from customer_note where id = ?', [ref.noteId]);
      await refreshInsights(tem, ref.customerId);
      await this.#audit(tem, scope, { ...ref, action: 'note_delete' });
      return { message: CRM_MESSAGES.noteDeleted };
    });
  }

  /**
   * Locks the customer (visible to the caller, else 404) for the note's change; the note must be on this customer
   * (else 404), and the caller its author or the CEO (else 403).
   */
  async #authored(em: EntityManager, caller: Caller, { customerId, noteId }: NoteRef): Promise<void> {
    await visibleCustomer(em, { id: customerId, caller, lock: true });
    const [row] = await query(em, 'select customer_id, created_by from customer_note where id = ? for update', [
      noteId,
    ]);
    if (!row || asInt(row.customer_id) !== customerId) throw NOTE_NOT_FOUND();
    const author = row.created_by === null ? null : asInt(row.created_by);
    if (caller.role !== 'CEO' && author !== caller.userId) {
      throw new ApiError('FORBIDDEN', CRM_MESSAGES.noteAuthorOnly);
    }
  }

  #audit(
    em: EntityManager,
    { caller, info }: RequestScope,
    { customerId, noteId, action }: NoteRef & { action: string },
  ) {
    // The note's text stays out of the audit log: it is personal data about the customer.
    return writeAudit(
      em,
      {
        module: 'crm',
        actorUserId: caller.userId,
        entityType: 'customer',
        entityId: customerId,
        action,
        data: { note_id: noteId },
      },
      info,
    );
  }
}
