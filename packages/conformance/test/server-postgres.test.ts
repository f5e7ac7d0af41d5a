import { describe } from 'vitest';
import { conformanceSuite } from '../src/suite.js';
import { serverTarget } from '../src/targets.js';

// Runs when TEST_DATABASE_URL points at a PostgreSQL server (CI always sets it).
describe.runIf(process.env.TEST_DATABASE_URL)('PostgreSQL', () => {
  conformanceSuite(serverTarget('postgres'));
});
