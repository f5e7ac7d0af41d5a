// The same three CRM calls on a client of the contract's zod CRM router (plus the generated auth routes): zod is bundled.
import { crmContract } from '@cims/contracts';
import { createCimsDomainClient, unwrap } from '@cims/sdk';

const cims = createCimsDomainClient({ baseUrl: '/api', domains: { crm: crmContract } });
const dashboard = unwrap(await cims.crm.dashboard({ query: {} }));
const customer = unwrap(await cims.crm.detail({ params: { id: 1 } }));
const statuses = unwrap(await cims.crm.statuses());
document.body.textContent = JSON.stringify({ dashboard, customer, statuses });
