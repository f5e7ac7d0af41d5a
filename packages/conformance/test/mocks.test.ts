import { describe } from 'vitest';
import { conformanceSuite } from '../src/suite.js';
import { mocksTarget } from '../src/targets.js';

// The mocks have no database: the PostgreSQL pass (TEST_DATABASE_URL) would only repeat what the PGlite pass ran.
describe.skipIf(Boolean(process.env.TEST_DATABASE_URL))('mocks', () => {
  conformanceSuite(mocksTarget());
});
