// The whole client (every domain) with response validation, making three CRM calls.
import { createCimsClient, unwrap } from '@cims/sdk';

const cims = createCimsClient({ baseUrl: '/api' });
const dashboard = unwrap(await cims.crm.dashboard({ query: {} }));
const customer = unwrap(await cims.crm.detail({ params: { id: 1 } }));
const statuses = unwrap(await cims.crm.statuses());
document.body.textContent = JSON.stringify({ dashboard, customer, statuses });
