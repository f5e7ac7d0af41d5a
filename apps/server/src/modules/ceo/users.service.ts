import { type CreateUserInput, normalizeRole, type Role, type UpdateUserInput } from '@cims/contracts';
import { AUTH_MESSAGES, CEO_MESSAGES, COMMON_MESSAGES } from '@cims/contracts/rules';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Orm } from '../../db/orm.js';
import { asInt, query, transaction } from '../../db/sql.js';
import { assignments, isUniqueViolation } from '../../db/writes.js';
import { ApiError, ValidationError } from '../../errors.js';
import type { RequestScope } from '../auth/caller.js';
import type { Passwords } from '../auth/passwords.js';
import { activePages, auditUsers, toAdminUser, USER_COLUMNS, USER_NOT_FOUND, USER_PAGES } from './admin-users.js';

const LAST_CEO = () => new ApiError('CONFLICT', CEO_MESSAGES.lastCeo);

/**
 * The CEO's user administration: the users with their statistics, and creating, changing, (de)activating and deleting
 * them. Role rules are enforced before a handler runs (route metadata); here are the data rules: the last active CEO
 * stays, and every multi-row change is one transaction.
 */
export class UserAdminService {
  constructor(
    readonly orm: Orm,
    readonly passwords: Passwords,
  ) {}

  #em(): EntityManager {
    return this.orm.em.fork() as EntityManager;
  }

  async dashboard() {
    const em = this.#em();
    const users = (await query(em, `select ${USER_COLUMNS}, ${USER_PAGES} from app_user u order by u.id`)).map(
      toAdminUser,
    );
    const active = users.filter((u) => u.is_active).length;
    return {
      users,
      statistics: { user_count: users.length, active_user_count: active, inactive_user_count: users.length - active },
    };
  }

  /** A built-in role in any spelling, or an active custom role (which gives `Member` plus the label). */
  async #resolveRole(em: EntityManager, value: string): Promise<{ role: Role; roleName: string | null }> {
    const builtIn = normalizeRole(value);
    if (builtIn) return { role: builtIn, roleName: null };
    const key = value.trim().toLowerCase().replace(/\s+/g, '_');
    const [custom] = await query(
      em,
      'select name from user_role where lower(name) = ? and is_active and not is_system',
      [key],
    );
    if (!custom) {
      throw new ValidationError([{ loc: ['body', 'role'], msg: CEO_MESSAGES.unknownRole, type: 'value_error' }]);
    }
    return { role: 'Member', roleName: String(custom.name) };
  }

  async createUser({ caller, info }: RequestScope, input: CreateUserInput): Promise<number> {
    const em = this.#em();
    const { role, roleName } = await this.#resolveRole(em, input.role);
    const pages = input.pages
      ? await activePages(
          em,
          input.pages.map((sent) => ({ sent, key: sent.trim().toLowerCase() })),
          () => ['body', 'pages'],
        )
      : [];
    const hash = await this.passwords.hash(input.password);
    return transaction(em, async (tem) => {
      const [row] = await query(
        tem,
        `insert into app_user (email, password_hash, name, surname, role, role_name, company_code, telegram_id,
           job_title, is_active, email_verified_at, created_at, updated_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now(), now(), now())
         on conflict (email) do nothing returning id`,
        [
          input.email,
          hash,
          input.name,
          input.surname,
          role,
          roleName,
          input.company_code,
          input.telegram_id ?? null,
          input.job_title ?? null,
          input.is_active,
        ],
      );
      if (!row) throw new ApiError('EMAIL_TAKEN', AUTH_MESSAGES.emailTaken);
      const id = asInt(row.id);
      for (const page of new Set(pages)) {
        await query(tem, 'insert into user_page_permission (user_id, page_name, created_at) values (?, ?, now())', [
          id,
          page,
        ]);
      }
      await auditUsers(
        tem,
        { actorUserId: caller.userId, entityType: 'user', entityId: id, action: 'create', data: { role, pages } },
        info,
      );
      return id;
    });
  }

  /**
   * Locks the target user and every active CEO, always in id order, so two concurrent changes of different CEOs
   * cannot deadlock, and neither can pass the last-CEO check on a stale count. Returns whether the target exists and
   * is the only active CEO.
   */
  async #lockForChange(em: EntityManager, userId: number): Promise<{ exists: boolean; onlyActiveCeo: boolean }> {
    const rows = await query(
      em,
      `select id, role, is_active from app_user where (role = 'CEO' and is_active) or id = ? order by id for update`,
      [userId],
    );
    const ceos = rows.filter((r) => r.role === 'CEO' && r.is_active === true);
    return {
      exists: rows.some((r) => asInt(r.id) === userId),
      onlyActiveCeo: ceos.length === 1 && asInt(ceos[0]?.id) === userId,
    };
  }

  async updateUser({ caller, info }: RequestScope, id: number, input: UpdateUserInput): Promise<void> {
    if (Object.values(input).every((value) => value === undefined)) {
      throw new ApiError('NOTHING_TO_UPDATE', COMMON_MESSAGES.nothingToUpdate);
    }
    const em = this.#em();
    const resolved = input.role === undefined ? undefined : await this.#resolveRole(em, input.role);
    const hash = input.password === undefined ? undefined : await this.passwords.hash(input.password);
    await transaction(em, async (tem) => {
      const lock = await this.#lockForChange(tem, id);
      if (!lock.exists) throw USER_NOT_FOUND();
      const demotes = (resolved && resolved.role !== 'CEO') || input.is_active === false;
      if (demotes && lock.onlyActiveCeo) throw LAST_CEO();
      const [before] = await query(tem, `select ${USER_COLUMNS}, ${USER_PAGES} from app_user u where u.id = ?`, [id]);
      if (!before) throw USER_NOT_FOUND();
      const set = assignments({
        email: input.email,
        name: input.name,
        surname: input.surname,
        password_hash: hash,
        role: resolved?.role,
        role_name: resolved ? resolved.roleName : undefined,
        company_code: input.company_code,
        telegram_id: input.telegram_id,
        job_title: input.job_title,
        is_active: input.is_active,
      });
      try {
        await query(tem, `update app_user set ${set.sql}, updated_at = now() where id = ?`, [...set.params, id]);
      } catch (error) {
        if (isUniqueViolation(error)) throw new ApiError('EMAIL_TAKEN', CEO_MESSAGES.emailInUse);
        throw error;
      }
      if (hash !== undefined || input.is_active === false) {
        await query(
          tem,
          `update auth_session set revoked_at = now(), revoke_reason = ? where user_id = ? and revoked_at is null`,
          [hash !== undefined ? 'password_set_by_admin' : 'deactivated', id],
        );
      }
      const { password: _secret, ...changed } = input;
      await auditUsers(
        tem,
        {
          actorUserId: caller.userId,
          entityType: 'user',
          entityId: id,
          action: 'update',
          data: { before: toAdminUser(before), changed, password_changed: hash !== undefined },
        },
        info,
      );
    });
  }

  async toggleActive({ caller, info }: RequestScope, id: number) {
    return transaction(this.#em(), async (tem) => {
      const lock = await this.#lockForChange(tem, id);
      if (!lock.exists) throw USER_NOT_FOUND();
      const [user] = await query(tem, 'select is_active from app_user where id = ?', [id]);
      const next = user?.is_active !== true;
      if (!next && lock.onlyActiveCeo) throw LAST_CEO();
      await query(tem, 'update app_user set is_active = ?, updated_at = now() where id = ?', [next, id]);
      if (!next) {
        await query(
          tem,
          `update auth_session set revoked_at = now(), revoke_reason = 'deactivated' where user_id = ? and revoked_at is null`,
          [id],
        );
      }
      await auditUsers(
        tem,
        {
          actorUserId: caller.userId,
          entityType: 'user',
          entityId: id,
          action: 'toggle_active',
          data: { is_active: next },
        },
        info,
      );
      const [counts] = await query(
        tem,
        `select count(*) filter (where is_active) as active, count(*) filter (where not is_active) as inactive from app_user`,
      );
      return {
        is_active: next,
        active_user_count: asInt(counts?.active),
        inactive_user_count: asInt(counts?.inactive),
      };
    });
  }

  async deleteUser({ caller, info }: RequestScope, id: number): Promise<void> {
    await transaction(this.#em(), async (tem) => {
      const lock = await this.#lockForChange(tem, id);
      if (!lock.exists) throw USER_NOT_FOUND();
      if (lock.onlyActiveCeo) throw LAST_CEO();
      const [user] = await query(tem, `select ${USER_COLUMNS}, ${USER_PAGES} from app_user u where u.id = ?`, [id]);
      if (!user) throw USER_NOT_FOUND();
      await query(tem, 'delete from app_user where id = ?', [id]);
      await auditUsers(
        tem,
        {
          actorUserId: caller.userId,
          entityType: 'user',
          entityId: id,
          action: 'delete',
          data: { before: toAdminUser(user) },
        },
        info,
      );
    });
  }
}
