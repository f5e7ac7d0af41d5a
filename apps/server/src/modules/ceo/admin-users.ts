import type { AdminUser } from '@cims/contracts';
import { CEO_MESSAGES } from '@cims/contracts/rules';
import type { EntityManager } from '@mikro-orm/postgresql';
import { asStringArray, query, type Row } from '../../db/sql.js';
import { ApiError, ValidationError } from '../../errors.js';
import { type AuditEntry, type RequestInfo, writeAudit } from '../audit/audit.js';
import { toUserBase, USER_BASE_COLUMNS } from '../auth/user-view.js';

export const USER_NOT_FOUND = () => new ApiError('NOT_FOUND', CEO_MESSAGES.userNotFound);

export const USER_COLUMNS = `${USER_BASE_COLUMNS}, u.role_name`;

/** The pages of each user, in page order, in one query (no N+1). */
export const USER_PAGES = `coalesce((select array_agg(pp.page_name order by p.sort_order, p.name)
  from user_page_permission pp join app_page p on p.name = pp.page_name where pp.user_id = u.id), '{}') as pages`;

/** A row of {@link USER_COLUMNS} and {@link USER_PAGES} as the CEO's views show a user. */
export function toAdminUser(row: Row): AdminUser {
  return {
    ...toUserBase(row),
    role_name: (row.role_name as string | null) ?? null,
    permissions: asStringArray(row.pages),
  };
}

/** Writes an audit entry of the user administration in `em`'s transaction. */
export function auditUsers(em: EntityManager, entry: AuditEntry, info: RequestInfo): Promise<void> {
  return writeAudit(em, { module: 'users', ...entry }, info);
}

/** Checks page keys against the active pages; returns them normalized. */
export async function activePages(
  em: EntityManager,
  keys: { sent: string; key: string }[],
  loc: (sent: string) => (string | number)[],
) {
  const active = new Set((await query(em, 'select name from app_page where is_active')).map((r) => String(r.name)));
  const bad = keys.filter((k) => !active.has(k.key));
  if (bad.length > 0) {
    throw new ValidationError(
      bad.map((k) => ({ loc: loc(k.sent), msg: CEO_MESSAGES.unknownPage(k.key), type: 'value_error' })),
    );
  }
  return keys.map((k) => k.key);
}
