import type { CreatePageInput, Page, UpdatePageInput } from '@cims/contracts';
import { COMMON_MESSAGES, MANAGEMENT_MESSAGES } from '@cims/contracts/rules';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Orm } from '../../db/orm.js';
import { asDate, asInt, query, type Row } from '../../db/sql.js';
import { assignments } from '../../db/writes.js';
import { ApiError } from '../../errors.js';
import { type CatalogTable, deleteCatalogRow } from './catalog-rows.js';

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

/** Granted by `user_page_permission.page_name`. */
const PAGES: CatalogTable = {
  table: 'app_page',
  usedBy: { table: 'user_page_permission', column: 'page_name' },
  messages: {
    notFound: MANAGEMENT_MESSAGES.pageNotFound,
    builtIn: MANAGEMENT_MESSAGES.builtInPage,
    inUse: MANAGEMENT_MESSAGES.pageGranted,
  },
};

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
    return deleteCatalogRow(this.#em(), PAGES, id);
  }
}
