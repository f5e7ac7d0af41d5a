import { conformanceSuite } from '../src/suite.js';
import { mocksTarget } from '../src/targets.js';

conformanceSuite(mocksTarget());
