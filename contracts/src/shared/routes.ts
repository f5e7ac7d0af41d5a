import { type AppRoute, type AppRouter, isAppRoute } from '@ts-rest/core';

/** One route of a contract with the key path that names it (`["health", "liveness"]`). */
export interface ContractRoute {
  /** The keys leading to the route in the nested contract. */
  keys: string[];
  /** `keys` joined in camelCase (`healthLiveness`): the OpenAPI `operationId` and the mocks' handler name. */
  name: string;
  route: AppRoute;
}

function camelJoin(keys: string[]): string {
  return keys.map((key, i) => (i === 0 ? key : key.charAt(0).toUpperCase() + key.slice(1))).join('');
}

/** Every route of a (nested) contract, depth first in declaration order. */
export function listRoutes(router: AppRouter, keys: string[] = []): ContractRoute[] {
  const out: ContractRoute[] = [];
  for (const [key, value] of Object.entries(router)) {
    const path = [...keys, key];
    if (isAppRoute(value)) out.push({ keys: path, name: camelJoin(path), route: value });
    else out.push(...listRoutes(value as AppRouter, path));
  }
  return out;
}
