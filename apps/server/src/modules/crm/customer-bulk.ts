import { asInt, query, transaction } from '../../db/sql.js';
import type { RequestScope } from '../auth/caller.js';
import { auditCustomer, type CustomerContext } from './customer-context.js';
import { discardRecordings } from './customer-recordings.js';

/** What a bulk action answers: how many customers it changed (unknown ids are skipped). */
export interface BulkResult {
  message: string;
  count: number;
}

/** Archives the customers of `ids` that exist and are not archived, in one statement; says how many. */
export async function bulkArchive(ctx: CustomerContext, scope: RequestScope, ids: number[]): Promise<BulkResult> {
  return transaction(ctx.em(), async (tem) => {
    const rows = await query<{ id: number | string }>(
      tem,
      `update customer set archived_at = now(), updated_at = now()
        where id in (select cast(value as bigint) from jsonb_array_elements_text(cast(? as jsonb)))
          and archived_at is null
        returning id`,
      [JSON.stringify(ids)],
    );
    const changed = rows.map((row) => asInt(row.id));
    if (changed.length > 0) {
      await auditCustomer(
        tem,
        {
          actorUserId: scope.caller.userId,
          entityType: 'customer',
          entityId: null,
          action: 'bulk_archive',
          data: { ids: changed },
        },
        scope.info,
      );
    }
    return { message: `${changed.length} customer(s) archived`, count: changed.length };
  });
}

/** Deletes the customers of `ids` that exist, in one statement, then their recordings; says how many. */
export async function bulkHardDelete(ctx: CustomerContext, scope: RequestScope, ids: number[]): Promise<BulkResult> {
  const rows = await transaction(ctx.em(), async (tem) => {
    const deleted = await query<{ id: number | string; audio_file_id: string | null }>(
      tem,
      `delete from customer
        where id in (select cast(value as bigint) from jsonb_array_elements_text(cast(? as jsonb)))
        returning id, audio_file_id`,
      [JSON.stringify(ids)],
    );
    if (deleted.length > 0) {
      await auditCustomer(
        tem,
        {
          actorUserId: scope.caller.userId,
          entityType: 'customer',
          entityId: null,
          action: 'bulk_hard_delete',
          data: { ids: deleted.map((row) => asInt(row.id)) },
        },
        scope.info,
      );
    }
    return deleted;
  });
  await discardRecordings(ctx, rows);
  return { message: `${rows.length} customer(s) deleted for good`, count: rows.length };
}
