import type { CreateRoleInput, ManagedRole, UpdateRoleInput } from '@cims/contracts';
import { COMMON_MESSAGES, MANAGEMENT_MESSAGES } from '@cims/contracts/rules';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Orm } from '../../db/orm.js';
import { asDate, asInt, query, type Row } from '../../db/sql.js';
import { assignments, isUniqueViolation } from '../../db/writes.js';
import { ApiError } from '../../errors.js';
import { type CatalogTable, deleteCatalogRow } from './catalog-rows.js';

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

/** Held through `app_user.role_name`. */
const ROLES: CatalogTable = {
  table: 'user_role',
  usedBy: { table: 'app_user', column: 'role_name' },
  messages: {
    notFound: MANAGEMENT_MESSAGES.roleNotFound,
    builtIn: MANAGEMENT_MESSAGES.builtInRole,
    inUse: MANAGEMENT_MESSAGES.roleHeld,
  },
};

/** The custom roles a user may hold besides the built-in ones: built-in roles stay, and a role held is not deleted. */
export class RoleService {
  constructor(readonly orm: Orm) {}

  #em(): EntityManager {
    return this.orm.em.fork() as EntityManager;
  }

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
    return deleteCatalogRow(this.#em(), ROLES, id);
  }
}
