import type { Role, UserBase } from '@cims/contracts';
import { asDate, asInt, type Row } from '../../db/sql.js';

/** The columns of `app_user` behind {@link toUserBase}, for a query aliasing the table as `u`. */
export const USER_BASE_COLUMNS = `u.id, u.email, u.name, u.surname, u.role, u.company_code, u.telegram_id, u.job_title,
  u.profile_image, u.is_active, u.email_verified_at, u.created_at`;

/** The fields every view of a user shares (`/auth/me`, the administration), from a row of {@link USER_BASE_COLUMNS}. */
export function toUserBase(row: Row): UserBase {
  return {
    id: asInt(row.id),
    email: String(row.email),
    name: String(row.name),
    surname: String(row.surname),
    role: row.role as Role,
    profile_image: (row.profile_image as string | null) ?? null,
    job_title: (row.job_title as string | null) ?? null,
    company_code: String(row.company_code),
    telegram_id: (row.telegram_id as string | null) ?? null,
    is_active: row.is_active === true,
    email_verified: row.email_verified_at !== null,
    created_at: asDate(row.created_at).toISOString(),
  };
}
