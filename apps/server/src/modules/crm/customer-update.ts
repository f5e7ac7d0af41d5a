import type { Customer, KeptField, ValidationIssue } from '@cims/contracts';
import { updatedValue } from '@cims/contracts';
import { agreedStatus, type CustomerUpdateFields, type NewCustomerValues, plainChangesOf } from '@cims/contracts/rules';
import { asDateOrNull, query, transaction } from '../../db/sql.js';
import { ValidationError } from '../../errors.js';
import type { RequestScope } from '../auth/caller.js';
import { auditCustomer, type CustomerContext } from './customer-context.js';
import { recordStatus } from './customer-history.js';
import { fieldsOf, issue, momentOf, phoneOf, type UpdateBody } from './customer-input.js';
import { customerById } from './customer-read.js';
import { discardRecording, type UploadedAudio, withNewAudio } from './customer-recordings.js';
import { insightValues, notesOf, visibleCustomer } from './customer-rules.js';
import { FORM_COLUMNS, type FormColumn, INSIGHT_COLUMNS } from './customer-table.js';

/** Whether a stored value equals a new one (Dates by instant; drivers return timestamps as Dates or strings). */
function same(stored: unknown, next: unknown): boolean {
  if (next instanceof Date) return asDateOrNull(stored)?.getTime() === next.getTime();
  if (stored === null || stored === undefined || next === null) return (stored ?? null) === next;
  return String(stored) === String(next);
}

/** The customer's stored values an update compares with, locked for the rest of its transaction. */
type StoredCustomer = Record<FormColumn, unknown> & { audio_file_id: string | null };

/**
 * `PUT`/`PATCH` (the same): an absent field stays, an emptied optional one is cleared, `clear_recall_time` wins over
 * `recall_time`; a new recording replaces the old one. A status change is recorded with the customer's current sales
 * manager; the same status again records nothing. Nothing to change is still a 200.
 */
export async function updateCustomer(
  ctx: CustomerContext,
  scope: RequestScope,
  input: { id: number; body: UpdateBody; file: UploadedAudio | undefined },
): Promise<Customer> {
  const { id, file } = input;
  const { caller, info } = scope;
  const fields = fieldsOf<CustomerUpdateFields>(input.body);
  const em = ctx.em();
  const current = await visibleCustomer<Record<KeptField | 'status', string>>(em, {
    id,
    caller,
    columns: 'c.status, c.full_name, c.platform, c.phone_number',
  });
  const issues: ValidationIssue[] = [];
  const name = agreedStatus(fields.status, fields.customer_status, issues);
  const status =
    name === undefined
      ? undefined
      : await ctx.deps.statuses.resolve(em, { value: name, current: String(current.status), issues });
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
  const phone = phoneText === undefined ? undefined : phoneOf(ctx, phoneText, issues);
  let recall: Date | null | undefined;
  if (fields.clear_recall_time === true || fields.recall_time === null) recall = null;
  else if (fields.recall_time !== undefined) recall = momentOf(ctx, fields.recall_time, issues);
  if (issues.length > 0) throw new ValidationError(issues);

  // `undefined`: not sent, unchanged. The kept fields' stored text may predate the contract's types (legacy imports).
  const next: { [K in FormColumn]?: NewCustomerValues<Date>[K] | string | null } = {
    ...plainChangesOf(fields),
    full_name: fullName,
    platform,
    phone_number: phone,
    status,
    conversation_language: fields.conversation_language,
    recall_time: recall,
  };
  let replaced: string | null = null;
  const customer = await withNewAudio(ctx, file, (stored) =>
    transaction(em, async (tem) => {
      const row = await visibleCustomer<StoredCustomer>(tem, { id, caller, columns: 'c.*', lock: true });
      const set: [string, unknown][] = FORM_COLUMNS.filter(
        (column) => next[column] !== undefined && !same(row[column], next[column]),
      ).map((column) => [column, next[column]]);
      const changed = set.map(([column]) => column);
      if (changed.includes('notes')) {
        // The derived summary and priority follow the notes (with the notes list, oldest first).
        const insights = insightValues(next.notes ?? null, await notesOf(tem, id));
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
        await auditCustomer(
          tem,
          { actorUserId: caller.userId, entityType: 'customer', entityId: id, action: 'update', data: { changed } },
          info,
        );
      }
      if (changed.includes('status')) {
        const from = String(row.status);
        await recordStatus(tem, { customerId: id, from, to: String(status), by: caller.userId, at: null });
        await auditCustomer(
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
      replaced = stored ? row.audio_file_id : null;
      return customerById(ctx, tem, { id, caller });
    }),
  );
  if (replaced) await discardRecording(ctx, replaced);
  return customer;
}
