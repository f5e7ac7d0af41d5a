/**
 * The name of every migration of index.ts, in the same order, without loading them: how a start finds out with one
 * statement that nothing is pending (db/orm.ts `migrate`). `pnpm cims migration:create` regenerates both files.
 */
export const migrationNames: readonly string[] = [
  'Migration20261126224131',
  'Migration20261126225710',
  'Migration20261126233938',
  'Migration20261127013328',
  'Migration20261127052209',
  'Migration20261127085355',
  'Migration20261127144118',
  'Migration20261206080000',
  'Migration20261206084156',
  'Migration20261206120000',
];
