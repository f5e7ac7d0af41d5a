import { CUSTOMER_TYPES, LANGUAGES, PhoneSchema, PlatformSchema, PRIORITY_LEVELS } from '@cims/contracts';
import { normalizePhone } from '@cims/contracts/rules';
import type { CountryCode } from 'libphonenumber-js';
import { asInt, query } from '../db/sql.js';
import type { CustomerColumn } from '../modules/crm/customer-table.js';
import { decryptFernet, FernetError } from './fernet.js';
import { tashkentMillis, utcMillis } from './legacy-source.js';
import { quoted, type StepContext, text } from './step.js';
import { inRange, insertRows, instant, moveSequences } from './target.js';

/**
 * Statuses: the legacy `customer_status` rows by name. The six built-in ones keep their category here and take the
 * legacy labels, colours, order and activity; custom ones are added (category `open`).
 */
export async function importStatuses(ctx: StepContext): Promise<void> {
  const { source, em, report } = ctx;
  const rows = await source.rows(
    `select id, name, display_name, description, color, "order" as sort_order, is_active,
            ${utcMillis('created_at')} as created_at from customer_status order by id`,
  );
  report.read('customer_status', rows.length);
  const seen = new Set<string>();
  for (const row of rows) {
    const name = String(row.name);
    if (name.trim() === '' || name.length > 100) {
      report.skip('customer_status', row.id, `status name ${quoted(name)} is empty or longer than 100 characters`);
      continue;
    }
    if (seen.has(name)) {
      report.skip('customer_status', row.id, `status name ${quoted(name)} repeats another status`);
      continue;
    }
    seen.add(name);
    let color = text(row.color);
    if (color !== null && !/^#[0-9A-Fa-f]{6}$/.test(color)) {
      report.adjust('customer_status', row.id, `colour ${quoted(color)} is not #RRGGBB: cleared`);
      color = null;
    }
    await query(
      em,
      `insert into customer_status (name, display_name, description, color, sort_order, category, is_active, is_system, created_at, updated_at)
         values (?, ?, ?, ?, ?, 'open', ?, false, coalesce(cast(? as timestamptz), now()), now())
       on conflict (name) do update set display_name = excluded.display_name, description = excluded.description,
         color = excluded.color, sort_order = excluded.sort_order, is_active = excluded.is_active, updated_at = now()`,
      [
        name,
        String(row.display_name ?? name).slice(0, 255),
        text(row.description),
        color,
        Number(row.sort_order ?? 0),
        row.is_active !== false,
        instant(row.created_at),
      ],
    );
    report.imported('customer_status', 1);
  }
  for (const row of await query(em, 'select name from customer_status')) ctx.imported.statuses.add(String(row.name));
}

/**
 * The `customer` columns the import writes, with their SQL types for the set-based insert; typed against the server's
 * customer table, so a renamed or dropped column fails to compile here. Columns left out take their defaults (a field
 * the legacy CIMS did not have is `null`).
 */
const CUSTOMER_COLUMNS = [
  { name: 'id', type: 'int' },
  { name: 'full_name', type: 'text' },
  { name: 'platform', type: 'text' },
  { name: 'username', type: 'text' },
  { name: 'phone_number', type: 'text' },
  { name: 'status', type: 'text' },
  { name: 'customer_type', type: 'text' },
  { name: 'assistant_name', type: 'text' },
  { name: 'chat_url', type: 'text' },
  { name: 'notes', type: 'text' },
  { name: 'aisummary', type: 'text' },
  { name: 'importance_score', type: 'int' },
  { name: 'priority_score', type: 'int' },
  { name: 'priority_level', type: 'text' },
  { name: 'priority_reason', type: 'text' },
  { name: 'industry', type: 'text' },
  { name: 'business_age_years', type: 'int' },
  { name: 'recall_time', type: 'timestamptz' },
  { name: 'conversation_language', type: 'text' },
  { name: 'created_at', type: 'timestamptz' },
  { name: 'updated_at', type: 'timestamptz' },
  { name: 'archived_at', type: 'timestamptz' },
] as const satisfies readonly { name: CustomerColumn; type: string }[];

/** A legacy customer's call recording: a Telegram file id, fetched by the files step. */
export interface LegacyRecording {
  customerId: number;
  fileId: string;
}

/**
 * Customers under their legacy ids (the client puts them in URLs), names and phone numbers decrypted. Values today's
 * input rules would refuse (a free-text platform, a phone number that is not one) are kept as they were; values the
 * API could not show (a score over 100, an unknown priority level) are cleared and listed as changed.
 */
export async function importCustomers(ctx: StepContext): Promise<LegacyRecording[]> {
  const { source, em, report, progress } = ctx;
  const total = await source.count('customer');
  report.read('customer', total);
  const recordings: LegacyRecording[] = [];
  progress.start('customers', total);
  const batches = source.batches({
    table: 'customer',
    size: ctx.batchSize,
    columns: `t.id, t.full_name, t.phone_number, t.platform, t.username, t.status::text as status, t.status_name,
      t.type::text as customer_type, t.assistant_name, t.chat_url, t.notes, t.aisummary, t.importance_score,
      t.priority_score, t.priority_level, t.priority_reason, t.industry, t.business_age_years, t.audio_file_id,
      ${utcMillis('t.recall_time')} as recall_time, t.conversation_language::text as language,
      ${tashkentMillis('t.created_at')} as created_at, t.is_archived`,
  });
  for await (const rows of batches) {
    const out: unknown[][] = [];
    for (const row of rows) {
      const id = Number(row.id);
      const customer = toCustomer(ctx, id, row);
      if (!customer) continue;
      out.push(CUSTOMER_COLUMNS.map((column) => customer[column.name]));
      ctx.imported.customers.add(id);
      if (row.audio_file_id !== null && String(row.audio_file_id).trim() !== '') {
        recordings.push({ customerId: id, fileId: String(row.audio_file_id).trim() });
      }
    }
    await insertRows(em, { table: 'customer', columns: CUSTOMER_COLUMNS, rows: out });
    report.imported('customer', out.length);
    progress.advance(rows.length);
  }
  progress.done();
  return recordings;
}

/** A customer row of the import: a value for each of {@link CUSTOMER_COLUMNS}, by name. */
type ImportedCustomer = Record<(typeof CUSTOMER_COLUMNS)[number]['name'], unknown>;

/** One legacy customer as a row of {@link CUSTOMER_COLUMNS}, or undefined (reported) when it cannot be imported. */
function toCustomer(ctx: StepContext, id: number, row: Record<string, unknown>): ImportedCustomer | undefined {
  const { report } = ctx;
  let fullName: string;
  let phone: string;
  try {
    fullName = decryptFernet(ctx.fernetKey, String(row.full_name));
  } catch (error) {
    report.skip('customer', id, `full_name does not decrypt: ${fernetReason(error)}`);
    return undefined;
  }
  try {
    phone = decryptFernet(ctx.fernetKey, String(row.phone_number));
  } catch (error) {
    report.skip('customer', id, `phone_number does not decrypt: ${fernetReason(error)}`);
    return undefined;
  }
  if (fullName.length > 500 || phone.length > 500) {
    report.skip('customer', id, 'the name or phone number is longer than 500 characters');
    return undefined;
  }
  if (fullName.includes('\u0000') || phone.includes('\u0000')) {
    report.skip('customer', id, 'the name or phone number contains a NUL character, which PostgreSQL cannot store');
    return undefined;
  }
  const status = effectiveStatus(text(row.status_name), text(row.status));
  if (status === null || !ctx.imported.statuses.has(status)) {
    report.skip('customer', id, `status ${quoted(status)} does not exist in customer_status`);
    return undefined;
  }
  const type = text(row.customer_type);
  const customerType = type === null || (CUSTOMER_TYPES as readonly string[]).includes(type) ? type : null;
  if (type !== customerType) report.adjust('customer', id, `customer type ${quoted(type)} is unknown: cleared`);
  const language = (text(row.language) ?? 'UZ').toLowerCase();
  const conversationLanguage = (LANGUAGES as readonly string[]).includes(language) ? language : 'uz';
  if (language !== conversationLanguage) {
    report.adjust('customer', id, `conversation language ${quoted(row.language)} is unknown: uz`);
  }
  const score = (name: string) => {
    const value = row[name];
    if (value === null || value === undefined) return null;
    const n = Number(value);
    if (Number.isInteger(n) && n >= 0 && n <= 100) return n;
    report.adjust('customer', id, `${name} ${quoted(value)} is not 0–100: cleared`);
    return null;
  };
  const level = text(row.priority_level);
  const priorityLevel = level === null || (PRIORITY_LEVELS as readonly string[]).includes(level) ? level : null;
  if (level !== priorityLevel) report.adjust('customer', id, `priority level ${quoted(level)} is unknown: cleared`);
  let recall = instant(row.recall_time);
  if (recall !== null && !inRange(row.recall_time)) {
    report.adjust('customer', id, `recall time ${recall} is outside 1970–2999: cleared`);
    recall = null;
  }
  let created = instant(row.created_at);
  if (created === null) {
    report.adjust('customer', id, 'created_at is not a time: set to the time of the import');
    created = ctx.now.toISOString();
  }
  return {
    id,
    full_name: fullName,
    platform: platformOf(ctx, id, String(row.platform ?? '')),
    username: text(row.username),
    phone_number: phoneOf(ctx, id, phone),
    status,
    customer_type: customerType,
    assistant_name: text(row.assistant_name),
    chat_url: text(row.chat_url),
    notes: text(row.notes),
    aisummary: text(row.aisummary),
    importance_score: score('importance_score'),
    priority_score: score('priority_score'),
    priority_level: priorityLevel,
    priority_reason: text(row.priority_reason),
    industry: text(row.industry),
    business_age_years: row.business_age_years === null ? null : Number(row.business_age_years),
    recall_time: recall,
    conversation_language: conversationLanguage,
    created_at: created,
    updated_at: created,
    // The legacy app kept no archive time: an archived customer counts as archived from the import on.
    archived_at: row.is_archived === true ? ctx.now.toISOString() : null,
  };
}

/** The six values of the legacy status enum. */
const LEGACY_STATUSES = new Set(['contacted', 'project_started', 'continuing', 'finished', 'rejected', 'need_to_call']);

/**
 * A legacy customer's status as the legacy API showed it: `status_name` when set — where an old code path stored
 * Python's `CustomerStatus.contacted`, the legacy value it names — else the enum value.
 */
export function effectiveStatus(statusName: string | null, status: string | null): string | null {
  if (statusName === null) return status;
  const named = /^CustomerStatus\.(\w+)$/.exec(statusName)?.[1];
  return named !== undefined && LEGACY_STATUSES.has(named) ? named : statusName;
}

/**
 * A legacy platform as today's customers store it: the platform key when today's rule takes it (`Telegram` →
 * `telegram`, `Phone call` → `phone_call`), so filters and statistics group it with new customers; otherwise the text
 * as it was (`kept`).
 */
export function storedPlatform(platform: string): { value: string; kept: boolean } {
  const parsed = PlatformSchema.safeParse(platform);
  return parsed.success ? { value: parsed.data, kept: false } : { value: platform, kept: true };
}

/** A legacy phone number as E.164 when it is a valid number (as new ones are stored), otherwise as it was (`kept`). */
export function storedPhone(phone: string, region: string): { value: string; kept: boolean } {
  const e164 = PhoneSchema.safeParse(phone).success ? normalizePhone(phone, region as CountryCode) : undefined;
  return e164 === undefined ? { value: phone, kept: true } : { value: e164, kept: false };
}

function platformOf(ctx: StepContext, id: number, platform: string): string {
  const stored = storedPlatform(platform);
  if (stored.kept) ctx.report.adjust('customer', id, `platform ${quoted(platform)} is none of today's: kept as it was`);
  return stored.value;
}

function phoneOf(ctx: StepContext, id: number, phone: string): string {
  const stored = storedPhone(phone, ctx.phoneRegion);
  if (stored.kept)
    ctx.report.adjust('customer', id, `phone number ${quoted(phone)} is not a valid number: kept as it was`);
  return stored.value;
}

function fernetReason(error: unknown): string {
  if (error instanceof FernetError) {
    return error.reason === 'wrong key or altered token'
      ? 'wrong key or altered value (is FERNET_PASSWORD the legacy app’s?)'
      : error.reason;
  }
  throw error;
}

/** Notes with their authors; an author who was not imported leaves the note without one (as deleting them did). */
export async function importNotes(ctx: StepContext): Promise<void> {
  const { source, em, report, progress } = ctx;
  const total = await source.count('customer_note');
  report.read('customer_note', total);
  progress.start('customer notes', total);
  const batches = source.batches({
    table: 'customer_note',
    size: ctx.batchSize,
    columns: `t.id, t.customer_id, t.note, t.created_by, ${utcMillis('t.created_at')} as created_at,
      ${utcMillis('t.updated_at')} as updated_at`,
  });
  for await (const rows of batches) {
    const out: unknown[][] = [];
    for (const row of rows) {
      const customerId = Number(row.customer_id);
      if (!ctx.imported.customers.has(customerId)) {
        report.skip('customer_note', row.id, `its customer ${customerId} was not imported`);
        continue;
      }
      let author = row.created_by === null ? null : Number(row.created_by);
      if (author !== null && !ctx.imported.users.has(author)) {
        report.adjust('customer_note', row.id, `its author ${author} was not imported: no author`);
        author = null;
      }
      const created = instant(row.created_at) ?? ctx.now.toISOString();
      out.push([row.id, customerId, String(row.note ?? ''), author, created, instant(row.updated_at) ?? created]);
    }
    await insertRows(em, {
      table: 'customer_note',
      columns: [
        { name: 'id', type: 'int' },
        { name: 'customer_id', type: 'int' },
        { name: 'note', type: 'text' },
        { name: 'created_by', type: 'int' },
        { name: 'created_at', type: 'timestamptz' },
        { name: 'updated_at', type: 'timestamptz' },
      ],
      rows: out,
    });
    report.imported('customer_note', out.length);
    progress.advance(rows.length);
  }
  progress.done();
}

/**
 * The status change log as status history. The legacy app credited a change to the customer's current sales manager
 * (its statistics joined the assignment); the history here records that manager on each change, so the sales
 * statistics count the same.
 */
export async function importHistory(ctx: StepContext): Promise<void> {
  const { source, em, report, progress } = ctx;
  const total = await source.count('customer_status_change_log');
  report.read('customer_status_change_log', total);
  progress.start('status history', total);
  const batches = source.batches({
    table: 'customer_status_change_log',
    size: ctx.batchSize,
    columns: `t.id, t.customer_id, t.from_status::text as from_status, t.to_status::text as to_status,
      ${utcMillis('t.changed_at')} as changed_at, a.sales_manager_id`,
    joins: `left join sales_manager_assignment a on a.customer_id = t.customer_id and a.is_active is not false`,
  });
  for await (const rows of batches) {
    const out: unknown[][] = [];
    for (const row of rows) {
      const customerId = Number(row.customer_id);
      if (!ctx.imported.customers.has(customerId)) {
        report.skip('customer_status_change_log', row.id, `its customer ${customerId} was not imported`);
        continue;
      }
      if (row.to_status === null) {
        report.skip('customer_status_change_log', row.id, 'it has no new status');
        continue;
      }
      const changed = instant(row.changed_at);
      if (changed === null) {
        report.skip('customer_status_change_log', row.id, 'it has no time of change');
        continue;
      }
      const manager = row.sales_manager_id === null ? null : Number(row.sales_manager_id);
      out.push([
        row.id,
        customerId,
        text(row.from_status),
        String(row.to_status),
        manager !== null && ctx.imported.users.has(manager) ? manager : null,
        changed,
      ]);
    }
    await insertRows(em, {
      table: 'customer_status_change',
      columns: [
        { name: 'id', type: 'int' },
        { name: 'customer_id', type: 'int' },
        { name: 'from_status', type: 'text' },
        { name: 'to_status', type: 'text' },
        { name: 'sales_manager_id', type: 'int' },
        { name: 'changed_at', type: 'timestamptz' },
      ],
      rows: out,
    });
    report.imported('customer_status_change_log', out.length);
    progress.advance(rows.length);
  }
  progress.done();
  // History here starts with the status a customer was created with; the legacy log recorded only changes. That first
  // entry is derived: the status the first logged change came from, else the current one, at the creation time.
  await moveSequences(em, ctx.legacyMax, ['customer_status_change']);
  const [derived] = await query(
    em,
    `with added as (insert into customer_status_change (customer_id, from_status, to_status, sales_manager_id, changed_at)
     select c.id, null, coalesce(f.from_status, c.status), a.sales_manager_id, c.created_at
       from customer c
       left join lateral (select h.from_status from customer_status_change h where h.customer_id = c.id
                           order by h.changed_at, h.id limit 1) f on true
       left join sales_manager_assignment a on a.customer_id = c.id
      where not exists (select 1 from customer_status_change h where h.customer_id = c.id and h.from_status is null)
     returning 1) select count(*) as n from added`,
  );
  const n = asInt(derived?.n);
  if (n > 0) {
    report.adjust(
      'customer_status_change_log',
      '*',
      `${n} first entries (the status each customer was created with) derived: the legacy log has only changes`,
    );
  }
}

/** The active sales-manager assignments, and the round-robin position (the manager who got the last customer). */
export async function importAssignments(ctx: StepContext): Promise<void> {
  const { source, em, report, progress } = ctx;
  const total = await source.count('sales_manager_assignment');
  report.read('sales_manager_assignment', total);
  progress.start('sales-manager assignments', total);
  const batches = source.batches({
    table: 'sales_manager_assignment',
    size: ctx.batchSize,
    columns: `t.id, t.customer_id, t.sales_manager_id, t.assigned_by, t.is_active,
      ${utcMillis('t.assigned_at')} as assigned_at`,
  });
  for await (const rows of batches) {
    const out: unknown[][] = [];
    for (const row of rows) {
      if (row.is_active === false) {
        report.omit('sales_manager_assignment', 'inactive (the customer was unassigned): not carried over');
        continue;
      }
      const customerId = Number(row.customer_id);
      const managerId = Number(row.sales_manager_id);
      if (!ctx.imported.customers.has(customerId)) {
        report.skip('sales_manager_assignment', row.id, `its customer ${customerId} was not imported`);
        continue;
      }
      if (!ctx.imported.users.has(managerId)) {
        report.skip('sales_manager_assignment', row.id, `its sales manager ${managerId} was not imported`);
        continue;
      }
      let by = row.assigned_by === null ? null : Number(row.assigned_by);
      if (by !== null && !ctx.imported.users.has(by)) {
        report.adjust('sales_manager_assignment', row.id, `assigned by user ${by}, who was not imported: no assigner`);
        by = null;
      }
      out.push([row.id, customerId, managerId, by, instant(row.assigned_at) ?? ctx.now.toISOString()]);
    }
    await insertRows(em, {
      table: 'sales_manager_assignment',
      columns: [
        { name: 'id', type: 'int' },
        { name: 'customer_id', type: 'int' },
        { name: 'sales_manager_id', type: 'int' },
        { name: 'assigned_by', type: 'int' },
        { name: 'assigned_at', type: 'timestamptz' },
      ],
      rows: out,
    });
    report.imported('sales_manager_assignment', out.length);
    progress.advance(rows.length);
  }
  progress.done();
  // The legacy counter is an index into the active sales managers by id; the next customer goes to the one after it.
  const [counter] = await source.rows(
    `select c.last_assigned_index,
            (select array_agg(u.id order by u.id) from "user" u where u.role = 'sales_manager' and u.is_active) as managers
       from sales_manager_counter c order by c.id limit 1`,
  );
  const managers = (counter?.managers as number[] | null) ?? [];
  if (counter && managers.length > 0) {
    const last = managers[Number(counter.last_assigned_index ?? 0) % managers.length];
    if (last !== undefined && ctx.imported.users.has(Number(last))) {
      await query(em, 'update sales_rotation set last_manager_id = ?, updated_at = now() where id = 1', [Number(last)]);
    }
  }
}
