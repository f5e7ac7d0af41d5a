import type { EntitySchema } from '@mikro-orm/core';

/** Every entity of every module; each module adds its own `defineEntity` schemas here. */
export const entities: EntitySchema[] = [];
