/**
 * The built-in pages (the legacy inventory): the permission keys the client checks, in menu order. New databases
 * start with these; the mocks serve the same list.
 */
export const DEFAULT_PAGES = [
  { name: 'ceo', display_name: 'Dashboard', route_path: '/ceo', order: 1 },
  { name: 'payment_list', display_name: 'Payment', route_path: '/payment_list', order: 2 },
  { name: 'project_toggle', display_name: 'WordPress', route_path: '/project_toggle', order: 3 },
  { name: 'projects', display_name: 'Projects', route_path: '/projects', order: 4 },
  { name: 'crm', display_name: 'Sales CRM', route_path: '/crm', order: 5 },
  { name: 'finance_list', display_name: 'Finance', route_path: '/finance_list', order: 6 },
  { name: 'update_list', display_name: 'Update', route_path: '/update_list', order: 7 },
  { name: 'company_payments', display_name: 'Company Payments', route_path: '/company-payments', order: 8 },
  { name: 'cognilabsai_chat', display_name: 'CognilabsAI Chat', route_path: '/cognilabsai/chat', order: 90 },
  {
    name: 'cognilabsai_integrations',
    display_name: 'CognilabsAI Integrations',
    route_path: '/cognilabsai/integrations',
    order: 91,
  },
] as const;
