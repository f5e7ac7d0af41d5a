import { instagramAccessSuite } from './instagram/access.js';
import { instagramConnectingSuite } from './instagram/connecting.js';
import { instagramDisconnectingSuite } from './instagram/disconnecting.js';
import { instagramGraphFailuresSuite } from './instagram/graph-failures.js';
import { instagramGrowthSuite } from './instagram/growth.js';
import { instagramMessagesSuite } from './instagram/messages.js';
import type { Target, withWorld as WithWorld } from './suite-kit.js';

export { DEMO_SETUP } from './instagram/kit.js';

/** Instagram follower growth (`/instagram/*`): the same answers from every implementation. */
export function instagramSuite(target: Target, withWorld: typeof WithWorld): void {
  instagramAccessSuite(target, withWorld);
  instagramConnectingSuite(target, withWorld);
  instagramGrowthSuite(target, withWorld);
  instagramGraphFailuresSuite(target, withWorld);
  instagramMessagesSuite(target, withWorld);
  instagramDisconnectingSuite(target, withWorld);
}
