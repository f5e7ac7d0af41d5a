import type { EntityManager } from '@mikro-orm/postgresql';
import { asInt, query } from '../../db/sql.js';
import { isForeignKeyViolation } from '../../db/writes.js';
import { ApiError } from '../../errors.js';

/**
 * A table of the catalog the CEO manages (pages, roles): rows built in (`is_system`) stay, and a row in use (a foreign
 * key from `usedBy` refers to its `name`) is not deleted. Table and column names are constants of the services.
 */
export interface CatalogTable {
  table: 'app_page' | 'user_role';
  /** The table and column that refer to a row by its name. */
  usedBy: { table: 'user_page_permission' | 'app_user'; column: 'page_name' | 'role_name' };
  messages: { notFound: string; builtIn: string; inUse: (holders: number) => string };
}

/**
 * Deletes a row unless it is built in (403) or in use (409, with how many use it); 404 when there is none. "In use" is
 * decided by the database (the foreign key), so a grant racing with the delete cannot leave a dangling reference.
 * Returns the deleted row's name.
 */
export async function deleteCatalogRow(em: EntityManager, catalog: CatalogTable, id: number): Promise<string> {
  const { table, usedBy, messages } = catalog;
  const [row] = await query(em, `select name, is_system from ${table} where id = ?`, [id]);
  if (!row) throw new ApiError('NOT_FOUND', messages.notFound);
  if (row.is_system === true) throw new ApiError('FORBIDDEN', messages.builtIn);
  try {
    const [deleted] = await query(em, `delete from ${table} where id = ? and not is_system returning name`, [id]);
    if (!deleted) throw new ApiError('NOT_FOUND', messages.notFound);
    return String(deleted.name);
  } catch (error) {
    if (!isForeignKeyViolation(error)) throw error;
    const [usage] = await query(em, `select count(*) as n from ${usedBy.table} where ${usedBy.column} = ?`, [row.name]);
    throw new ApiError('CONFLICT', messages.inUse(asInt(usage?.n)));
  }
}
