import type { EntityManager } from '@mikro-orm/postgresql';
import { query, type Row } from '../../db/sql.js';

/** Where a request came from; stored with sessions and audit entries. */
export interface RequestInfo {
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

/** One audit entry: who did what to which entity. Never holds a secret. */
export interface AuditEntry {
  actorUserId: number | null;
  entityType: string;
  entityId: number | string | null;
  action: string;
  summary?: string;
  data?: Row;
}

/** An audit entry and the module it belongs to (`crm`, `auth`, `users`, `instagram`). */
export interface ModuleAuditEntry extends AuditEntry {
  module: string;
}

/** Writes an audit entry in the caller's transaction, so it exists exactly when the change does. */
export async function writeAudit(em: EntityManager, entry: ModuleAuditEntry, info: RequestInfo): Promise<void> {
  await query(
    em,
    `insert into audit_log (created_at, actor_user_id, module, entity_type, entity_id, action, summary, data,
       request_id, ip_address, user_agent)
     values (now(), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      entry.actorUserId,
      entry.module,
      entry.entityType,
      entry.entityId === null ? null : String(entry.entityId),
      entry.action,
      entry.summary ?? null,
      entry.data ? JSON.stringify(entry.data) : null,
      info.requestId,
      info.ip,
      info.userAgent?.slice(0, 500) ?? null,
    ],
  );
}
