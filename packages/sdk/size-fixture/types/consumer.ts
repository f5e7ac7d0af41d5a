// An app that imports the SDK and makes three calls on the whole client and the same three on a client of just those
// routes (the light path): what type-checking it costs is measured against baseline.ts.
import { createCimsClient, createCimsDomainClient, unwrap } from '@cims/sdk';
import { dashboard, detail, statuses } from '@cims/sdk/routes/crm';

const cims = createCimsClient({ baseUrl: '/api' });
export const page = unwrap(await cims.crm.dashboard({ query: {} }));
export const customer = unwrap(await cims.crm.detail({ params: { id: 1 } }));
export const names = unwrap(await cims.crm.statuses());

const light = createCimsDomainClient({ baseUrl: '/api', domains: { crm: { dashboard, detail, statuses } } });
export const lightPage = unwrap(await light.crm.dashboard({ query: {} }));
export const lightCustomer = unwrap(await light.crm.detail({ params: { id: 1 } }));
export const lightNames = unwrap(await light.crm.statuses());
