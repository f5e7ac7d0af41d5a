// The light path: three CRM calls on a client of just those routes (plus auth, which the session needs), validated by
// their generated valibot schemas.
import { createCimsDomainClient, unwrap } from '@cims/sdk';
import { dashboard, detail, statuses } from '@cims/sdk/routes/crm';

const cims = createCimsDomainClient({ baseUrl: '/api', domains: { crm: { dashboard, detail, statuses } } });
const page = unwrap(await cims.crm.dashboard({ query: {} }));
const customer = unwrap(await cims.crm.detail({ params: { id: 1 } }));
const names = unwrap(await cims.crm.statuses());
document.body.textContent = JSON.stringify({ page, customer, names });
