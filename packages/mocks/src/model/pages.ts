/**
 * The pages of the CIMS app a user can be granted, in their display order, with the path the app opens for each
 * (the legacy `app_page` table). `GET /auth/me` reports every key; `GET /auth/dashboard-redirect` lands on the first
 * one the user has.
 */
export const MOCK_PAGES = [
  { key: 'ceo', routePath: '/ceo' },
  { key: 'payment_list', routePath: '/payment_list' },
  { key: 'project_toggle', routePath: '/project_toggle' },
  { key: 'projects', routePath: '/projects' },
  { key: 'crm', routePath: '/crm' },
  { key: 'finance_list', routePath: '/finance_list' },
  { key: 'update_list', routePath: '/update_list' },
  { key: 'company_payments', routePath: '/company-payments' },
  { key: 'cognilabsai_chat', routePath: '/cognilabsai/chat' },
  { key: 'cognilabsai_integrations', routePath: '/cognilabsai/integrations' },
] as const;

/** The key of a page permission (`crm`, `ceo`, …). */
export type PageKey = (typeof MOCK_PAGES)[number]['key'];

/** Every page key, in page order. */
export const PAGE_KEYS: readonly PageKey[] = MOCK_PAGES.map((page) => page.key);
