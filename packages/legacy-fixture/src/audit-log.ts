import type { Client } from 'pg';
import type { LegacyAuditFact, LegacyCustomerFact, LegacyNoteFact, LegacyUserFact } from './facts.js';
import type { SeededRandom } from './random.js';
import { addDays, toNaiveUtc, utcNaiveToIso } from './time.js';

interface AuditSpec {
  module: 'auth' | 'crm' | 'users';
  table: string;
  entityType: string;
  action: string;
  entityId: string | null;
  actor: LegacyUserFact | null;
  summary: string;
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
  system?: boolean;
}

/** A UUID4 made from the seeded generator, like the X-Request-ID the legacy middleware stamps on each row. */
function requestId(random: SeededRandom): string {
  const b = random.bytes(16);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Keys whose JSON-normalised values differ, as the legacy audit helper computes `changed_fields`. */
function changedFields(before?: Record<string, unknown>, after?: Record<string, unknown>): string[] | null {
  if (!before || !after) return null;
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.filter((k) => JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null));
}

/** The snapshot the legacy CRM writes for a customer: decrypted name and phone, recall time with +05:00. */
function customerSnapshot(c: LegacyCustomerFact): Record<string, unknown> {
  return {
    id: c.id,
    full_name: c.fullName,
    platform: c.platform,
    username: c.username,
    phone_number: c.phoneNumber,
    status: c.effectiveStatus,
    notes: c.notes,
    audio_file_id: c.audioFileId,
    recall_time: c.recallTime
      ? `${new Date(Date.parse(c.recallTime) + 5 * 3_600_000).toISOString().slice(0, 19)}+05:00`
      : null,
    conversation_language: c.language.toLowerCase(),
    customer_type: c.type,
    created_at: c.createdAtStored.replace(' ', 'T'),
    is_archived: c.isArchivedStored,
  };
}

function userSnapshot(u: LegacyUserFact): Record<string, unknown> {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    surname: u.surname,
    company_code: u.companyCode,
    role: u.role,
    role_name: u.roleName,
    is_active: u.isActive,
  };
}

/**
 * One `audit_log` row of every kind the legacy app writes (its auth, CRM and users modules), including a hard delete
 * and a user delete whose entities no longer exist (their ids are burnt from the sequences, as the real deletes left them).
 */
export async function insertAuditLog(
  client: Client,
  random: SeededRandom,
  input: {
    users: Record<string, LegacyUserFact>;
    customers: Record<string, LegacyCustomerFact>;
    notes: LegacyNoteFact[];
  },
): Promise<LegacyAuditFact[]> {
  const u = (key: string) => input.users[key] ?? null;
  const ceo = u('ceoBoth');
  const member = u('crmMember');
  const manager = u('salesManager');
  const c = input.customers;
  const start = c.tashkentDayStart;
  const custom = c.customStatus;
  const archived = c.customStatusArchived;
  const note = input.notes[0];
  if (!ceo || !member || !manager || !start || !custom || !archived || !note) return [];
  const { rows: burnt } = await client.query<{ customer: string; user: string }>(
    `SELECT nextval('customer_id_seq')::text AS customer, nextval('user_id_seq')::text AS "user"`,
  );
  const deletedCustomerId = burnt[0]?.customer ?? null;
  const deletedUserId = burnt[0]?.user ?? null;
  const deletedCustomer = { ...customerSnapshot(start), id: Number(deletedCustomerId), full_name: 'Oʻchirilgan Mijoz' };
  const deletedUser = { id: Number(deletedUserId), email: 'temp.worker@cognilabs.uz', name: 'Temp', surname: 'Worker' };
  const noteSnap = { id: note.id, customer_id: note.customerId, note: note.note, created_by: note.authorId };
  const assignment = { customer_id: start.id, sales_manager_id: manager.id, assigned_by: null, is_active: true };

  const specs: AuditSpec[] = [
    {
      module: 'auth',
      table: 'user',
      entityType: 'user',
      action: 'login',
      entityId: String(ceo.id),
      actor: ceo,
      summary: 'User logged in',
      after: { email: ceo.email },
    },
    {
      module: 'auth',
      table: 'user',
      entityType: 'user',
      action: 'profile_update',
      entityId: String(member.id),
      actor: member,
      summary: 'Profile updated',
      before: { name: 'Malika', surname: 'Yusupova', profile_image: null },
      after: { name: member.name, surname: member.surname, profile_image: null },
    },
    {
      module: 'auth',
      table: 'user',
      entityType: 'user',
      action: 'password_change',
      entityId: String(member.id),
      actor: member,
      summary: 'Password changed',
      after: { password_changed: true },
    },
    {
      module: 'auth',
      table: 'refresh_token',
      entityType: 'user',
      action: 'logout',
      entityId: String(ceo.id),
      actor: ceo,
      summary: 'User logged out',
    },
    {
      module: 'auth',
      table: 'refresh_token',
      entityType: 'user',
      action: 'logout_all',
      entityId: String(ceo.id),
      actor: ceo,
      summary: 'Logged out from all devices',
    },
    {
      module: 'crm',
      table: 'customer',
      entityType: 'customer',
      action: 'create',
      entityId: String(start.id),
      actor: null,
      system: true,
      summary: 'Customer created via API',
      after: customerSnapshot(start),
    },
    {
      module: 'crm',
      table: 'customer',
      entityType: 'customer',
      action: 'update',
      entityId: String(custom.id),
      actor: member,
      summary: 'Customer updated',
      before: { ...customerSnapshot(custom), notes: null },
      after: customerSnapshot(custom),
    },
    {
      module: 'crm',
      table: 'customer',
      entityType: 'customer',
      action: 'status_change',
      entityId: String(custom.id),
      actor: manager,
      summary: 'Status changed',
      before: { status: 'continuing' },
      after: { status: custom.effectiveStatus },
    },
    {
      module: 'crm',
      table: 'customer',
      entityType: 'customer',
      action: 'archive',
      entityId: String(archived.id),
      actor: ceo,
      summary: 'Customer archived',
      before: { ...customerSnapshot(archived), is_archived: null },
    },
    {
      module: 'crm',
      table: 'customer',
      entityType: 'customer',
      action: 'restore',
      entityId: String(archived.id),
      actor: ceo,
      summary: 'Customer restored',
      before: customerSnapshot(archived),
    },
    {
      module: 'crm',
      table: 'customer',
      entityType: 'customer',
      action: 'hard_delete',
      entityId: deletedCustomerId,
      actor: ceo,
      summary: 'Customer permanently deleted',
      before: deletedCustomer,
    },
    {
      module: 'crm',
      table: 'customer',
      entityType: 'customer_bulk',
      action: 'bulk_archive',
      entityId: null,
      actor: ceo,
      summary: 'Bulk archive',
      before: { customer_ids: [archived.id, custom.id] },
    },
    {
      module: 'crm',
      table: 'customer_note',
      entityType: 'customer_note',
      action: 'create',
      entityId: String(note.id),
      actor: member,
      summary: 'Note added',
      after: { ...noteSnap, created_by_full_name: `${member.name} ${member.surname}` },
    },
    {
      module: 'crm',
      table: 'customer_note',
      entityType: 'customer_note',
      action: 'update',
      entityId: String(note.id),
      actor: member,
      summary: 'Note updated',
      before: { ...noteSnap, note: 'draft' },
      after: noteSnap,
    },
    {
      module: 'crm',
      table: 'customer_note',
      entityType: 'customer_note',
      action: 'delete',
      entityId: String(note.id + 10_000),
      actor: ceo,
      summary: 'Note deleted',
      before: { ...noteSnap, id: note.id + 10_000 },
    },
    {
      module: 'crm',
      table: 'sales_manager_assignment',
      entityType: 'sales_manager_assignment',
      action: 'auto_assign',
      entityId: String(start.id),
      actor: null,
      system: true,
      summary: 'Lead auto-assigned',
      after: assignment,
    },
    {
      module: 'crm',
      table: 'sales_manager_assignment',
      entityType: 'sales_manager_assignment',
      action: 'assign',
      entityId: String(custom.id),
      actor: ceo,
      summary: 'Lead assigned',
      after: { ...assignment, customer_id: custom.id, assigned_by: ceo.id },
    },
    {
      module: 'crm',
      table: 'sales_manager_assignment',
      entityType: 'sales_manager_assignment',
      action: 'reassign',
      entityId: String(custom.id),
      actor: ceo,
      summary: 'Lead reassigned',
      before: { ...assignment, customer_id: custom.id },
      after: { ...assignment, customer_id: custom.id, is_active: false },
    },
    {
      module: 'users',
      table: 'user',
      entityType: 'user',
      action: 'create',
      entityId: deletedUserId,
      actor: ceo,
      summary: 'User created',
      after: deletedUser,
    },
    {
      module: 'users',
      table: 'user',
      entityType: 'user',
      action: 'update',
      entityId: String(member.id),
      actor: ceo,
      summary: 'User updated',
      before: { ...userSnapshot(member), role: 'customer' },
      after: userSnapshot(member),
    },
    {
      module: 'users',
      table: 'user',
      entityType: 'user',
      action: 'toggle_active',
      entityId: String(u('inactive')?.id ?? member.id),
      actor: ceo,
      summary: 'User deactivated',
      before: { is_active: true },
      after: { is_active: false },
    },
    {
      module: 'users',
      table: 'user',
      entityType: 'user',
      action: 'delete',
      entityId: deletedUserId,
      actor: ceo,
      summary: 'User deleted',
      before: deletedUser,
    },
  ];

  const facts: LegacyAuditFact[] = [];
  let at = new Date('2026-03-01T04:00:00Z');
  for (const spec of specs) {
    at = addDays(at, 0.25 + random.next());
    const created = toNaiveUtc(at);
    const fields = changedFields(spec.before, spec.after);
    const rid = requestId(random);
    const ip = spec.system
      ? '10.0.0.12'
      : `${random.int(84, 213)}.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(1, 254)}`;
    const { rows } = await client.query<{ id: number }>(
      `INSERT INTO audit_log (created_at, actor_user_id, actor_email, actor_name, module, table_name, entity_type,
         entity_id, action, summary, before_data, after_data, changed_fields, request_id, ip_address, user_agent,
         is_system_action)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id`,
      [
        created,
        spec.actor?.id ?? null,
        spec.actor?.email ?? null,
        spec.actor ? `${spec.actor.name} ${spec.actor.surname}` : null,
        spec.module,
        spec.table,
        spec.entityType,
        spec.entityId,
        spec.action,
        spec.summary,
        spec.before ? JSON.stringify(spec.before) : null,
        spec.after ? JSON.stringify(spec.after) : null,
        fields ? JSON.stringify(fields) : null,
        rid,
        ip,
        spec.system ? 'python-httpx/0.27.0' : 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0',
        spec.system ?? false,
      ],
    );
    facts.push({
      id: (rows[0] as { id: number }).id,
      module: spec.module,
      entityType: spec.entityType,
      action: spec.action,
      entityId: spec.entityId,
      actorUserId: spec.actor?.id ?? null,
      requestId: rid,
      ipAddress: ip,
      createdAt: utcNaiveToIso(created),
      before: spec.before ?? null,
      after: spec.after ?? null,
      changedFields: fields,
      isSystemAction: spec.system ?? false,
    });
  }
  return facts;
}
