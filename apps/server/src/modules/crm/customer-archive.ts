import { CRM_MESSAGES } from '@cims/contracts/rules';
import { query, transaction } from '../../db/sql.js';
import { ApiError } from '../../errors.js';
import type { RequestScope } from '../auth/caller.js';
import { auditCustomer, type CustomerContext } from './customer-context.js';
import { discardRecordings } from './customer-recordings.js';
import { CUSTOMER_NOT_FOUND } from './customer-rules.js';

/** Archives (soft-deletes); archiving an archived customer again is a no-op. */
export async function archiveCustomer(
  ctx: CustomerContext,
  scope: RequestScope,
  id: number,
): Promise<{ message: string }> {
  return transaction(ctx.em(), async (tem) => {
    const [row] = await query(
      tem,
      'update customer set archived_at = now(), updated_at = now() where id = ? and archived_at is null returning id',
      [id],
    );
    if (!row) {
      const [exists] = await query(tem, 'select 1 from customer where id = ?', [id]);
      // To anyone but the CEO an archived customer does not exist.
      if (!exists || scope.caller.role !== 'CEO') throw CUSTOMER_NOT_FOUND();
      return { message: CRM_MESSAGES.alreadyArchived };
    }
    await auditCustomer(
      tem,
      { actorUserId: scope.caller.userId, entityType: 'customer', entityId: id, action: 'archive' },
      scope.info,
    );
    return { message: CRM_MESSAGES.customerArchived };
  });
}

/** Restores an archived customer (CEO); 409 when it is not archived. */
export async function restoreCustomer(
  ctx: CustomerContext,
  scope: RequestScope,
  id: number,
): Promise<{ message: string }> {
  return transaction(ctx.em(), async (tem) => {
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
    await auditCustomer(
      tem,
      { actorUserId: scope.caller.userId, entityType: 'customer', entityId: id, action: 'restore' },
      scope.info,
    );
    return { message: CRM_MESSAGES.customerRestored };
  });
}

/** Deletes a customer for good (CEO): its notes, history and assignment go with it (cascades), then its recording. */
export async function deleteCustomer(
  ctx: CustomerContext,
  scope: RequestScope,
  id: number,
): Promise<{ message: string }> {
  const recordings = await transaction(ctx.em(), async (tem) => {
    const rows = await query<{ id: number; audio_file_id: string | null }>(
      tem,
      'delete from customer where id = ? returning id, audio_file_id',
      [id],
    );
    if (rows.length === 0) throw CUSTOMER_NOT_FOUND();
    await auditCustomer(
      tem,
      { actorUserId: scope.caller.userId, entityType: 'customer', entityId: id, action: 'hard_delete' },
      scope.info,
    );
    return rows;
  });
  await discardRecordings(ctx, recordings);
  return { message: CRM_MESSAGES.customerDeleted };
}
