/** `n user(s)`, as the server counts users in a message. */
const users = (count: number) => `${count} user(s)`;

/**
 * The user-facing messages of the pages and roles of `/management` that the server and the mocks both send, written
 * once so their wording cannot drift apart. (The customer statuses there are the CRM's: `CRM_MESSAGES`.)
 */
export const MANAGEMENT_MESSAGES = {
  /** `404 NOT_FOUND` of an unknown page id. */
  pageNotFound: 'No such page',
  /** `409 CONFLICT` of a new page whose key exists. */
  pageExists: (name: string) => `A page named ${name} already exists`,
  /** `403 FORBIDDEN` of deleting a built-in page. */
  builtInPage: 'Built-in pages cannot be deleted',
  /** `409 CONFLICT` of deleting a page someone holds. */
  pageGranted: (holders: number) => `The page is granted to ${users(holders)}; revoke it from them first`,
  /** `200` of `DELETE /management/pages/:id`. */
  pageDeleted: (name: string) => `Page '${name}' deleted`,
  /** `404 NOT_FOUND` of an unknown role id. */
  roleNotFound: 'No such role',
  /** `409 CONFLICT` of a new role whose name exists in any case. */
  roleExists: (name: string) => `A role named ${name} already exists`,
  /** `403 FORBIDDEN` of deleting a built-in role. */
  builtInRole: 'Built-in roles cannot be deleted',
  /** `409 CONFLICT` of deleting a role someone holds. */
  roleHeld: (holders: number) => `The role is held by ${users(holders)}; change their role first`,
  /** `200` of `DELETE /management/roles/:id`. */
  roleDeleted: (name: string) => `Role '${name}' deleted`,
} as const;
