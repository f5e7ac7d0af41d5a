import type { ChangePasswordSchema, Me, ProfileForm, ProfileInfoSchema } from '@cims/contracts';
import { AUTH_MESSAGES, COMMON_MESSAGES } from '@cims/contracts/rules';
import type { z } from 'zod';
import { query, transaction } from '../../db/sql.js';
import { ApiError } from '../../errors.js';
import type { BlobSource } from '../files/blob-store.js';
import { type AuthCore, UNAUTHENTICATED } from './auth-core.js';
import type { Caller, RequestScope } from './caller.js';
import { toUserBase, USER_BASE_COLUMNS } from './user-view.js';

/** The folder of profile pictures in the blob store, and the URL path they are served at. */
export const PROFILE_IMAGE_FOLDER = 'profile-images';
export const PROFILE_IMAGE_URL = '/media/profile-images';

/** A picture the multipart parser recognised by its bytes. */
export interface ProfilePicture {
  source: BlobSource;
  extension: string;
}

/** A change of the caller's profile: any of the form's fields, and a new picture. */
export type ProfileUpdate = ProfileForm & { image?: ProfilePicture | undefined };

/** The signed-in user: who they are, where they land, and the changes they make to their own profile. */
export class ProfileService {
  constructor(private readonly core: AuthCore) {}

  async me(caller: Caller): Promise<Me> {
    // One round trip: the user row, and the active pages in menu order as a JSON list of [name, granted].
    const [user] = await query(
      this.core.reads,
      `select ${USER_BASE_COLUMNS},
              (select coalesce(json_agg(json_build_array(p.name, pp.id is not null) order by p.sort_order, p.name),
                               '[]')
                 from app_page p left join user_page_permission pp on pp.page_name = p.name and pp.user_id = u.id
                where p.is_active) as pages
         from app_user u where u.id = ?`,
      [caller.userId],
    );
    if (!user) throw UNAUTHENTICATED(AUTH_MESSAGES.sessionEnded);
    const pages = (typeof user.pages === 'string' ? JSON.parse(user.pages) : user.pages) as [unknown, unknown][];
    const isCeo = user.role === 'CEO';
    return {
      ...toUserBase(user),
      permissions: Object.fromEntries(pages.map(([name, granted]) => [String(name), isCeo || granted === true])),
    };
  }

  /** Where the user lands: the legacy rules, with "first page" meaning the first in page order (legacy: arbitrary). */
  async dashboardRedirect(caller: Caller): Promise<string> {
    if (caller.role === 'CEO') return '/ceo';
    if (caller.role === 'Member') return '/member_dashboard';
    const [page] = await query(
      this.core.em(),
      `select p.route_path from user_page_permission pp join app_page p on p.name = pp.page_name
        where pp.user_id = ? and p.is_active and p.route_path is not null order by p.sort_order, p.name limit 1`,
      [caller.userId],
    );
    if (!page) throw new ApiError('NO_PAGE_ACCESS', AUTH_MESSAGES.noPageAccess);
    return String(page.route_path);
  }

  async updateProfileInfo(scope: RequestScope, input: z.output<typeof ProfileInfoSchema>): Promise<void> {
    await this.updateProfile(scope, input);
  }

  async changePassword(scope: RequestScope, input: z.output<typeof ChangePasswordSchema>): Promise<void> {
    await this.updateProfile(scope, input);
  }

  /**
   * Name, surname, password and picture in one transaction. A new password ends every other session of the user;
   * the current one stays.
   */
  async updateProfile({ caller, info }: RequestScope, { image, ...input }: ProfileUpdate): Promise<void> {
    const { deps } = this.core;
    const changesPassword = input.new_password !== undefined;
    if (input.name === undefined && input.surname === undefined && !changesPassword && !image) {
      throw new ApiError('NOTHING_TO_UPDATE', COMMON_MESSAGES.nothingToUpdate);
    }
    const em = this.core.em();
    const [user] = await query(em, 'select name, surname, password_hash, profile_image from app_user where id = ?', [
      caller.userId,
    ]);
    if (!user) throw UNAUTHENTICATED(AUTH_MESSAGES.sessionEnded);
    let newHash: string | undefined;
    if (changesPassword) {
      // Guessing the current password with a stolen access token is limited per session. It does not count against
      // the sign-in limits: otherwise failed sign-ins by anyone would keep the owner from changing the password.
      const giveBack = await deps.limiter.reserve(em, {
        key: `password-change-failed:${caller.sessionId}`,
        max: deps.config.rateLimit.accountMax,
      });
      const ok = await deps.passwords.verify(input.current_password ?? '', String(user.password_hash));
      if (!ok) throw new ApiError('WRONG_CURRENT_PASSWORD', AUTH_MESSAGES.wrongCurrentPassword);
      await giveBack();
      newHash = await deps.passwords.hash(input.new_password as string);
    }
    const stored = image ? await deps.blobs.put(PROFILE_IMAGE_FOLDER, image.source, image.extension) : undefined;
    const profileImage = stored ? `${PROFILE_IMAGE_URL}/${stored}` : undefined;
    try {
      await transaction(em, async (tem) => {
        await query(
          tem,
          `update app_user set name = coalesce(?, name), surname = coalesce(?, surname),
             password_hash = coalesce(?, password_hash), profile_image = coalesce(?, profile_image), updated_at = now()
           where id = ?`,
          [input.name ?? null, input.surname ?? null, newHash ?? null, profileImage ?? null, caller.userId],
        );
        const revoked = newHash
          ? await this.core.revokeSessions(tem, {
              userId: caller.userId,
              reason: 'password_changed',
              keep: caller.sessionId,
            })
          : 0;
        await this.core.audit(
          tem,
          {
            actorUserId: caller.userId,
            entityType: 'user',
            entityId: caller.userId,
            action: 'profile_update',
            data: {
              before: { name: user.name, surname: user.surname, profile_image: user.profile_image },
              after: {
                name: input.name ?? user.name,
                surname: input.surname ?? user.surname,
                profile_image: profileImage ?? user.profile_image,
              },
              password_changed: Boolean(newHash),
              revoked_sessions: revoked,
            },
          },
          info,
        );
      });
    } catch (error) {
      // The row was not written: the new picture goes again, and the request fails with the error that stopped it.
      if (stored) await this.#discardPicture(stored);
      throw error;
    }
    const previous = user.profile_image as string | null;
    if (stored && previous?.startsWith(`${PROFILE_IMAGE_URL}/`)) {
      await this.#discardPicture(previous.slice(PROFILE_IMAGE_URL.length + 1));
    }
  }

  /** Removes a picture no row references any more. A failure is logged: the change itself has happened (or not). */
  async #discardPicture(name: string): Promise<void> {
    const { deps } = this.core;
    try {
      await deps.blobs.delete(PROFILE_IMAGE_FOLDER, name);
    } catch (error) {
      deps.logger.error({ err: error, name }, 'Could not remove a profile picture');
    }
  }
}
