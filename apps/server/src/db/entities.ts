import type { EntitySchema } from '@mikro-orm/core';
import { authEntities } from '../modules/auth/auth.entities.js';
import { crmEntities } from '../modules/crm/crm.entities.js';
import { instagramEntities } from '../modules/instagram/instagram.entities.js';
import { schedulerEntities } from '../modules/scheduler/scheduler.entities.js';

/** Every entity of every module. */
// biome-ignore lint/suspicious/noExplicitAny: entity schemas of different shapes share one list.
export const entities: EntitySchema<any, any>[] = [
  ...authEntities,
  ...crmEntities,
  ...instagramEntities,
  ...schedulerEntities,
];
