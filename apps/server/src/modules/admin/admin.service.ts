import {
  type AdminUser,
  type CreatePageInput,
  type CreateRoleInput,
  type CreateUserInput,
  type ManagedRole,
  normalizeRole,
  type Page,
  type Role,
  type UpdatePageInput,
  type UpdateRoleInput,
  type UpdateUserInput,
} from '@cims/contracts';
import { AUTH_MESSAGES, CEO_MESSAGES, COMMON_MESSAGES, MANAGEMENT_MESSAGES } from '@cims/contracts/rules';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Orm } from '../../db/orm.js';
import { asDate, asInt, asStringArray, query, type Row } from '../../db/sql.js';
import { ApiError, ValidationError } from '../../errors.js';
import { type AuditEntry, type RequestInfo, writeAudit } from '../audit/audit.js';
import type { Passwords } from '../auth/passwords.js';
import { toUserBase, USER_BASE_COLUMNS } from '../auth/user-view.js';

const USER_NOT_FOUND = () => new ApiError('NOT_FOUND', CEO_MESSAGES.userNotFound);
const LAST_CEO = () => new ApiError('CONFLICT', CEO_MESSAGES.lastCeo);

const USER_COLUMNS = `${USER_BASE_COLUMNS}, u.role_name`;

/** The pages of each user, in page order, in one query (no N+1). */
const USER_PAGES = `coalesce((select array_agg(pp.page_name order by p.sort_order, p.name)
  from user_page_permission pp join app_page p on p.name = pp.page_name where pp.user_id = u.id), '{}') as pages`;

function toAdminUser(row: Row): AdminUser {
  return {
    ...toUserBase(row),
    role_name: (row.role_name as string | null) ?? null,
    permissions: asStringArray(row.pages),
  };
}

function toPage(row: Row): Page {
  return {
    id: asInt(row.id),
    name: String(row.name),
    display_name: String(row.display_name),
    description: (row.description as string | null) ?? null,
    route_path: (row.route_path as string | null) ?? null,
    order: asInt(row.sort_order),
    is_active: row.is_active === true,
    is_system: row.is_system === true,
    created_at: asDate(row.created_at).toISOString(),
    updated_at: asDate(row.updated_at).toISOString(),
  };
}

function toRole(row: Row): ManagedRole {
  return {
    id: asInt(row.id),
    name: String(row.name),
    display_name: String(row.display_name),
    description: (row.description as string | null) ?? null,
    is_active: row.is_active === true,
    is_system: row.is_system === true,
    created_at: asDate(row.created_at).toISOString(),
    updated_at: asDate(row.updated_at).toISOString(),
  };
}

/** Builds `set a = ?, b = ?` from the present fields of an update; `undefined` means "leave as is". */
function assignments(fields: Record<string, unknown>): { sql: string; params: unknown[] } {
  const present = Object.entries(fields).filter(([, value]) => value !== undefined);
  return { sql: present.map(([column]) => `${column} = ?`).join(', '), params: present.map(([, value]) => value) };
}

/** Whether a unique constraint rejected the write (SQLSTATE 23505, as MikroORM or the driver reports it). */
function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; name?: unknown };
  return e?.code === '23505' || e?.name === 'UniqueConstraintViolationException';
}

/** Whether a foreign key rejected the write (SQLSTATE 23503). */
function isForeignKeyViolation(error: unknown): boolean {
  const e = error as { code?: unknown; name?: unknown };
  return e?.code === '23503' || e?.name === 'ForeignKeyConstraintViolationException';
}

/**
 * User administration, page permissions, pages and roles. Role rules are enforced before a handler runs (route
 * metadata); here are the data rules: the last active CEO stays, system pages and roles stay, nothing in use is
 * deleted, and every multi-row change is one transaction.
 */
export class AdminService {
  constructor(
    readonly orm: Orm,
    readonly passwords: Passwords,
  ) {}

  audit(em: EntityManager, entry: AuditEntry, info: RequestInfo): Promise<void> {
    return writeAudit(em, 'users', entry, info);
  }

  #em(): EntityManager {
    return this.orm.em.fork() as EntityManager;
  }

  // ---------------------------------------------------------------------------------------------- users

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

  /** Checks page keys against the active pages; returns them normalized. */
  async #activePages(
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

  async createUser(input: CreateUserInput, actorId: number, info: RequestInfo): Promise<number> {
    const em = this.#em();
    const { role, roleName } = await this.#resolveRole(em, input.role);
    const pages = input.pages
      ? await this.#activePages(
          em,
          input.pages.map((sent) => ({ sent, key: sent.trim().toLowerCase() })),
          () => ['body', 'pages'],
        )
      : [];
    const hash = await this.passwords.hash(input.password);
    return em.transactional(async (tem) => {
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
      await this.audit(
        tem,
        { actorUserId: actorId, entityType: 'user', entityId: id, action: 'create', data: { role, pages } },
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

  async updateUser(id: number, input: UpdateUserInput, actorId: number, info: RequestInfo): Promise<void> {
    if (Object.values(input).every((value) => value === undefined)) {
      throw new ApiError('NOTHING_TO_UPDATE', COMMON_MESSAGES.nothingToUpdate);
    }
    const em = this.#em();
    const resolved = input.role === undefined ? undefined : await this.#resolveRole(em, input.role);
    const hash = input.password === undefined ? undefined : await this.passwords.hash(input.password);
    await em.transactional(async (tem) => {
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
      await this.audit(
        tem,
        {
          actorUserId: actorId,
          entityType: 'user',
          entityId: id,
          action: 'update',
          data: { before: toAdminUser(before), changed, password_changed: hash !== undefined },
        },
        info,
      );
    });
  }

  async toggleActive(id: number, actorId: number, info: RequestInfo) {
    return this.#em().transactional(async (tem) => {
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
      await this.audit(
        tem,
        { actorUserId: actorId, entityType: 'user', entityId: id, action: 'toggle_active', data: { is_active: next } },
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

  async deleteUser(id: number, actorId: number, info: RequestInfo): Promise<void> {
    await this.#em().transactional(async (tem) => {
      const lock = await this.#lockForChange(tem, id);
      if (!lock.exists) throw USER_NOT_FOUND();
      if (lock.onlyActiveCeo) throw LAST_CEO();
      const [user] = await query(tem, `select ${USER_COLUMNS}, ${USER_PAGES} from app_user u where u.id = ?`, [id]);
      if (!user) throw USER_NOT_FOUND();
      await query(tem, 'delete from app_user where id = ?', [id]);
      await this.audit(
        tem,
        {
          actorUserId: actorId,
          entityType: 'user',
          entityId: id,
          action: 'delete',
          data: { before: toAdminUser(user) },
        },
        info,
      );
    });
  }

  // ---------------------------------------------------------------------------------------------- permissions

  async permissions(id: number) {
    const em = this.#em();
    const [user] = await query(em, 'select id, email, name, surname from app_user where id = ?', [id]);
    if (!user) throw USER_NOT_FOUND();
    const pages = await query(
      em,
      `select p.name, (pp.id is not null) as granted from app_page p
         left join user_page_permission pp on pp.page_name = p.name and pp.user_id = ?
        where p.is_active order by p.sort_order, p.name`,
      [id],
    );
    return {
      user_id: asInt(user.id),
      user_email: String(user.email),
      user_name: `${user.name} ${user.surname}`.trim(),
      permissions: Object.fromEntries(pages.map((p) => [String(p.name), p.granted === true])),
      active_permissions_count: pages.filter((p) => p.granted === true).length,
      total_available_pages: pages.length,
    };
  }

  /** Grants the pages marked true; with `replace`, the pages not marked true are revoked. Returns the granted keys. */
  async setPermissions(
    id: number,
    map: Record<string, boolean>,
    replace: boolean,
    actorId: number,
    info: RequestInfo,
  ): Promise<string[]> {
    const em = this.#em();
    const entries = Object.entries(map).map(([sent, on]) => ({ sent, key: sent.trim().toLowerCase(), on }));
    await this.#activePages(em, entries, (sent) => ['body', sent]);
    const granted = [...new Set(entries.filter((e) => e.on).map((e) => e.key))];
    return em.transactional(async (tem) => {
      const [user] = await query(tem, 'select id from app_user where id = ? for update', [id]);
      if (!user) throw USER_NOT_FOUND();
      if (replace) {
        // Arrays travel as JSON: knex would spread a bound array into a list.
        await query(
          tem,
          `delete from user_page_permission
            where user_id = ? and page_name not in (select jsonb_array_elements_text(cast(? as jsonb)))`,
          [id, JSON.stringify(granted)],
        );
      }
      for (const page of granted) {
        await query(
          tem,
          'insert into user_page_permission (user_id, page_name, created_at) values (?, ?, now()) on conflict do nothing',
          [id, page],
        );
      }
      await this.audit(
        tem,
        {
          actorUserId: actorId,
          entityType: 'user_page_permission',
          entityId: id,
          action: replace ? 'set_permissions' : 'grant_permissions',
          data: { pages: granted },
        },
        info,
      );
      const ordered = await query(
        tem,
        `select name from app_page where name in (select jsonb_array_elements_text(cast(? as jsonb)))
          order by sort_order, name`,
        [JSON.stringify(granted)],
      );
      return ordered.map((r) => String(r.name));
    });
  }

  async removePermission(id: number, page: string, actorId: number, info: RequestInfo): Promise<void> {
    await this.#em().transactional(async (tem) => {
      const [row] = await query(
        tem,
        'delete from user_page_permission where user_id = ? and page_name = ? returning id',
        [id, page],
      );
      if (!row) throw new ApiError('NOT_FOUND', CEO_MESSAGES.permissionNotHeld(page));
      await this.audit(
        tem,
        {
          actorUserId: actorId,
          entityType: 'user_page_permission',
          entityId: id,
          action: 'revoke_permission',
          data: { page },
        },
        info,
      );
    });
  }

  async overview() {
    const em = this.#em();
    const pages = await query(em, 'select name, display_name from app_page where is_active order by sort_order, name');
    const display = new Map(pages.map((p) => [String(p.name), String(p.display_name)]));
    const roles = new Map(
      (await query(em, 'select name, display_name from user_role')).map((r) => [
        String(r.name),
        String(r.display_name),
      ]),
    );
    const users = await query(em, `select ${USER_COLUMNS}, ${USER_PAGES} from app_user u order by u.id`);
    const rows = users.map((u) => {
      const granted = asStringArray(u.pages).filter((p) => display.has(p));
      return {
        user_id: asInt(u.id),
        email: String(u.email),
        name: `${u.name} ${u.surname}`.trim(),
        role: (u.role_name ? roles.get(String(u.role_name)) : undefined) ?? String(u.role),
        job_title: (u.job_title as string | null) ?? null,
        is_active: u.is_active === true,
        permissions: granted,
        permissions_display: granted.map((p) => display.get(p) ?? p),
        permissions_count: granted.length,
      };
    });
    const summary = Object.fromEntries(
      [...display.keys()].map((page) => [
        `users_with_${page}_access`,
        rows.filter((r) => r.permissions.includes(page)).length,
      ]),
    );
    return { users: rows, total_users: rows.length, available_pages: [...display.keys()], summary };
  }

  // ---------------------------------------------------------------------------------------------- pages

  async listPages(): Promise<Page[]> {
    return (await query(this.#em(), 'select * from app_page order by sort_order, id')).map(toPage);
  }

  async createPage(input: CreatePageInput): Promise<Page> {
    const [row] = await query(
      this.#em(),
      `insert into app_page (name, display_name, description, route_path, sort_order, is_active, is_system, created_at,
         updated_at)
       values (?, ?, ?, ?, ?, ?, false, now(), now()) on conflict (name) do nothing returning *`,
      [
        input.name,
        input.display_name,
        input.description ?? null,
        input.route_path ?? null,
        input.order,
        input.is_active,
      ],
    );
    if (!row) throw new ApiError('CONFLICT', MANAGEMENT_MESSAGES.pageExists(input.name));
    return toPage(row);
  }

  async updatePage(id: number, input: UpdatePageInput): Promise<Page> {
    const set = assignments({
      display_name: input.display_name,
      description: input.description,
      route_path: input.route_path,
      sort_order: input.order,
      is_active: input.is_active,
    });
    if (!set.sql) throw new ApiError('NOTHING_TO_UPDATE', COMMON_MESSAGES.nothingToUpdate);
    const [row] = await query(
      this.#em(),
      `update app_page set ${set.sql}, updated_at = now() where id = ? returning *`,
      [...set.params, id],
    );
    if (!row) throw new ApiError('NOT_FOUND', MANAGEMENT_MESSAGES.pageNotFound);
    return toPage(row);
  }

  /**
   * Deletes a page unless it is built in or granted to someone. "Granted" is decided by the database (a foreign key
   * from the permissions), so a grant racing with the delete cannot leave a dangling permission.
   */
  async deletePage(id: number): Promise<string> {
    const em = this.#em();
    const [page] = await query(em, 'select name, is_system from app_page where id = ?', [id]);
    if (!page) throw new ApiError('NOT_FOUND', MANAGEMENT_MESSAGES.pageNotFound);
    if (page.is_system === true) throw new ApiError('FORBIDDEN', MANAGEMENT_MESSAGES.builtInPage);
    try {
      const [deleted] = await query(em, 'delete from app_page where id = ? and not is_system returning name', [id]);
      if (!deleted) throw new ApiError('NOT_FOUND', MANAGEMENT_MESSAGES.pageNotFound);
      return String(deleted.name);
    } catch (error) {
      if (!isForeignKeyViolation(error)) throw error;
      const [usage] = await query(em, 'select count(*) as n from user_page_permission where page_name = ?', [
        page.name,
      ]);
      throw new ApiError('CONFLICT', MANAGEMENT_MESSAGES.pageGranted(asInt(usage?.n)));
    }
  }

  // ---------------------------------------------------------------------------------------------- roles

  async listRoles(): Promise<ManagedRole[]> {
    return (await query(this.#em(), 'select * from user_role order by lower(display_name), id')).map(toRole);
  }

  async createRole(input: CreateRoleInput): Promise<ManagedRole> {
    try {
      const [row] = await query(
        this.#em(),
        `insert into user_role (name, display_name, description, is_active, is_system, created_at, updated_at)
         values (?, ?, ?, ?, false, now(), now()) returning *`,
        [input.name, input.display_name, input.description ?? null, input.is_active],
      );
      return toRole(row as Row);
    } catch (error) {
      if (isUniqueViolation(error)) throw new ApiError('CONFLICT', MANAGEMENT_MESSAGES.roleExists(input.name));
      throw error;
    }
  }

  async updateRole(id: number, input: UpdateRoleInput): Promise<ManagedRole> {
    const set = assignments({
      display_name: input.display_name,
      description: input.description,
      is_active: input.is_active,
    });
    if (!set.sql) throw new ApiError('NOTHING_TO_UPDATE', COMMON_MESSAGES.nothingToUpdate);
    const [row] = await query(
      this.#em(),
      `update user_role set ${set.sql}, updated_at = now() where id = ? returning *`,
      [...set.params, id],
    );
    if (!row) throw new ApiError('NOT_FOUND', MANAGEMENT_MESSAGES.roleNotFound);
    return toRole(row);
  }

  /** Deletes a role unless it is built in or held by someone (a foreign key from the users decides). */
  async deleteRole(id: number): Promise<string> {
    const em = this.#em();
    const [role] = await query(em, 'select name, is_system from user_role where id = ?', [id]);
    if (!role) throw new ApiError('NOT_FOUND', MANAGEMENT_MESSAGES.roleNotFound);
    if (role.is_system === true) throw new ApiError('FORBIDDEN', MANAGEMENT_MESSAGES.builtInRole);
    try {
      const [deleted] = await query(em, 'delete from user_role where id = ? and not is_system returning name', [id]);
      if (!deleted) throw new ApiError('NOT_FOUND', MANAGEMENT_MESSAGES.roleNotFound);
      return String(deleted.name);
    } catch (error) {
      if (!isForeignKeyViolation(error)) throw error;
      const [usage] = await query(em, 'select count(*) as n from app_user where role_name = ?', [role.name]);
      throw new ApiError('CONFLICT', MANAGEMENT_MESSAGES.roleHeld(asInt(usage?.n)));
    }
  }
}
