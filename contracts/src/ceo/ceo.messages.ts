/**
 * The user-facing messages of the CEO's user and permission administration (`/ceo`) that the server and the mocks both
 * send, written once so their wording cannot drift apart.
 */
export const CEO_MESSAGES = {
  /** `201` of `POST /ceo/users`. */
  userCreated: 'User created',
  /** `200` of `PUT /ceo/users/:id`. */
  userUpdated: 'User updated',
  /** `200` of `DELETE /ceo/users/:id`. */
  userDeleted: 'User deleted',
  /** `404 NOT_FOUND` of an unknown user id. */
  userNotFound: 'No such user',
  /** `409 CONFLICT` of a change that would leave no active CEO. */
  lastCeo: 'The last active CEO must stay an active CEO',
  /** `409 EMAIL_TAKEN` of a user's new address that another account has. */
  emailInUse: 'Another account has this e-mail address',
  /** The `422` issue on `role` naming neither a built-in role nor an active custom one. */
  unknownRole: 'Unknown or inactive role',
  /** The `422` issue of a page key (trimmed, lower-cased) that is no active page. */
  unknownPage: (key: string) => `Unknown or inactive page: ${key}`,
  /** `200` of `PUT /ceo/users/:id/permissions`: the user's pages now, in page order. */
  permissionsSet: (pages: readonly string[]) => `Permissions updated: ${pages.join(', ') || 'none'}`,
  /** `200` of the permission grants: the pages granted, in page order. */
  permissionsGranted: (pages: readonly string[]) => `Permissions granted: ${pages.join(', ') || 'none'}`,
  /** `200` of `DELETE /ceo/users/:id/permissions/:page_name`. */
  permissionRemoved: (page: string) => `Permission '${page}' removed`,
  /** `404 NOT_FOUND` of revoking a page the user does not hold (or of a user that does not exist). */
  permissionNotHeld: (page: string) => `The user has no permission for the page ${page}`,
} as const;
