import { CEO_MESSAGES } from '@cims/contracts/rules';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Orm } from '../../db/orm.js';
import { asInt, asStringArray, query, transaction } from '../../db/sql.js';
import { ApiError } from '../../errors.js';
import type { RequestScope } from '../auth/caller.js';
import { activePages, auditUsers, USER_COLUMNS, USER_NOT_FOUND, USER_PAGES } from './admin-users.js';

/** A change of a user's page permissions: the pages marked true are granted; with `replace`, the others revoked. */
export interface PermissionChange {
  permissions: Record<string, boolean>;
  replace: boolean;
}

/** The CEO's view and control of who may open which page: per user, and the overview of everyone. */
export class PermissionService {
  constructor(readonly orm: Orm) {}

  #em(): EntityManager {
    return this.orm.em.fork() as EntityManager;
  }

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
    { caller, info }: RequestScope,
    id: number,
    { permissions: map, replace }: PermissionChange,
  ): Promise<string[]> {
    const em = this.#em();
    const entries = Object.entries(map).map(([sent, on]) => ({ sent, key: sent.trim().toLowerCase(), on }));
    await activePages(em, entries, (sent) => ['body', sent]);
    const granted = [...new Set(entries.filter((e) => e.on).map((e) => e.key))];
    return transaction(em, async (tem) => {
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
      await auditUsers(
        tem,
        {
          actorUserId: caller.userId,
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

  async removePermission({ caller, info }: RequestScope, id: number, page: string): Promise<void> {
    await transaction(this.#em(), async (tem) => {
      const [row] = await query(
        tem,
        'delete from user_page_permission where user_id = ? and page_name = ? returning id',
        [id, page],
      );
      if (!row) throw new ApiError('NOT_FOUND', CEO_MESSAGES.permissionNotHeld(page));
      await auditUsers(
        tem,
        {
          actorUserId: caller.userId,
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
}
