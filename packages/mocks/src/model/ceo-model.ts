import type {
  CreateUserInput as ContractCreateUserInput,
  UpdateUserInput as ContractUpdateUserInput,
} from '@cims/contracts';
import { type AdminUser, normalizeRole, type Role, type ValidationIssue } from '@cims/contracts';
import { AUTH_MESSAGES, CEO_MESSAGES } from '@cims/contracts/rules';
import { MockApiError } from '../route-handler.js';
import type { MockState, MockUser } from '../state.js';
import type { AuthModel } from './auth-model.js';
import type { ManagementModel } from './management-model.js';
import { requireSomething } from './management-model.js';
import { activePages, inPageOrder, pageNamed } from './pages.js';

/** `POST /ceo/users`, as the contract parsed it. */
export type CreateUserInput = ContractCreateUserInput;

/** `PUT /ceo/users/:id`, as the contract parsed it. */
export type UpdateUserInput = ContractUpdateUserInput;

/** A role on input, resolved: a built-in role, or `Member` labelled with a custom role's key. */
interface ResolvedRole {
  role: Role;
  role_name: string | null;
}

function validationFailed(loc: (string | number)[], msg: string): MockApiError {
  return new MockApiError('VALIDATION_FAILED', [{ loc, msg, type: 'value_error' }]);
}

/** A key as the permission screens send it: trimmed, lower-cased. */
function pageKey(value: string): string {
  return value.trim().toLowerCase();
}

/**
 * The CEO's tools of the reference server over the mocks' state: users (create, change, (de)activate, delete) and
 * their page permissions. The last active CEO can neither lose the role nor be deactivated or deleted; a new password,
 * deactivation and deletion end the user's sessions. Failures are thrown as {@link MockApiError}.
 */
export function createCeoModel(state: MockState, auth: AuthModel, management: ManagementModel) {
  function requireUser(id: number): MockUser {
    const user = state.users.get(id);
    if (!user) throw new MockApiError('NOT_FOUND', CEO_MESSAGES.userNotFound);
    return user;
  }

  function usersById(): MockUser[] {
    return [...state.users.values()].sort((a, b) => a.id - b.id);
  }

  function counts() {
    const all = [...state.users.values()];
    const active = all.filter((user) => user.is_active).length;
    return { user_count: all.length, active_user_count: active, inactive_user_count: all.length - active };
  }

  /** Whether `user` is the only active CEO left. */
  function isLastActiveCeo(user: MockUser): boolean {
    if (user.role !== 'CEO' || !user.is_active) return false;
    for (const other of state.users.values()) {
      if (other.id !== user.id && other.role === 'CEO' && other.is_active) return false;
    }
    return true;
  }

  /** A built-in role in any spelling, else the key of an active custom role (→ `Member`), else `422`. */
  function resolveRole(value: string): ResolvedRole {
    const builtIn = normalizeRole(value);
    if (builtIn) return { role: builtIn, role_name: null };
    const key = value.trim().toLowerCase().replace(/\s+/g, '_');
    const custom = management.activeCustomRole(key);
    if (!custom) throw validationFailed(['body', 'role'], CEO_MESSAGES.unknownRole);
    return { role: 'Member', role_name: custom.name };
  }

  function isActivePage(key: string): boolean {
    return pageNamed(state, key)?.is_active === true;
  }

  /** The page keys of a permission map, checked: one `422` issue per key that is not an active page. */
  function readPermissionMap(map: Record<string, boolean>): Map<string, boolean> {
    const out = new Map<string, boolean>();
    const bad: ValidationIssue[] = [];
    for (const [sent, granted] of Object.entries(map)) {
      const key = pageKey(sent);
      if (isActivePage(key)) out.set(key, granted);
      else bad.push({ loc: ['body', sent], msg: CEO_MESSAGES.unknownPage(key), type: 'value_error' });
    }
    if (bad.length > 0) throw new MockApiError('VALIDATION_FAILED', bad);
    return out;
  }

  /** Page keys in page order. */
  function listed(keys: Iterable<string>): string[] {
    return inPageOrder(state, keys).map((page) => page.name);
  }

  function adminUser(user: MockUser): AdminUser {
    return {
      id: user.id,
      email: user.email,
      name: user.name,
      surname: user.surname,
      role: user.role,
      role_name: user.role_name,
      company_code: user.company_code,
      telegram_id: user.telegram_id,
      job_title: user.job_title,
      profile_image: user.profile_image,
      is_active: user.is_active,
      email_verified: user.email_verified,
      permissions: inPageOrder(state, user.pages).map((page) => page.name),
      created_at: user.created_at,
    };
  }

  return {
    dashboard() {
      return { users: usersById().map(adminUser), statistics: counts() };
    },

    /** Creates a verified account; returns its id. */
    createUser(input: CreateUserInput): number {
      const { role, role_name } = resolveRole(input.role);
      const keys = (input.pages ?? []).map(pageKey);
      const bad = keys.filter((key) => !isActivePage(key));
      if (bad.length > 0) {
        const issues = bad.map((key) => ({
          loc: ['body', 'pages'],
          msg: CEO_MESSAGES.unknownPage(key),
          type: 'value_error',
        }));
        throw new MockApiError('VALIDATION_FAILED', issues);
      }
      if (auth.findUser(input.email)) throw new MockApiError('EMAIL_TAKEN', AUTH_MESSAGES.emailTaken);
      const pages = new Set(keys);
      const user = auth.addUser({
        email: input.email,
        password: input.password,
        name: input.name,
        surname: input.surname,
        role,
        role_name,
        company_code: input.company_code,
        telegram_id: input.telegram_id ?? null,
        job_title: input.job_title ?? null,
        is_active: input.is_active,
        email_verified: true,
        pages: [...pages],
      });
      return user.id;
    },

    /** Changes a user; checks everything before changing anything. */
    updateUser(id: number, input: UpdateUserInput): void {
      requireSomething(input);
      const resolved = input.role === undefined ? undefined : resolveRole(input.role);
      const user = requireUser(id);
      const demoted = resolved !== undefined && resolved.role !== 'CEO';
      if ((input.is_active === false || demoted) && isLastActiveCeo(user)) {
        throw new MockApiError('CONFLICT', CEO_MESSAGES.lastCeo);
      }
      if (input.email !== undefined) {
        const holder = auth.findUser(input.email);
        if (holder && holder.id !== user.id) throw new MockApiError('EMAIL_TAKEN', CEO_MESSAGES.emailInUse);
      }
      const { password, role: _role, ...fields } = input;
      for (const [key, value] of Object.entries(fields)) {
        if (value !== undefined) (user as unknown as Record<string, unknown>)[key] = value;
      }
      if (resolved) Object.assign(user, resolved);
      if (password !== undefined) {
        user.password = password;
        auth.endSessions(user.id, 'password-changed-by-admin');
      }
      if (input.is_active === false) auth.endSessions(user.id, 'deactivated');
    },

    /** Flips `is_active`; deactivation ends the user's sessions. */
    toggleActive(id: number) {
      const user = requireUser(id);
      if (isLastActiveCeo(user)) throw new MockApiError('CONFLICT', CEO_MESSAGES.lastCeo);
      user.is_active = !user.is_active;
      if (!user.is_active) auth.endSessions(user.id, 'deactivated');
      const { active_user_count, inactive_user_count } = counts();
      return { is_active: user.is_active, active_user_count, inactive_user_count };
    },

    deleteUser(id: number): void {
      const user = requireUser(id);
      if (isLastActiveCeo(user)) throw new MockApiError('CONFLICT', CEO_MESSAGES.lastCeo);
      auth.removeUser(user);
    },

    /** Every active page → whether the user has it (the actual grants, also for a CEO). */
    permissions(id: number) {
      const user = requireUser(id);
      const pages = activePages(state);
      const permissions = Object.fromEntries(pages.map((page) => [page.name, user.pages.has(page.name)]));
      return {
        user_id: user.id,
        user_email: user.email,
        user_name: `${user.name} ${user.surname}`.trim(),
        permissions,
        active_permissions_count: pages.filter((page) => user.pages.has(page.name)).length,
        total_available_pages: pages.length,
      };
    },

    /** The pages whose value is true become the user's whole set. */
    setPermissions(id: number, map: Record<string, boolean>): string {
      const granted = [...readPermissionMap(map)].filter(([, value]) => value).map(([key]) => key);
      const user = requireUser(id);
      user.pages = new Set(granted);
      return CEO_MESSAGES.permissionsSet(listed(granted));
    },

    /** Grants the pages whose value is true; removes nothing. */
    addPermissions(id: number, map: Record<string, boolean>): string {
      const granted = [...readPermissionMap(map)].filter(([, value]) => value).map(([key]) => key);
      const user = requireUser(id);
      for (const key of granted) user.pages.add(key);
      return CEO_MESSAGES.permissionsGranted(listed(granted));
    },

    /** Revokes a page; the user not holding it (or not existing) is one `404`, as on the server. */
    removePermission(id: number, page: string): string {
      const user = state.users.get(id);
      if (!user?.pages.delete(page)) throw new MockApiError('NOT_FOUND', CEO_MESSAGES.permissionNotHeld(page));
      return CEO_MESSAGES.permissionRemoved(page);
    },

    overview() {
      const available = activePages(state);
      const users = usersById().map((user) => {
        const pages = inPageOrder(state, user.pages);
        const custom = user.role_name === null ? undefined : management.roleNamed(user.role_name);
        return {
          user_id: user.id,
          email: user.email,
          name: `${user.name} ${user.surname}`.trim(),
          role: custom?.display_name ?? user.role_name ?? user.role,
          job_title: user.job_title,
          is_active: user.is_active,
          permissions: pages.map((page) => page.name),
          permissions_display: pages.map((page) => page.display_name),
          permissions_count: pages.length,
        };
      });
      const summary: Record<string, number> = {};
      for (const page of available) {
        summary[`users_with_${page.name}_access`] = usersById().filter((user) => user.pages.has(page.name)).length;
      }
      return {
        users,
        total_users: users.length,
        available_pages: available.map((page) => page.name),
        summary,
      };
    },
  };
}

/** The CEO model of one mock API. */
export type CeoModel = ReturnType<typeof createCeoModel>;
