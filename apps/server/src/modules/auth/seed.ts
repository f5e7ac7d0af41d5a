import type { Config } from '../../config.js';
import type { Orm } from '../../db/orm.js';
import { asInt, query } from '../../db/sql.js';
import type { AccountService } from './accounts.service.js';

/** Every page of the legacy inventory: what a CEO is granted. */
async function allPages(orm: Orm): Promise<string[]> {
  const rows = await query(orm.em.fork(), 'select name from app_page order by sort_order');
  return rows.map((row) => String(row.name));
}

/** The demo accounts `pnpm start` creates in an empty database (the mocks use the same logins). */
export const DEMO_USERS = [
  { email: 'ceo@cims.local', password: 'ceo-demo-password', name: 'Demo', surname: 'CEO', role: 'CEO' as const },
  {
    email: 'sales1@cims.local',
    password: 'sales-demo-password',
    name: 'Sevara',
    surname: 'Sales',
    role: 'SalesManager' as const,
  },
  {
    email: 'sales2@cims.local',
    password: 'sales-demo-password',
    name: 'Sardor',
    surname: 'Sales',
    role: 'SalesManager' as const,
  },
];

/**
 * Start-up data: the first CEO from `CIMS_BOOTSTRAP_CEO_EMAIL`/`_PASSWORD` when there is no CEO, and the demo users
 * when the database has no user at all and demo data is on. Returns the demo logins it created.
 */
export async function seedAccounts(config: Config, orm: Orm, accounts: AccountService): Promise<typeof DEMO_USERS> {
  const pages = await allPages(orm);
  if (config.bootstrapCeo) {
    const [ceo] = await query(orm.em.fork(), `select id from app_user where role = 'CEO' limit 1`);
    if (!ceo) {
      const id = await accounts.createUser({
        email: config.bootstrapCeo.email,
        password: config.bootstrapCeo.password,
        name: 'CEO',
        surname: '',
        role: 'CEO',
        companyCode: 'ceo',
        pages,
        verified: true,
      });
      // The address belongs to an existing account: do not turn it into a CEO behind anyone's back.
      if (id === undefined) {
        throw new Error(
          `CIMS_BOOTSTRAP_CEO_EMAIL ${config.bootstrapCeo.email} belongs to an existing account; ` +
            'choose another address, or promote that account with pnpm cims create-user / the administration',
        );
      }
    }
  }
  if (!config.demoData) return [];
  const [count] = await query(orm.em.fork(), 'select count(*) as n from app_user');
  if (asInt(count?.n) > 0) return [];
  for (const user of DEMO_USERS) {
    await accounts.createUser({
      ...user,
      companyCode: user.role === 'CEO' ? 'ceo' : 'oddiy',
      pages: user.role === 'CEO' ? pages : ['crm'],
      verified: true,
    });
  }
  return DEMO_USERS;
}
