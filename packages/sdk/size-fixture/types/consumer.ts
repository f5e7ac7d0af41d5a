// An app that imports the SDK and makes three calls: what type-checking it costs is measured against baseline.ts.
import { createCimsClient, unwrap } from '@cims/sdk';

const cims = createCimsClient({ baseUrl: '/api' });
export const dashboard = unwrap(await cims.crm.dashboard({ query: {} }));
export const customer = unwrap(await cims.crm.detail({ params: { id: 1 } }));
export const statuses = unwrap(await cims.crm.statuses());
