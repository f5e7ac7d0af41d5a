import { REGISTERED_ROLE, type Role } from '@cims/contracts';
import { asInt, query, transaction } from '../../db/sql.js';
import type { AuthCore } from './auth-core.js';

/** New account fields for {@link AccountService.createUser}. */
export interface NewUser {
  email: string;
  password: string;
  name: string;
  surname: string;
  role: Role;
  companyCode?: string;
  telegramId?: string | null;
  jobTitle?: string | null;
  pages?: string[];
  verified: boolean;
}

/** Accounts made outside a request (CLI, bootstrap, demo data, registration) and the housekeeping of what ended. */
export class AccountService {
  constructor(private readonly core: AuthCore) {}

  /** Creates a user (CLI, bootstrap, demo data, administration). Returns the id, or undefined when the e-mail is taken. */
  async createUser(input: NewUser, em = this.core.em()): Promise<number | undefined> {
    const hash = await this.core.deps.passwords.hash(input.password);
    return transaction(em, async (tem) => {
      const [row] = await query(
        tem,
        `insert into app_user (email, password_hash, name, surname, role, company_code, telegram_id, job_title,
           is_active, email_verified_at, created_at, updated_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, true, ?, now(), now())
         on conflict (email) do nothing
         returning id`,
        [
          input.email.trim().toLowerCase(),
          hash,
          input.name,
          input.surname,
          input.role,
          input.companyCode ?? 'oddiy',
          input.telegramId ?? null,
          input.jobTitle ?? null,
          input.verified ? new Date() : null,
        ],
      );
      if (!row) return undefined;
      const id = asInt(row.id);
      for (const page of input.pages ?? []) {
        await query(
          tem,
          'insert into user_page_permission (user_id, page_name, created_at) values (?, ?, now()) on conflict do nothing',
          [id, page],
        );
      }
      return id;
    });
  }

  /**
   * Deletes what can never be used again: sessions ended a day ago, spent codes, old rate-limit windows, and
   * self-registered accounts nobody verified within `unverifiedAccountDays` (their addresses become free again).
   */
  async purgeExpired(): Promise<void> {
    const em = this.core.em();
    await query(
      em,
      `delete from app_user where email_verified_at is null and role = ?
          and created_at < now() - make_interval(days => ?)`,
      [REGISTERED_ROLE, this.core.deps.config.unverifiedAccountDays],
    );
    await query(
      em,
      `delete from auth_session where expires_at < now() - interval '1 day'
          or revoked_at < now() - interval '1 day'`,
    );
    await query(em, `delete from verification_code where expires_at < now() or consumed_at is not null`);
    await this.core.deps.limiter.purge(em);
  }
}
