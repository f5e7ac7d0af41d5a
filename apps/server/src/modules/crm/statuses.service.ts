import type {
  CreateStatusSchema,
  CustomerStatus,
  DynamicStatus,
  StatusCategory,
  UpdateStatusSchema,
} from '@cims/contracts';
import { COMMON_MESSAGES, CRM_MESSAGES, statusKey, usableStatus } from '@cims/contracts/rules';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { z } from 'zod';
import type { Orm } from '../../db/orm.js';
import { asDate, asInt, query, type Row, transaction } from '../../db/sql.js';
import { ApiError, ValidationError } from '../../errors.js';
import { writeAudit } from '../audit/audit.js';
import type { RequestScope } from '../auth/caller.js';
import type { BusinessTime } from './business-time.js';

/** A new status as the route receives it, after the contract's parsing (name normalised, colour upper-cased). */
export type NewStatus = z.output<typeof CreateStatusSchema>;
/** Changes of a status as the route receives them; `null` clears the description or colour. */
export type StatusChanges = z.output<typeof UpdateStatusSchema>;

const STATUS_NOT_FOUND = () => new ApiError('NOT_FOUND', CRM_MESSAGES.statusNotFound);

/**
 * Customer statuses: what `/management/statuses` edits and the CRM's pickers list. Names are immutable and unique
 * (customers reference them); the six legacy statuses are system statuses that can change everything but their name
 * and existence. Deleting a status in use needs `reassign_to`, which moves its customers in the same transaction.
 */
export class StatusService {
  constructor(
    readonly orm: Orm,
    readonly time: BusinessTime,
  ) {}

  #em(): EntityManager {
    return this.orm.em.fork() as EntityManager;
  }

  #toStatus(row: Row): CustomerStatus {
    return {
      id: asInt(row.id),
      name: String(row.name),
      display_name: String(row.display_name),
      description: (row.description as string | null) ?? null,
      color: (row.color as string | null) ?? null,
      order: asInt(row.sort_order),
      category: row.category as StatusCategory,
      is_active: row.is_active === true,
      is_system: row.is_system === true,
      created_at: this.time.format(asDate(row.created_at)),
      updated_at: this.time.format(asDate(row.updated_at)),
    };
  }

  /** Every status, in order (then by id). */
  async list(em = this.#em()): Promise<CustomerStatus[]> {
    return (await query(em, 'select * from customer_status order by sort_order, id')).map((row) => this.#toStatus(row));
  }

  /** The active statuses, in order, for pickers (`GET /crm/statuses/dynamic`). */
  async dynamic(): Promise<DynamicStatus[]> {
    const rows = await query(
      this.#em(),
      'select name, display_name, color, sort_order, description, category from customer_status where is_active order by sort_order, id',
    );
    return rows.map((row) => ({
      value: String(row.name),
      label: String(row.display_name),
      color: (row.color as string | null) ?? null,
      order: asInt(row.sort_order),
      description: (row.description as string | null) ?? null,
      category: row.category as StatusCategory,
    }));
  }

  /**
   * The status a customer write names, by the contract's `usableStatus` rule (any case; active, or the customer's
   * `current` status). Returns the name, or pushes the 422 issue on `status` listing the active names.
   */
  async resolve(
    em: EntityManager,
    { value, current, issues }: { value: string; current?: string; issues: ValidationError['issues'] },
  ): Promise<string | undefined> {
    const rows = await query(em, 'select name, is_active from customer_status order by sort_order, id');
    const statuses = rows.map((row) => ({ name: String(row.name), is_active: row.is_active === true }));
    const usable = usableStatus(value, statuses, current);
    if ('name' in usable) return usable.name;
    issues.push(usable.issue);
    return undefined;
  }

  /** Adds a status (never a system one); without `order` it goes last. 409 when the name exists in any case. */
  async create(status: NewStatus): Promise<CustomerStatus> {
    const name = statusKey(status.name);
    const [row] = await query(
      this.#em(),
      `insert into customer_status (name, display_name, description, color, sort_order, category, is_active, is_system,
         created_at, updated_at)
       select ?, ?, ?, ?, coalesce(?, (select coalesce(max(sort_order), 0) + 1 from customer_status)), ?, ?, false,
         now(), now()
        where not exists (select 1 from customer_status where lower(name) = ?)
       on conflict (name) do nothing
       returning *`,
      [
        name,
        status.display_name,
        status.description ?? null,
        status.color ?? null,
        status.order ?? null,
        status.category,
        status.is_active,
        name,
      ],
    );
    if (!row) throw new ApiError('CONFLICT', CRM_MESSAGES.statusExists(name));
    return this.#toStatus(row);
  }

  /** Changes the label, description, colour, order, category or activity (PUT and PATCH alike); `null` clears. */
  async update(id: number, changes: StatusChanges): Promise<CustomerStatus> {
    const present = Object.entries({
      display_name: changes.display_name,
      description: changes.description,
      color: changes.color,
      sort_order: changes.order,
      category: changes.category,
      is_active: changes.is_active,
    }).filter(([, value]) => value !== undefined);
    if (present.length === 0) throw new ApiError('NOTHING_TO_UPDATE', COMMON_MESSAGES.nothingToUpdate);
    const [row] = await query(
      this.#em(),
      `update customer_status set ${present.map(([column]) => `${column} = ?`).join(', ')}, updated_at = now()
        where id = ? returning *`,
      [...present.map(([, value]) => value), id],
    );
    if (!row) throw STATUS_NOT_FOUND();
    return this.#toStatus(row);
  }

  /** Puts the statuses in the order of `ids` (every id exactly once, else 422), as 1, 2, 3, … in one transaction. */
  async reorder(ids: number[]): Promise<CustomerStatus[]> {
    return transaction(this.#em(), async (tem) => {
      // Locked, so a status created meanwhile cannot be left out of a check that passed.
      const existing = (await query(tem, 'select id from customer_status order by id for update')).map((row) =>
        asInt(row.id),
      );
      const given = new Set(ids);
      if (given.size !== ids.length || given.size !== existing.length || existing.some((id) => !given.has(id))) {
        throw new ValidationError([
          {
            loc: ['body', 'ids'],
            msg: CRM_MESSAGES.statusOrder(existing.length),
            type: 'value_error',
          },
        ]);
      }
      await query(
        tem,
        `update customer_status s set sort_order = o.position, updated_at = now()
           from (select cast(value as int) as id, ordinality as position
                   from jsonb_array_elements_text(cast(? as jsonb)) with ordinality) o
          where s.id = o.id`,
        [JSON.stringify(ids)],
      );
      return this.list(tem);
    });
  }

  /**
   * Deletes a status. System statuses: 403. In use (archived customers included): `409 STATUS_IN_USE` with
   * `in_use_count`, unless `reassignTo` names another status: then, in one transaction, each move is written to the
   * status history (by the caller, with the customer's current sales manager), the customers are moved by one UPDATE
   * and the status goes.
   */
  async delete(
    { caller, info }: RequestScope,
    id: number,
    { reassignTo }: { reassignTo?: string },
  ): Promise<{ message: string; reassigned_count: number }> {
    return transaction(this.#em(), async (tem) => {
      // The row lock makes concurrent customer writes naming this status wait (their foreign key check needs a share
      // lock on it), so no customer can slip into the status between the count and the delete.
      const [status] = await query(tem, 'select name, is_system from customer_status where id = ? for update', [id]);
      if (!status) throw STATUS_NOT_FOUND();
      const name = String(status.name);
      if (status.is_system === true) {
        throw new ApiError('FORBIDDEN', CRM_MESSAGES.systemStatus(name));
      }
      let target: string | undefined;
      if (reassignTo !== undefined) {
        const [found] = await query(tem, 'select name from customer_status where name = ?', [statusKey(reassignTo)]);
        const problem = !found
          ? CRM_MESSAGES.reassignUnknown(reassignTo.trim())
          : found.name === name
            ? CRM_MESSAGES.reassignSame
            : undefined;
        if (problem) throw new ValidationError([{ loc: ['query', 'reassign_to'], msg: problem, type: 'value_error' }]);
        target = String(found?.name);
      }
      const [usage] = await query(tem, 'select count(*) as n from customer where status = ?', [name]);
      const inUse = asInt(usage?.n);
      if (inUse > 0 && target === undefined) {
        throw new ApiError('STATUS_IN_USE', CRM_MESSAGES.statusInUse(inUse, name), {
          extra: { in_use_count: inUse },
        });
      }
      let moved = 0;
      if (inUse > 0 && target !== undefined) {
        await query(
          tem,
          `insert into customer_status_change (customer_id, from_status, to_status, changed_by, sales_manager_id, changed_at)
           select c.id, c.status, ?, ?, a.sales_manager_id, now()
             from customer c left join sales_manager_assignment a on a.customer_id = c.id
            where c.status = ?`,
          [target, caller.userId, name],
        );
        const rows = await query(
          tem,
          'update customer set status = ?, updated_at = now() where status = ? returning id',
          [target, name],
        );
        moved = rows.length;
      }
      await query(tem, 'delete from customer_status where id = ?', [id]);
      await writeAudit(
        tem,
        {
          module: 'crm',
          actorUserId: caller.userId,
          entityType: 'customer_status',
          entityId: id,
          action: 'delete',
          data: { name, reassign_to: target ?? null, reassigned_count: moved },
        },
        info,
      );
      return {
        message: CRM_MESSAGES.statusDeleted(name, target ? { count: moved, to: target } : undefined),
        reassigned_count: moved,
      };
    });
  }
}
