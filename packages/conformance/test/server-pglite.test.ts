import { conformanceSuite } from '../src/suite.js';
import { serverTarget } from '../src/targets.js';

conformanceSuite(serverTarget('pglite'));
