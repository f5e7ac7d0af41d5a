import { type ConformancePart, conformanceSuite } from '../src/suite.js';
import { serverTarget } from '../src/targets.js';

/**
 * Runs one part of the suite on the server, on the database of the pass: PostgreSQL when TEST_DATABASE_URL is set
 * (CI's second pass), else the embedded PGlite (the first). One file per part, so the test workers share the suite.
 */
export function serverConformance(part: ConformancePart): void {
  conformanceSuite(serverTarget(process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite'), [part]);
}
