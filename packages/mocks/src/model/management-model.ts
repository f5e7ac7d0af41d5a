import type { CreatePageInput, CreateRoleInput, UpdatePageInput, UpdateRoleInput } from '@cims/contracts';
import { COMMON_MESSAGES, MANAGEMENT_MESSAGES } from '@cims/contracts/rules';
import { MockApiError } from '../route-handler.js';
import type { MockPage, MockRole, MockState } from '../state.js';
import { pageNamed, pagesInOrder } from './pages.js';

/** The clock of the management model. */
export interface ManagementModelOptions {
  /** The current time in milliseconds since the epoch. */
  now: () => number;
}

/** `POST /management/pages`, as the contract parsed it. */
export type PageInput = CreatePageInput;

/** `PUT`/`PATCH /management/pages/:id`; `null` clears `description` or `route_path`. */
export type PagePatch = UpdatePageInput;

/** `POST /management/roles`, as the contract parsed it. */
export type RoleInput = CreateRoleInput;

/** `PUT`/`PATCH /management/roles/:id`; `null` clears `description`. */
export type RolePatch = UpdateRoleInput;

/** `400 NOTHING_TO_UPDATE` for a patch that sets nothing. */
export function requireSomething(patch: object): void {
  if (Object.values(patch).every((value) => value === undefined)) {
    throw new MockApiError('NOTHING_TO_UPDATE', COMMON_MESSAGES.nothingToUpdate);
  }
}

/** Copies the fields a patch sets (leaves the `undefined` ones alone; `null` is a value). */
function apply<T extends object>(target: T, patch: Partial<T>): void {
  for (const [key, value] of Object.entries(patch)) {
    if (value !== undefined) (target as Record<string, unknown>)[key] = value;
  }
}

function usersWith(state: MockState, holds: (user: { pages: Set<string>; role_name: string | null }) => boolean) {
  let count = 0;
  for (const user of state.users.values()) if (holds(user)) count++;
  return count;
}

/**
 * The rules of the reference server's Management page over the mocks' state: the pages (the unit of page
 * permissions) and the roles (the six built-in ones, which are system roles, and custom labels). Built-in pages and
 * roles cannot be deleted, nor can one still in use; names never change. Failures are thrown as {@link MockApiError}.
 */
export function createManagementModel(state: MockState, options: ManagementModelOptions) {
  const stamp = () => new Date(options.now()).toISOString();

  function requirePage(id: number): MockPage {
    const page = state.pages.get(id);
    if (!page) throw new MockApiError('NOT_FOUND', MANAGEMENT_MESSAGES.pageNotFound);
    return page;
  }

  function requireRole(id: number): MockRole {
    const role = state.roles.get(id);
    if (!role) throw new MockApiError('NOT_FOUND', MANAGEMENT_MESSAGES.roleNotFound);
    return role;
  }

  /** The role with this name, compared case-insensitively (`admin` is the built-in `Admin`). */
  function roleNamed(name: string): MockRole | undefined {
    const wanted = name.toLowerCase();
    for (const role of state.roles.values()) if (role.name.toLowerCase() === wanted) return role;
    return undefined;
  }

  return {
    roleNamed,

    /** The active custom role with this key, if any. */
    activeCustomRole(key: string): MockRole | undefined {
      for (const role of state.roles.values()) {
        if (role.name === key && role.is_active && !role.is_system) return role;
      }
      return undefined;
    },

    listPages(): MockPage[] {
      return pagesInOrder(state).map((page) => ({ ...page }));
    },

    createPage(input: PageInput): MockPage {
      if (pageNamed(state, input.name)) {
        throw new MockApiError('CONFLICT', MANAGEMENT_MESSAGES.pageExists(input.name));
      }
      const at = stamp();
      const page: MockPage = {
        id: ++state.sequences.page,
        name: input.name,
        display_name: input.display_name,
        description: input.description ?? null,
        route_path: input.route_path ?? null,
        order: input.order,
        is_active: input.is_active,
        is_system: false,
        created_at: at,
        updated_at: at,
      };
      state.pages.set(page.id, page);
      return { ...page };
    },

    updatePage(id: number, patch: PagePatch): MockPage {
      requireSomething(patch);
      const page = requirePage(id);
      apply(page, patch);
      page.updated_at = stamp();
      return { ...page };
    },

    /** Deletes a page: `403 FORBIDDEN` for a built-in one, `409 CONFLICT` while it is granted to anyone. */
    deletePage(id: number): string {
      const page = requirePage(id);
      if (page.is_system) throw new MockApiError('FORBIDDEN', MANAGEMENT_MESSAGES.builtInPage);
      const holders = usersWith(state, (user) => user.pages.has(page.name));
      if (holders > 0) {
        throw new MockApiError('CONFLICT', MANAGEMENT_MESSAGES.pageGranted(holders));
      }
      state.pages.delete(page.id);
      return MANAGEMENT_MESSAGES.pageDeleted(page.name);
    },

    /** Every role, by display name (any case), then id. */
    listRoles(): MockRole[] {
      const key = (role: MockRole) => role.display_name.toLowerCase();
      return [...state.roles.values()]
        .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.id - b.id))
        .map((role) => ({ ...role }));
    },

    createRole(input: RoleInput): MockRole {
      if (roleNamed(input.name)) throw new MockApiError('CONFLICT', MANAGEMENT_MESSAGES.roleExists(input.name));
      const at = stamp();
      const role: MockRole = {
        id: ++state.sequences.role,
        name: input.name,
        display_name: input.display_name,
        description: input.description ?? null,
        is_active: input.is_active,
        is_system: false,
        created_at: at,
        updated_at: at,
      };
      state.roles.set(role.id, role);
      return { ...role };
    },

    updateRole(id: number, patch: RolePatch): MockRole {
      requireSomething(patch);
      const role = requireRole(id);
      apply(role, patch);
      role.updated_at = stamp();
      return { ...role };
    },

    /** Deletes a role: `403 FORBIDDEN` for a built-in one, `409 CONFLICT` while a user holds it. */
    deleteRole(id: number): string {
      const role = requireRole(id);
      if (role.is_system) throw new MockApiError('FORBIDDEN', MANAGEMENT_MESSAGES.builtInRole);
      const holders = usersWith(state, (user) => user.role_name === role.name);
      if (holders > 0) {
        throw new MockApiError('CONFLICT', MANAGEMENT_MESSAGES.roleHeld(holders));
      }
      state.roles.delete(role.id);
      return MANAGEMENT_MESSAGES.roleDeleted(role.name);
    },
  };
}

/** The management model of one mock API. */
export type ManagementModel = ReturnType<typeof createManagementModel>;
