import { LANGUAGES, type Language, type Platform } from '@cims/contracts';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Orm } from '../../db/orm.js';
import { asInt, query, transaction } from '../../db/sql.js';
import type { RequestInfo } from '../audit/audit.js';
import type { SeedCustomerValues } from './customer-create.js';
import { recordStatus } from './customer-history.js';
import { refreshInsights } from './customer-rules.js';
import type { CustomerService } from './customers.service.js';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

/** Who typed in the demo customers: the demo CEO. */
const DEMO_AUTHOR = 'ceo@cims.local';

const FIRST_NAMES = ['Aziz', 'Dilnoza', 'Jasur', 'Malika', 'Bekzod', 'Nigora', 'Sherzod', 'Kamola', 'Otabek', 'Zarina'];
const LAST_NAMES = ['Karimov', 'Yusupova', 'Rakhimov', 'Tursunova', 'Aliyev', 'Saidova', 'Nazarov', 'Ergasheva'];
const PLATFORMS = [
  'instagram',
  'telegram',
  'telegram_bot',
  'website',
  'facebook',
  'whatsapp',
  'phone_call',
  'referral',
];
const OPERATORS = ['90', '91', '93', '94', '97', '99', '88', '33'];
/** Where leads end up, weighted like a real pipeline: most still open, some won, a few lost. */
const FINAL_STATUSES = [
  'need_to_call',
  'contacted',
  'contacted',
  'need_to_call',
  'project_started',
  'continuing',
  'rejected',
  'contacted',
  'finished',
  'need_to_call',
];
const NOTES = [
  'Dental clinic owner, 12 years in business, wants a booking bot. Big budget, urgent.',
  'Small shop, asked about prices for an online store.',
  'Fitness club, 3 years, wants lead tracking next week.',
  'Pharmacy chain director, budget approved, needs CRM integration soon.',
  null,
  'Asked for a callback in the evening.',
  null,
  'Marketplace seller, 6 years, wants a Telegram bot.',
];
const FOLLOW_UPS = [
  'Called, sent the commercial offer.',
  'They want a demo this week.',
  'No answer, will call again.',
  'Discussed the budget with the owner.',
];

/**
 * About thirty customers over the last 60 days, across statuses and platforms, with a few notes: what a demo
 * database shows. Inserted by the service's own create path (round-robin assignment, first status, audit) with
 * values valid by construction, then moved to their current status and annotated the way their sales manager would
 * have done it, in the past.
 */
export async function seedDemoCustomers(
  orm: Orm,
  customers: CustomerService,
  options: { count?: number; now?: number } = {},
): Promise<number> {
  const em = orm.em.fork() as EntityManager;
  const [author] = await query(em, 'select id from app_user where email = ?', [DEMO_AUTHOR]);
  const createdBy = author ? asInt(author.id) : null;
  const info: RequestInfo = { ip: null, userAgent: null, requestId: 'demo-data' };
  const now = options.now ?? Date.now();
  const count = options.count ?? 30;
  for (let i = 0; i < count; i++) {
    // Oldest first, so ids grow with creation time as they would have.
    const daysAgo = Math.round(((count - 1 - i) * 59) / Math.max(1, count - 1));
    const at = new Date(now - daysAgo * DAY - ((i * 7) % 9) * HOUR);
    const first = FIRST_NAMES[i % FIRST_NAMES.length] as string;
    const last = LAST_NAMES[(i * 3) % LAST_NAMES.length] as string;
    const number = String(1_000_000 + ((i * 7_654_321) % 9_000_000)).padStart(7, '0');
    const values: SeedCustomerValues = {
      full_name: `${first} ${last}`,
      platform: PLATFORMS[i % PLATFORMS.length] as Platform,
      phone_number: `+998${OPERATORS[i % OPERATORS.length]}${number}`,
      status: 'need_to_call',
      username: i % 3 === 0 ? `@${first.toLowerCase()}_${last.toLowerCase()}` : null,
      assistant_name: i % 4 === 0 ? 'Cognilabs AI' : null,
      notes: NOTES[i % NOTES.length] ?? null,
      chat_url: null,
      customer_type: i % 5 === 0 ? 'international' : 'local',
      conversation_language: LANGUAGES[i % LANGUAGES.length] as Language,
      recall_time: i % 6 === 1 ? new Date(now + ((i % 5) + 1) * DAY) : null,
    };
    const id = await customers.createWith(
      values,
      { createdBy, source: i % 7 === 3 ? 'api' : 'ui', autoAssign: true, at },
      info,
    );
    await transaction(em, async (tem) => {
      const [assignment] = await query(
        tem,
        'select sales_manager_id from sales_manager_assignment where customer_id = ?',
        [id],
      );
      const manager = assignment ? asInt(assignment.sales_manager_id) : createdBy;
      const later = (hours: number) => new Date(Math.min(now, at.getTime() + hours * HOUR));
      const final = FINAL_STATUSES[i % FINAL_STATUSES.length] as string;
      if (final !== values.status) {
        // Leads pass through `contacted` on their way to a result.
        const path = final === 'contacted' ? ['contacted'] : ['contacted', final];
        let from = values.status;
        for (const [step, to] of path.entries()) {
          const when = later(6 + step * 30);
          await query(tem, 'update customer set status = ?, updated_at = ? where id = ?', [to, when, id]);
          await recordStatus(tem, { customerId: id, from, to, by: manager, at: when });
          from = to;
        }
      }
      if (i % 3 !== 2) {
        const note = FOLLOW_UPS[i % FOLLOW_UPS.length] as string;
        const when = later(3);
        await query(
          tem,
          'insert into customer_note (customer_id, note, created_by, created_at, updated_at) values (?, ?, ?, ?, ?)',
          [id, note, manager, when, when],
        );
        await refreshInsights(tem, id);
      }
    });
  }
  return count;
}
