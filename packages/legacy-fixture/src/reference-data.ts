import type { Client } from 'pg';

/** The ten pages the legacy app seeds when `app_page` is empty: name, display name, route, order. */
export const DEFAULT_PAGES: readonly (readonly [string, string, string, number])[] = [
  ['ceo', 'Dashboard', '/ceo', 1],
  ['payment_list', 'Payment', '/payment_list', 2],
  ['project_toggle', 'WordPress', '/project_toggle', 3],
  ['projects', 'Projects', '/projects', 4],
  ['crm', 'Sales CRM', '/crm', 5],
  ['finance_list', 'Finance', '/finance_list', 6],
  ['update_list', 'Update', '/update_list', 7],
  ['company_payments', 'Company Payments', '/company-payments', 8],
  ['cognilabsai_chat', 'CognilabsAI Chat', '/cognilabsai/chat', 90],
  ['cognilabsai_integrations', 'CognilabsAI Integrations', '/cognilabsai/integrations', 91],
];

/** A page added through the management API (migration 003's `international_sales`). */
export const CUSTOM_PAGE = ['international_sales', 'International Sales', '/international-sales', 9] as const;

/** A page key granted to a user although no `app_page` row has it (the link is by name, without a foreign key). */
export const ORPHAN_PAGE = 'hr_portal';

/** The six default statuses the legacy migration 001 seeds: name, label, description, colour, order. */
export const DEFAULT_STATUSES: readonly (readonly [string, string, string, string, number])[] = [
  ['contacted', 'Contacted', 'Initial contact made', '#3B82F6', 1],
  ['project_started', 'Project Started', 'Project has started', '#10B981', 2],
  ['continuing', 'Continuing', 'Project is continuing', '#F59E0B', 3],
  ['finished', 'Finished', 'Project completed', '#8B5CF6', 4],
  ['rejected', 'Rejected', 'Lead rejected', '#EF4444', 5],
  ['need_to_call', 'Need to Call', 'Follow-up call needed', '#F97316', 6],
];

/** A custom status, deactivated after customers started using it, with its own colour and order. */
export const CUSTOM_STATUS = {
  name: 'waiting_payment',
  displayName: 'Waiting for payment',
  color: '#0EA5E9',
  order: 7,
  isActive: false,
} as const;

/** Migration 001's five roles: `general_manager` is missing there (only the lazy seeder adds it). */
export const DEFAULT_ROLES: readonly (readonly [string, string, string])[] = [
  ['ceo', 'CEO', 'Chief Executive Officer'],
  ['financial_director', 'Financial Director', 'Financial Director'],
  ['sales_manager', 'Sales Manager', 'Sales Manager for CRM'],
  ['member', 'Member', 'Team Member'],
  ['customer', 'Customer', 'Customer/Client'],
];

/** A role created through the management API. */
export const CUSTOM_ROLE = ['call_center_operator', 'Call Center Operator', 'Answers inbound calls'] as const;

/** Writes pages, statuses and roles; the custom rows only when `awkward`. */
export async function insertReferenceData(client: Client, awkward: boolean): Promise<void> {
  const pages = awkward ? [...DEFAULT_PAGES, CUSTOM_PAGE] : DEFAULT_PAGES;
  await client.query(
    `INSERT INTO app_page (name, display_name, route_path, "order", is_active, is_system, created_at, updated_at)
     SELECT name, display, route, ord, true, false, '2025-12-15 09:00:00', '2025-12-15 09:00:00'
     FROM unnest($1::text[], $2::text[], $3::text[], $4::int[]) AS p(name, display, route, ord)`,
    [pages.map((p) => p[0]), pages.map((p) => p[1]), pages.map((p) => p[2]), pages.map((p) => p[3])],
  );
  await client.query(
    `INSERT INTO customer_status (name, display_name, description, color, "order", is_system, created_at, updated_at)
     SELECT name, display, descr, color, ord, true, '2025-12-15 09:00:00', '2025-12-15 09:00:00'
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[]) AS s(name, display, descr, color, ord)`,
    [
      DEFAULT_STATUSES.map((s) => s[0]),
      DEFAULT_STATUSES.map((s) => s[1]),
      DEFAULT_STATUSES.map((s) => s[2]),
      DEFAULT_STATUSES.map((s) => s[3]),
      DEFAULT_STATUSES.map((s) => s[4]),
    ],
  );
  await client.query(
    `INSERT INTO user_role (name, display_name, description, is_system, created_at, updated_at)
     SELECT name, display, descr, true, '2025-12-15 09:00:00', '2025-12-15 09:00:00'
     FROM unnest($1::text[], $2::text[], $3::text[]) AS r(name, display, descr)`,
    [DEFAULT_ROLES.map((r) => r[0]), DEFAULT_ROLES.map((r) => r[1]), DEFAULT_ROLES.map((r) => r[2])],
  );
  // Migration 001 seeds the round-robin counter with one row at 0; a running deployment has moved it on.
  await client.query(`INSERT INTO sales_manager_counter (last_assigned_index, updated_at) VALUES ($1, $2)`, [
    awkward ? 3 : 0,
    '2026-03-01 08:15:00',
  ]);
  if (!awkward) return;
  await client.query(
    `INSERT INTO customer_status (name, display_name, description, color, "order", is_active, is_system, created_at,
       updated_at)
     VALUES ($1, $2, 'Invoice sent, waiting for the transfer', $3, $4, $5, false, '2026-01-10 10:00:00',
       '2026-04-02 16:20:00')`,
    [CUSTOM_STATUS.name, CUSTOM_STATUS.displayName, CUSTOM_STATUS.color, CUSTOM_STATUS.order, CUSTOM_STATUS.isActive],
  );
  await client.query(
    `INSERT INTO user_role (name, display_name, description, is_active, is_system, created_at, updated_at)
     VALUES ($1, $2, $3, true, false, '2026-01-12 11:00:00', '2026-01-12 11:00:00')`,
    [...CUSTOM_ROLE],
  );
}
