import type { CustomerNote } from '@cims/contracts';
import { CRM_MESSAGES } from '@cims/contracts/rules';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Orm } from '../../db/orm.js';
import { asInt, query, transaction } from '../../db/sql.js';
import { ApiError } from '../../errors.js';
import { type RequestInfo, writeAudit } from '../audit/audit.js';
import type { Caller } from '../auth/caller.js';
import type { BusinessTime } from './business-time.js';
import { refreshInsights, visibleCustomer } from './customer-rules.js';
import { NOTE_COLUMNS, NOTE_FROM, toNote } from './customer-view.js';

const NOTE_NOT_FOUND = () => new ApiError('NOT_FOUND', CRM_MESSAGES.noteNotFound);

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
  async list(customerId: number, caller: Caller) {
    const em = this.#em();
    await visibleCustomer(em, customerId, caller);
    const rows = await query(
      em,
      `select ${NOTE_COLUMNS} from ${NOTE_FROM} where n.customer_id = ? order by n.created_at, n.id`,
      [customerId],
    );
    const items = rows.map((row) => toNote(row, this.time));
    return { customer_id: customerId, items, total_count: items.length };
  }

  async create(customerId: number, note: string, caller: Caller, info: RequestInfo): Promise<CustomerNote> {
    return transaction(this.#em(), async (tem) => {
      await visibleCustomer(tem, customerId, caller, { lock: true });
      const [row] = await query(
        tem,
        `insert into customer_note (customer_id, note, created_by, created_at, updated_at)
         values (?, ?, ?, now(), now()) returning id`,
        [customerId, note, caller.userId],
      );
      const id = asInt(row?.id);
      await refreshInsights(tem, customerId);
      await this.#audit(tem, caller, customerId, id, 'note_create', info);
      return this.#note(tem, id);
    });
  }

  async update(
    customerId: number,
    noteId: number,
    note: string,
    caller: Caller,
    info: RequestInfo,
  ): Promise<CustomerNote> {
    return transaction(this.#em(), async (tem) => {
      await visibleCustomer(tem, customerId, caller, { lock: true });
      await this.#authored(tem, customerId, noteId, caller);
      await query(tem, 'update customer_note set note = ?, updated_at = now() where id = ?', [note, noteId]);
      await refreshInsights(tem, customerId);
      await this.#audit(tem, caller, customerId, noteId, 'note_update', info);
      return this.#note(tem, noteId);
    });
  }

  async delete(customerId: number, noteId: number, caller: Caller, info: RequestInfo): Promise<{ message: string }> {
    return transaction(this.#em(), async (tem) => {
      await visibleCustomer(tem, customerId, caller, { lock: true });
      await this.#authored(tem, customerId, noteId, caller);
      await query(tem, 'delete from customer_note where id = ?', [noteId]);
      await refreshInsights(tem, customerId);
      await this.#audit(tem, caller, customerId, noteId, 'note_delete', info);
      return { message: CRM_MESSAGES.noteDeleted };
    });
  }

  /** The note must be on this customer (else 404), and the caller its author or the CEO (else 403). */
  async #authored(em: EntityManager, customerId: number, noteId: number, caller: Caller): Promise<void> {
    const [row] = await query(em, 'select customer_id, created_by from customer_note where id = ? for update', [
      noteId,
    ]);
    if (!row || asInt(row.customer_id) !== customerId) throw NOTE_NOT_FOUND();
    const author = row.created_by === null ? null : asInt(row.created_by);
    if (caller.role !== 'CEO' && author !== caller.userId) {
      throw new ApiError('FORBIDDEN', CRM_MESSAGES.noteAuthorOnly);
    }
  }

  #audit(em: EntityManager, caller: Caller, customerId: number, noteId: number, action: string, info: RequestInfo) {
    // The note's text stays out of the audit log: it is personal data about the customer.
    return writeAudit(
      em,
      'crm',
      { actorUserId: caller.userId, entityType: 'customer', entityId: customerId, action, data: { note_id: noteId } },
      info,
    );
  }
}
