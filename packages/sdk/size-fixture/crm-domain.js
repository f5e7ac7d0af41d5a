// The same three CRM calls on a client of the whole generated CRM domain (plus auth).
import { createCimsDomainClient, unwrap } from '@cims/sdk';
import { crm } from '@cims/sdk/routes/crm';

const cims = createCimsDomainClient({ baseUrl: '/api', domains: { crm } });
const dashboard = unwrap(await cims.crm.dashboard({ query: {} }));
const customer = unwrap(await cims.crm.detail({ params: { id: 1 } }));
const statuses = unwrap(await cims.crm.statuses());
document.body.textContent = JSON.stringify({ dashboard, customer, statuses });
