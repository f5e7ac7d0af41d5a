import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261126224131 } from './Migration20261126224131.js';
import { Migration20261126225710 } from './Migration20261126225710.js';
import { Migration20261126233938 } from './Migration20261126233938.js';
import { Migration20261127013328 } from './Migration20261127013328.js';
import { Migration20261127052209 } from './Migration20261127052209.js';
import { Migration20261127085355 } from './Migration20261127085355.js';
import { Migration20261127144118 } from './Migration20261127144118.js';
import { Migration20261206080000 } from './Migration20261206080000.js';
import { Migration20261206084156 } from './Migration20261206084156.js';
import { Migration20261206120000 } from './Migration20261206120000.js';

/**
 * Every migration, in order. They are imported statically (not discovered on disk) so the bundled server, tsx and
 * vitest all run the same list; `pnpm cims migration:create` writes a new file and regenerates this one.
 * The same SQL serves PostgreSQL 15 and the embedded PGlite.
 */
export const migrations: MigrationObject[] = [
  { name: 'Migration20261126224131', class: Migration20261126224131 },
  { name: 'Migration20261126225710', class: Migration20261126225710 },
  { name: 'Migration20261126233938', class: Migration20261126233938 },
  { name: 'Migration20261127013328', class: Migration20261127013328 },
  { name: 'Migration20261127052209', class: Migration20261127052209 },
  { name: 'Migration20261127085355', class: Migration20261127085355 },
  { name: 'Migration20261127144118', class: Migration20261127144118 },
  { name: 'Migration20261206080000', class: Migration20261206080000 },
  { name: 'Migration20261206084156', class: Migration20261206084156 },
  { name: 'Migration20261206120000', class: Migration20261206120000 },
];
