import type { RouteMeta } from './route-meta.js';

/**
 * What a route's `roles` and `pages` say about a signed-in caller of a given role:
 * - `allow`: the route is open to every signed-in user, or lists the caller's role;
 * - `pages`: allowed only if the caller holds one of the route's active `pages` (the caller of the rule looks that up
 *   in its own storage);
 * - `deny`: neither.
 */
export type RouteAccess = 'allow' | 'pages' | 'deny';

/**
 * Decides access from a route's metadata, the same way on the server and in the mocks. A route with neither `roles`
 * nor `pages` is open to every signed-in user. A route with `pages` but no `roles` is open to the holders of those
 * pages only: a declared page always restricts, so forgetting `roles` can never open a route to everyone.
 *
 * @example
 * routeAccess({ roles: ['CEO'], pages: ['crm'] }, 'SalesManager'); // 'pages'
 */
export function routeAccess(meta: Pick<RouteMeta, 'roles' | 'pages'>, role: string): RouteAccess {
  const pages = meta.pages ?? [];
  if (meta.roles === undefined && pages.length === 0) return 'allow';
  if (meta.roles?.includes(role)) return 'allow';
  return pages.length > 0 ? 'pages' : 'deny';
}

/**
 * The `detail` of the `403 FORBIDDEN` a caller gets from a route they may not call: what would let them in.
 *
 * @example
 * forbiddenMessage({ roles: ['CEO'], pages: ['crm'] }); // 'This needs the role CEO or the page crm'
 */
export function forbiddenMessage(meta: Pick<RouteMeta, 'roles' | 'pages'>): string {
  const allowed = [
    ...(meta.roles ?? []).map((role) => `the role ${role}`),
    ...(meta.pages ?? []).map((page) => `the page ${page}`),
  ];
  return allowed.length > 0 ? `This needs ${allowed.join(' or ')}` : 'This is not allowed';
}
