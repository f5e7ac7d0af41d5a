import type { CreatePageInput, Page, UpdatePageInput } from '@cims/contracts';
import { COMMON_MESSAGES, MANAGEMENT_MESSAGES } from '@cims/contracts/rules';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Orm } from '../../db/orm.js';
import { asDate, asInt, query, type Row } from '../../db/sql.js';
import { assignments, isForeignKeyViolation } from '../../db/writes.js';
import { ApiError } from '../../errors.js';

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

/** The pages of the menu that permissions grant: built-in pages stay, and a page granted to someone is not deleted. */
export class PageService {
  constructor(readonly orm: Orm) {}

  #em(): EntityManager {
    return this.orm.em.fork() as EntityManager;
  }

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
}
