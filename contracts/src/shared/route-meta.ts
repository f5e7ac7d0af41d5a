import type { AppRoute, AppRouteMutation } from '@ts-rest/core';
/**
 * How a route is authenticated:
 * - `public`: no credentials;
 * - `bearer`: an access token in `Authorization: Bearer …`;
 * - `apiKey`: the intake key in the `X-Key` header;
 * - `signedUrl`: an access token as for `bearer`, or instead a short-lived signature in the query (`expires`, `sig`)
 *   that the server put into a URL it returned, so plain links and media elements work without a header.
 */
export type RouteAuth = 'public' | 'bearer' | 'apiKey' | 'signedUrl';

/** A file part of a `multipart/form-data` body. Text parts are the route's zod `body`; files are described here. */
export interface FilePart {
  required: boolean;
  description: string;
  /** Accepted media types, e.g. `["image/png", "image/jpeg"]`. */
  mediaTypes: string[];
  /** The largest accepted file, in bytes. */
  maxBytes: number;
}

/** What every route of the contract carries in its ts-rest `metadata`. Read by the server, the mocks and OpenAPI. */
export interface RouteMeta {
  /** How the caller proves who they are. */
  auth: RouteAuth;
  /** A longer explanation for the OpenAPI document, in Markdown. */
  description?: string;
  /** The file parts of a multipart route, by field name. */
  files?: Record<string, FilePart>;
  /**
   * The roles allowed to call a `bearer` route; others get `403 FORBIDDEN`. Absent, with no `pages` either: every
   * signed-in user. Servers and mocks enforce it with `routeAccess` (`@cims/contracts/rules`), so the rule cannot
   * differ between them.
   */
  roles?: readonly string[];
  /**
   * Pages that also let a caller in: a caller whose role is not in `roles` but who holds one of these pages is
   * allowed. `{ roles: ['CEO'], pages: ['crm'] }` means "the CEO, or anyone with the CRM page"; `{ pages: ['crm'] }`
   * means "anyone with the CRM page" (a declared page always restricts).
   */
  pages?: readonly string[];
}

/** Types a route's metadata. */
export function meta(value: RouteMeta): RouteMeta {
  return value;
}

/** Reads a route's metadata, failing loudly on a route that forgot it. */
export function routeMeta(route: { metadata?: unknown; path: string }): RouteMeta {
  const value = route.metadata as RouteMeta | undefined;
  if (!value || typeof value.auth !== 'string') throw new Error(`Route ${route.path} has no metadata.auth`);
  return value;
}

/**
 * Whether a route reads a request body. A route declared with `c.noBody()` does not: whatever a client sends with it
 * is ignored (never parsed, never refused for its media type), as HTTP allows for a body with no defined meaning.
 */
export function takesBody(route: AppRoute): route is AppRouteMutation {
  return 'body' in route && typeof route.body !== 'symbol';
}
