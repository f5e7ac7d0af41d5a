import { DEFAULT_PAGES, DEFAULT_STATUSES, ROLES, type Role } from '@cims/contracts';
import { PAGE_KEYS } from './model/pages.js';
import type {
  MockCredentials,
  MockCrmState,
  MockInstagramState,
  MockSequences,
  MockState,
  MockUser,
} from './records.js';
import type { Scenario } from './scenarios.js';

export type {
  CodePurpose,
  MockAccessToken,
  MockAssignment,
  MockCode,
  MockCredentials,
  MockCrmState,
  MockCustomer,
  MockInstagramAccount,
  MockInstagramError,
  MockInstagramSnapshot,
  MockInstagramState,
  MockMail,
  MockNote,
  MockPage,
  MockRateLimitCounter,
  MockRecording,
  MockRefreshToken,
  MockRole,
  MockSequences,
  MockSession,
  MockState,
  MockStatus,
  MockStatusChange,
  MockUser,
} from './records.js';
export { SCENARIOS, type Scenario } from './scenarios.js';

const noSequences = (): MockSequences => ({
  user: 0,
  session: 0,
  file: 0,
  page: 0,
  role: 0,
  status: 0,
  customer: 0,
  note: 0,
  statusChange: 0,
  assignment: 0,
  instagramAccount: 0,
});

const emptyInstagram = (): MockInstagramState => ({ account: null, snapshots: new Map(), accountIds: new Map() });

const emptyCrm = (): MockCrmState => ({
  statuses: new Map(),
  customers: new Map(),
  notes: new Map(),
  statusHistory: new Map(),
  assignments: new Map(),
  recordings: new Map(),
  lastAutoAssigned: null,
});

/** Forgets every customer with its notes, history, assignments and recordings; the statuses stay. */
export function clearCustomers(state: MockState): void {
  const { crm } = state;
  crm.customers.clear();
  crm.notes.clear();
  crm.statusHistory.clear();
  crm.assignments.clear();
  crm.recordings.clear();
  crm.lastAutoAssigned = null;
}

/**
 * The users every mock API starts with (and returns to on `reset()`), so QA and tests can sign in. They are the
 * reference server's demo accounts (`pnpm start` on an empty database).
 */
export const MOCK_USERS = {
  ceo: { email: 'ceo@cims.local', password: 'ceo-demo-password', role: 'CEO' },
  sales1: { email: 'sales1@cims.local', password: 'sales-demo-password', role: 'SalesManager' },
  sales2: { email: 'sales2@cims.local', password: 'sales-demo-password', role: 'SalesManager' },
} as const satisfies Record<string, MockCredentials>;

/** When the seeded data was "created": fixed, so seeded data is the same on every run. */
const SEEDED_AT = '2026-01-01T00:00:00.000Z';

/** How the Management page shows the built-in roles. */
export const ROLE_DISPLAY_NAMES: Record<Role, string> = {
  CEO: 'CEO',
  Member: 'Member',
  Customer: 'Customer',
  SalesManager: 'Sales Manager',
  Finance: 'Finance',
  Admin: 'Admin',
};

function seedUser(
  credentials: MockCredentials,
  fields: Pick<MockUser, 'name' | 'surname' | 'company_code' | 'pages'>,
): Omit<MockUser, 'id'> {
  return {
    ...credentials,
    ...fields,
    role_name: null,
    telegram_id: null,
    job_title: null,
    profile_image: null,
    is_active: true,
    email_verified: true,
    registration_contested: false,
    created_at: SEEDED_AT,
  };
}

/** The same names and grants as the reference server's demo data. */
const SEED: Omit<MockUser, 'id'>[] = [
  seedUser(MOCK_USERS.ceo, { name: 'Demo', surname: 'CEO', company_code: 'ceo', pages: new Set(PAGE_KEYS) }),
  seedUser(MOCK_USERS.sales1, { name: 'Sevara', surname: 'Sales', company_code: 'oddiy', pages: new Set(['crm']) }),
  seedUser(MOCK_USERS.sales2, { name: 'Sardor', surname: 'Sales', company_code: 'oddiy', pages: new Set(['crm']) }),
];

/**
 * Empties `state` and puts the seed back: the built-in pages (`DEFAULT_PAGES`, ids 1 to 10) and roles (ids 1 to 6,
 * in the order of `ROLES`), the seeded users (ids 1, 2, 3) and the system statuses (`DEFAULT_STATUSES`, ids 1 to 6),
 * nothing else. The seeded customers and the Instagram history depend on the clock and are added by their models.
 */
export function resetState(state: MockState, scenario: Scenario): void {
  state.scenario = scenario;
  state.users.clear();
  state.sessions.clear();
  state.refreshTokens.clear();
  state.accessTokens.clear();
  state.codes.clear();
  state.mailbox.length = 0;
  state.files.clear();
  state.rateLimits.clear();
  state.pages.clear();
  state.roles.clear();
  state.crm = emptyCrm();
  state.instagram = emptyInstagram();
  state.sequences = noSequences();
  state.once = { failNextRefresh: false };
  for (const page of DEFAULT_PAGES) {
    const id = ++state.sequences.page;
    state.pages.set(id, {
      id,
      name: page.name,
      display_name: page.display_name,
      description: null,
      route_path: page.route_path,
      order: page.order,
      is_active: true,
      is_system: true,
      created_at: SEEDED_AT,
      updated_at: SEEDED_AT,
    });
  }
  for (const role of ROLES) {
    const id = ++state.sequences.role;
    state.roles.set(id, {
      id,
      name: role,
      display_name: ROLE_DISPLAY_NAMES[role],
      description: null,
      is_active: true,
      is_system: true,
      created_at: SEEDED_AT,
      updated_at: SEEDED_AT,
    });
  }
  for (const user of SEED) {
    const id = ++state.sequences.user;
    state.users.set(id, { ...user, id, pages: new Set(user.pages) });
  }
  const seededAt = Date.parse(SEEDED_AT);
  for (const status of DEFAULT_STATUSES) {
    const id = ++state.sequences.status;
    state.crm.statuses.set(id, {
      id,
      ...status,
      is_active: true,
      is_system: true,
      created_at: seededAt,
      updated_at: seededAt,
    });
  }
}

export function createState(scenario: Scenario): MockState {
  const state: MockState = {
    scenario,
    startedAt: Date.now(),
    users: new Map(),
    pages: new Map(),
    roles: new Map(),
    sessions: new Map(),
    refreshTokens: new Map(),
    accessTokens: new Map(),
    codes: new Map(),
    mailbox: [],
    files: new Map(),
    rateLimits: new Map(),
    crm: emptyCrm(),
    instagram: emptyInstagram(),
    sequences: noSequences(),
    once: { failNextRefresh: false },
  };
  resetState(state, scenario);
  return state;
}
