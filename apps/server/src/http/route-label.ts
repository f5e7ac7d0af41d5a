import type { AppRoute } from '@ts-rest/core';
import type { Response } from 'express';

/** The label of a request that no contract route (nor another known path) answered. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * The route label of a request: the contract's path template of the route the route table found (`/crm/detail/:id`),
 * or the label a handler outside the contract set (`res.locals.metricsRoute`), else `unmatched`. Never the URL itself,
 * which would make a series of every id and every probe for `/wp-admin`. The request spans are named after it too.
 */
export function routeLabel(res: Response): string {
  const locals = res.locals as { route?: AppRoute; metricsRoute?: string };
  return locals.route?.path ?? locals.metricsRoute ?? UNMATCHED_ROUTE;
}
