import type { RouteAuth } from '@cims/contracts';
import type { AppRoute } from '@ts-rest/core';

/**
 * A validator that follows Standard Schema v1, the interface valibot 1 and zod 3.25+ schemas both implement: the SDK
 * checks response bodies through `~standard.validate`, whichever library built the schema. Only the part the SDK reads
 * is declared here.
 */
export interface StandardSchema {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => StandardResult | Promise<StandardResult>;
  };
}

/** What a {@link StandardSchema} validator returns: the (possibly transformed) value, or the issues. */
export type StandardResult =
  | { readonly value: unknown; readonly issues?: undefined }
  | { readonly issues: readonly StandardIssue[] };

/**
 * One way a response body breaks its schema. `path` leads from the body to the offending value: keys and indexes, or
 * segments carrying them as `key`.
 *
 * @example
 * { message: 'Invalid type: Expected number but received "7"', path: [{ key: 'items' }, { key: 0 }, { key: 'id' }] }
 */
export interface StandardIssue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

/**
 * One way a response body breaks the contract, as {@link CimsResponseValidationError} reports it: what was expected
 * and the keys and indexes that lead from the body to the value. The value itself is never copied into it (a body may
 * carry personal data, and error reporters send what an error holds).
 *
 * @example
 * { message: 'Invalid type: expected number', path: ['customers', 0, 'id'] }
 */
export interface ResponseIssue {
  readonly message: string;
  readonly path: readonly PropertyKey[];
}

/**
 * A validator's issue as a {@link ResponseIssue}: the path as plain keys, and for valibot's issues (which carry the
 * value in `message`, `input` and every path item) a message from what was expected alone.
 */
export function toResponseIssue(issue: StandardIssue): ResponseIssue {
  const path = (issue.path ?? []).map((item) => (typeof item === 'object' && item !== null ? item.key : item));
  const { kind, type, expected } = issue as { kind?: unknown; type?: unknown; expected?: unknown };
  if (typeof kind !== 'string' || typeof type !== 'string') return { message: issue.message, path };
  // valibot: `kind` is `schema` for a wrong type, else `type` names the failed check (`integer`, `min_value`, …).
  const what = kind === 'schema' ? 'type' : type.replaceAll('_', ' ');
  return { message: typeof expected === 'string' ? `Invalid ${what}: expected ${expected}` : `Invalid ${what}`, path };
}

/**
 * Whether an entry of a router is a route (a generated descriptor or a contract route), not a nested router. What
 * ts-rest's `isAppRoute` tells, without importing `@ts-rest/core` at runtime.
 */
export function isRouteEntry(entry: object): entry is { method: string; path: string } {
  return 'method' in entry && 'path' in entry;
}

/** Whether a declared response is a Standard Schema validator (not ts-rest's `noBody` or `otherResponse`). */
export function isStandardSchema(value: unknown): value is StandardSchema {
  return typeof value === 'object' && value !== null && '~standard' in value;
}

/**
 * What {@link RouteDescriptor} asks of its route: only the method and path, so that the declaration of a descriptor
 * does not make `tsc` check every contract route's zod types against `AppRoute` (apps type-checked with
 * `skipLibCheck: false` check every declaration of a module they import, used or not).
 */
export interface RouteLike {
  method: AppRoute['method'];
  path: string;
}

/**
 * One route of the contract as the SDK's generated modules (`@cims/sdk/routes/<domain>`) describe it, without zod:
 * what a request needs (method, path, content type, how it is authenticated) and, per status, a Standard Schema
 * validator of its JSON body (valibot, generated from contracts/openapi.json), or `undefined` for a body that is not
 * JSON (`204`, audio).
 *
 * `TRoute` is the contract route it stands for: a client built on descriptors has exactly the methods and result types
 * of one built on the contract. It lives in the type only (`~contract` is never set at runtime).
 */
export interface RouteDescriptor<TRoute extends RouteLike = AppRoute> {
  readonly method: TRoute['method'];
  readonly path: TRoute['path'];
  readonly contentType?: 'multipart/form-data' | 'application/x-www-form-urlencoded';
  readonly metadata: { readonly auth: RouteAuth };
  readonly responses: { readonly [status: number]: StandardSchema | undefined };
  /** Type only: the contract route this descriptor stands for. */
  readonly '~contract'?: TRoute;
}

/** The contract route a router entry stands for: the one a descriptor carries, or a contract route itself. */
export type ContractRouteOf<TEntry> = '~contract' extends keyof TEntry
  ? Extract<TEntry['~contract' & keyof TEntry], AppRoute>
  : Extract<TEntry, AppRoute>;

/** The descriptors of a router of the contract: one {@link RouteDescriptor} per route, nested routers alike. */
export type RoutesOf<TRouter> = {
  [K in keyof TRouter]: TRouter[K] extends AppRoute ? RouteDescriptor<TRouter[K]> : RoutesOf<TRouter[K]>;
};
