import type { Me } from '@cims/contracts';
import { AUTH_MESSAGES, COMMON_MESSAGES } from '@cims/contracts/rules';
import { MockApiError } from '../../route-handler.js';
import type { MockUser } from '../../state.js';
import { activePages } from '../pages.js';
import type { AuthCore } from './core.js';
import type { MockUserPatch, Principal } from './types.js';

/** The signed-in user: `/auth/me`, the profile, the password, and QA's edits of a user. */
export function authProfile(core: AuthCore) {
  const { state, requireUser, revokeAll, checkPassword, passwordChangeLimits, grantable, setProfileImage } = core;
  return {
    me(user: MockUser): Me {
      const permissions: Record<string, boolean> = {};
      for (const page of activePages(state)) {
        permissions[page.name] = user.role === 'CEO' || user.pages.has(page.name);
      }
      return {
        id: user.id,
        email: user.email,
        name: user.name,
        surname: user.surname,
        role: user.role,
        permissions,
        profile_image: user.profile_image,
        job_title: user.job_title,
        company_code: user.company_code,
        telegram_id: user.telegram_id,
        is_active: user.is_active,
        email_verified: user.email_verified,
        created_at: user.created_at,
      };
    },
    dashboardRedirect(user: MockUser): string {
      if (user.role === 'CEO') return '/ceo';
      if (user.role === 'Member') return '/member_dashboard';
      const page = activePages(state).find((p) => p.route_path !== null && user.pages.has(p.name));
      if (!page?.route_path) throw new MockApiError('NO_PAGE_ACCESS', AUTH_MESSAGES.noPageAccess);
      return page.route_path;
    },
    updateProfileInfo(user: MockUser, input: { name?: string; surname?: string }): string {
      if (input.name === undefined && input.surname === undefined) {
        throw new MockApiError('NOTHING_TO_UPDATE', COMMON_MESSAGES.nothingToUpdate);
      }
      if (input.name !== undefined) user.name = input.name;
      if (input.surname !== undefined) user.surname = input.surname;
      return AUTH_MESSAGES.profileUpdated;
    },
    /** A wrong current password uses the session's budget. */
    changePassword(
      principal: Principal,
      { current_password: current, new_password: next }: { current_password: string; new_password: string },
    ): string {
      if (!checkPassword(passwordChangeLimits(principal), principal.user, current)) {
        throw new MockApiError('WRONG_CURRENT_PASSWORD', AUTH_MESSAGES.wrongCurrentPassword);
      }
      principal.user.password = next;
      revokeAll(principal.user.id, 'password-change', principal.session.id);
      return AUTH_MESSAGES.passwordChanged;
    },
    /**
     * `PATCH /auth/me/profile`: checks everything first, then applies it all at once. The contract's schema already
     * refused half a password pair and a weak new password (`422`).
     */
    updateProfile(
      principal: Principal,
      {
        image,
        ...input
      }: {
        name?: string;
        surname?: string;
        current_password?: string;
        new_password?: string;
        image?: { file: Blob; extension: string } | undefined;
      },
    ): string {
      const { current_password: current, new_password: next } = input;
      if (input.name === undefined && input.surname === undefined && next === undefined && !image) {
        throw new MockApiError('NOTHING_TO_UPDATE', COMMON_MESSAGES.nothingToUpdate);
      }
      const { user } = principal;
      // Guessing the current password with a stolen access token is limited per session.
      if (next !== undefined && !checkPassword(passwordChangeLimits(principal), user, current ?? '')) {
        throw new MockApiError('WRONG_CURRENT_PASSWORD', AUTH_MESSAGES.wrongCurrentPassword);
      }
      if (input.name !== undefined) user.name = input.name;
      if (input.surname !== undefined) user.surname = input.surname;
      if (next !== undefined) {
        user.password = next;
        revokeAll(user.id, 'password-change', principal.session.id);
      }
      if (image) setProfileImage(user, image);
      return AUTH_MESSAGES.profileUpdated;
    },
    /** Changes a user in place; deactivating one makes its access and refresh tokens fail at once. */
    updateUser(email: string, patch: MockUserPatch): MockUser {
      const user = requireUser(email);
      const { pages, ...rest } = patch;
      const granted = pages && grantable(pages);
      Object.assign(user, Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined)));
      if (granted) user.pages = granted;
      return user;
    },
  };
}
