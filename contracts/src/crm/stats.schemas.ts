import { z } from 'zod';
import type { Named } from '../shared/named.js';
import {
  IdParamSchema,
  IdSchema,
  PageNumberSchema,
  QueryBooleanSchema,
  TimestampSchema,
} from '../shared/shared.schemas.js';
import {
  CustomerSchema,
  CustomerTypeSchema,
  DateSchema,
  PRIORITY_LEVELS,
  PriorityLevelSchema,
  StatusNameSchema,
} from './customers.schemas.js';
import { LEGACY_STATUSES, StatusCategorySchema } from './statuses.schemas.js';

const Count = z.number().int().min(0);
const Percent = z.number().min(0).max(100);

const statusCountsSchema = z.record(z.string(), Count).describe('Customers per status name.');
export interface StatusCountsSchema extends Named<typeof statusCountsSchema> {}
/** Customers per status name: every active status and every status in use, zeros included. */
export const StatusCountsSchema: StatusCountsSchema = statusCountsSchema;
const statusPercentagesSchema = z
  .record(z.string(), Percent)
  .describe('Share of each status in percent, rounded to one decimal; 0 when there are no customers.');
export interface StatusPercentagesSchema extends Named<typeof statusPercentagesSchema> {}
/** The share of each status in percent, one decimal. */
export const StatusPercentagesSchema: StatusPercentagesSchema = statusPercentagesSchema;

/** The six legacy status counts as top-level keys, as the legacy statistics had them. */
const legacyCounts = Object.fromEntries(LEGACY_STATUSES.map((status) => [status, Count])) as Record<
  (typeof LEGACY_STATUSES)[number],
  typeof Count
>;

const periodStatsSchema = z
  .object({
    today: Count.describe('Since 00:00 today.'),
    this_week: Count.describe('Since Monday 00:00.'),
    this_month: Count.describe('Since the 1st, 00:00.'),
    last_3_months: Count.describe('The last 90 days, today included.'),
    last_6_months: Count.describe('The last 180 days, today included.'),
    last_year: Count.describe('The last 365 days, today included.'),
  })
  .describe('New customers per period (business time zone).');
export interface PeriodStatsSchema extends Named<typeof periodStatsSchema> {}
/** Counts of (non-archived) customers created since each boundary, in the business time zone. */
export const PeriodStatsSchema: PeriodStatsSchema = periodStatsSchema;

const statusStatsSchema = z.object({ total_customers: Count, ...legacyCounts }).catchall(Count);
export interface StatusStatsSchema extends Named<typeof statusStatsSchema> {}
export const StatusStatsSchema: StatusStatsSchema = statusStatsSchema;

const crmStatsSchema = z
  .object({
    total_customers: Count,
    ...legacyCounts,
    status_dict: StatusCountsSchema,
    status_percentages: StatusPercentagesSchema,
  })
  .describe('Customers per status (archived ones excluded).');
export interface CrmStatsSchema extends Named<typeof crmStatsSchema> {}
export const CrmStatsSchema: CrmStatsSchema = crmStatsSchema;

const periodStatsResponseSchema = z.object({
  period_stats: PeriodStatsSchema,
  generated_at: TimestampSchema,
});
export interface PeriodStatsResponseSchema extends Named<typeof periodStatsResponseSchema> {}
export const PeriodStatsResponseSchema: PeriodStatsResponseSchema = periodStatsResponseSchema;

const statusChoiceSchema = z.object({
  value: z.string(),
  label: z.string(),
  color: z.string().nullable(),
  category: StatusCategorySchema,
});
export interface StatusChoiceSchema extends Named<typeof statusChoiceSchema> {}
export const StatusChoiceSchema: StatusChoiceSchema = statusChoiceSchema;

const dashboardQuerySchema = z.object({
  page: PageNumberSchema.default(1),
  page_size: z.coerce.number().int().min(1).max(50).default(50).describe('At most 50.'),
  show_all: QueryBooleanSchema.default(false).describe(
    '`false` hides customers in a `lost` status (e.g. `rejected`) unless `status_filter` asks for one; `true` shows all.',
  ),
  search: z
    .string()
    .trim()
    .max(200)
    .optional()
    .describe('Part of the name, phone, username, platform, assistant or status.'),
  status_filter: StatusNameSchema.optional(),
});
export interface DashboardQuerySchema extends Named<typeof dashboardQuerySchema> {}
export const DashboardQuerySchema: DashboardQuerySchema = dashboardQuerySchema;
export type DashboardQuery = z.input<typeof DashboardQuerySchema>;

const dashboardSchema = z
  .object({
    customers: z.array(CustomerSchema).describe('The page, newest first.'),
    page: z.number().int().min(1),
    page_size: z.number().int().min(1),
    total_items: Count.describe('Customers matching the filters.'),
    total_pages: Count,
    status_stats: StatusStatsSchema.describe('Non-archived customers per status (all, whatever the filters).'),
    status_dict: StatusCountsSchema,
    status_percentages: StatusPercentagesSchema,
    status_choices: z.array(StatusChoiceSchema).describe('The active statuses, in order.'),
    permissions: z.array(z.string()).describe('The caller’s pages, by display name.'),
    selected_status: z.string().nullable(),
    period_stats: PeriodStatsSchema,
  })
  .describe('The CRM list with its statistics.');
export interface DashboardSchema extends Named<typeof dashboardSchema> {}
export const DashboardSchema: DashboardSchema = dashboardSchema;
export type Dashboard = z.infer<typeof DashboardSchema>;

const windowStatsSchema = z.object({
  total_customers: Count,
  status_stats: StatusCountsSchema,
  status_percentages: StatusPercentagesSchema,
});
interface WindowStatsSchema extends Named<typeof windowStatsSchema> {}
const WindowStatsSchema: WindowStatsSchema = windowStatsSchema;

const statsSummarySchema = z
  .object({
    generated_at: TimestampSchema,
    today: WindowStatsSchema,
    last_3_days: WindowStatsSchema,
    last_7_days: WindowStatsSchema,
    last_30_days: WindowStatsSchema,
    last_90_days: WindowStatsSchema,
  })
  .describe('New customers per status over windows of whole days ending today (business time zone).');
export interface StatsSummarySchema extends Named<typeof statsSummarySchema> {}
export const StatsSummarySchema: StatsSummarySchema = statsSummarySchema;

/** The report periods: N whole days ending today, in the business time zone. */
export const REPORT_PERIODS = ['1d', '3d', '7d', '15d', '30d', '90d'] as const;

/** The period report's page size when a request pages (`page` or `page_size`) without giving one. */
export const REPORT_PAGE_SIZE = 200;
/** The largest `page_size` of the period report. */
export const REPORT_MAX_PAGE_SIZE = 500;

const reportQuerySchema = z
  .object({
    period: z.enum(REPORT_PERIODS).default('7d'),
    from_date: DateSchema.optional().describe('With `to_date`: a custom range instead of `period`.'),
    to_date: DateSchema.optional(),
    search: z.string().trim().max(200).optional(),
    status_filter: StatusNameSchema.optional(),
    page: PageNumberSchema.optional().describe(
      'With or without `page_size`: that page (default 1). Without both, every customer of the period.',
    ),
    page_size: z.coerce
      .number()
      .int()
      .min(1)
      .max(REPORT_MAX_PAGE_SIZE)
      .optional()
      .describe(
        `With or without \`page\`: customers per page (default ${REPORT_PAGE_SIZE}, at most ${REPORT_MAX_PAGE_SIZE}). ` +
          'Without both, every customer of the period.',
      ),
  })
  .superRefine((value, ctx) => {
    if ((value.from_date === undefined) !== (value.to_date === undefined)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: [value.from_date === undefined ? 'from_date' : 'to_date'],
        message: 'Send from_date and to_date together',
      });
    } else if (value.from_date && value.to_date && value.from_date > value.to_date) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['from_date'], message: 'from_date is after to_date' });
    }
  });
export interface ReportQuerySchema extends Named<typeof reportQuerySchema> {}
export const ReportQuerySchema: ReportQuerySchema = reportQuerySchema;
export type ReportQuery = z.input<typeof ReportQuerySchema>;

/**
 * The page a period report asks for, or `undefined` for every customer of the period. The legacy client never pages
 * (it sends `period` and `search` and shows `customers[]` as the whole list), so a request without `page` and
 * `page_size` gets them all; with either, the other takes its default (page 1, {@link REPORT_PAGE_SIZE}).
 *
 * @example reportPage({ period: '7d' }) // undefined: every customer
 * @example reportPage({ page: 2 }) // { page: 2, page_size: 200 }
 */
export function reportPage(query: {
  page?: number;
  page_size?: number;
}): { page: number; page_size: number } | undefined {
  if (query.page === undefined && query.page_size === undefined) return undefined;
  return { page: query.page ?? 1, page_size: query.page_size ?? REPORT_PAGE_SIZE };
}

/**
 * The paging fields of a report that was not paged: every customer on one page (`page_size` is their number, and
 * `total_pages` is 0 when there are none, as a paged report of no customers says).
 */
export function unpagedReportPaging(total: number): { page: 1; page_size: number; total_pages: number } {
  return { page: 1, page_size: total, total_pages: total > 0 ? 1 : 0 };
}

const reportSchema = z
  .object({
    period: z.string().describe('The period asked for, or `custom`.'),
    from_date: z.string().describe('First day, `YYYY-MM-DD`.'),
    to_date: z.string().describe('Last day, inclusive.'),
    total_customers: Count.describe('Customers matching, across all pages.'),
    page: z.number().int().min(1).describe('The page; 1 when the request did not page.'),
    page_size: Count.describe(
      'Customers per page; when the request did not page, the number of customers (all of them are on page 1).',
    ),
    total_pages: Count.describe('0 when no customer matches; 1 when the request did not page and some do.'),
    customers: z
      .array(CustomerSchema)
      .describe('Newest first: the page, or every customer matching when the request did not page.'),
    status_stats: StatusCountsSchema,
    status_dict: StatusCountsSchema,
    status_percentages: StatusPercentagesSchema,
  })
  .describe('Customers created in a period, with their statistics.');
export interface ReportSchema extends Named<typeof reportSchema> {}
export const ReportSchema: ReportSchema = reportSchema;

const latestQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export interface LatestQuerySchema extends Named<typeof latestQuerySchema> {}
export const LatestQuerySchema: LatestQuerySchema = latestQuerySchema;

// ------------------------------------------------------------------------------------------------ sales managers

const managerRefSchema = z.object({
  id: IdSchema,
  email: z.string(),
  name: z.string(),
  surname: z.string(),
});
export interface ManagerRefSchema extends Named<typeof managerRefSchema> {}
export const ManagerRefSchema: ManagerRefSchema = managerRefSchema;

const salesManagerSchema = ManagerRefSchema.extend({
  assigned_leads_count: Count.describe('Customers assigned now (archived ones included).'),
}).describe('An active sales manager.');
export interface SalesManagerSchema extends Named<typeof salesManagerSchema> {}
export const SalesManagerSchema: SalesManagerSchema = salesManagerSchema;

const managerLeadsQuerySchema = z.object({
  page: PageNumberSchema.default(1),
  limit: z.coerce.number().int().min(1).max(200).default(20),
  search: z.string().trim().max(200).optional().describe('Part of the name, phone or username.'),
  status: z.string().trim().max(100).optional(),
  priority_level: PriorityLevelSchema.optional(),
  include_archived: QueryBooleanSchema.default(false),
});
export interface ManagerLeadsQuerySchema extends Named<typeof managerLeadsQuerySchema> {}
export const ManagerLeadsQuerySchema: ManagerLeadsQuerySchema = managerLeadsQuerySchema;
export type ManagerLeadsQuery = z.input<typeof ManagerLeadsQuerySchema>;

const leadItemSchema = z.object({
  id: IdSchema,
  full_name: z.string(),
  phone_number: z.string(),
  platform: z.string(),
  username: z.string().nullable(),
  status: z.string(),
  status_name: z.string().describe('The same as `status` (the legacy client prefers this key).'),
  priority_level: z.enum(PRIORITY_LEVELS).nullable(),
  priority_score: z.number().int().nullable(),
  importance_score: z.number().int().nullable(),
  industry: z.string().nullable(),
  is_archived: z.boolean(),
  created_at: TimestampSchema,
  assigned_at: TimestampSchema,
});
export interface LeadItemSchema extends Named<typeof leadItemSchema> {}
export const LeadItemSchema: LeadItemSchema = leadItemSchema;

const managerLeadsSchema = z.object({
  sales_manager: ManagerRefSchema,
  total_count: Count,
  page: z.number().int().min(1),
  limit: z.number().int().min(1),
  items: z.array(LeadItemSchema).describe('Newest assignment first.'),
});
export interface ManagerLeadsSchema extends Named<typeof managerLeadsSchema> {}
export const ManagerLeadsSchema: ManagerLeadsSchema = managerLeadsSchema;

const managerStatsQuerySchema = z.object({ include_archived: QueryBooleanSchema.default(false) });
export interface ManagerStatsQuerySchema extends Named<typeof managerStatsQuerySchema> {}
export const ManagerStatsQuerySchema: ManagerStatsQuerySchema = managerStatsQuerySchema;

const managerStatsSchema = z.object({
  sales_manager: ManagerRefSchema,
  summary: z.object({
    total_assigned: Count,
    active_leads: Count,
    archived_leads: Count,
    counted_leads: Count.describe('The sum of `status_stats`.'),
  }),
  status_stats: z.array(z.object({ status: z.string(), count: Count })).describe('Most used first.'),
});
export interface ManagerStatsSchema extends Named<typeof managerStatsSchema> {}
export const ManagerStatsSchema: ManagerStatsSchema = managerStatsSchema;

const assignInputSchema = z.object({ customer_id: IdSchema, sales_manager_id: IdSchema });
export interface AssignInputSchema extends Named<typeof assignInputSchema> {}
export const AssignInputSchema: AssignInputSchema = assignInputSchema;
export type AssignInput = z.input<typeof AssignInputSchema>;

const assignmentSchema = z.object({
  id: IdSchema,
  customer_id: IdSchema,
  sales_manager_id: IdSchema,
  assigned_at: TimestampSchema,
  assigned_by: IdSchema.nullable().describe('`null` for automatic assignment.'),
  is_active: z.boolean(),
});
export interface AssignmentSchema extends Named<typeof assignmentSchema> {}
export const AssignmentSchema: AssignmentSchema = assignmentSchema;

const customerManagerSchema = z.object({
  assignment_id: IdSchema,
  customer_id: IdSchema,
  sales_manager: ManagerRefSchema,
  assigned_at: TimestampSchema,
  assigned_by: IdSchema.nullable(),
});
export interface CustomerManagerSchema extends Named<typeof customerManagerSchema> {}
export const CustomerManagerSchema: CustomerManagerSchema = customerManagerSchema;

const conversionQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100).describe('How many of the newest customers to look at.'),
});
export interface ConversionQuerySchema extends Named<typeof conversionQuerySchema> {}
export const ConversionQuerySchema: ConversionQuerySchema = conversionQuerySchema;

const conversionRateSchema = z.object({
  total_customers: Count,
  project_started_count: Count.describe('Customers that have ever been in `project_started`.'),
  converted_count: Count.describe('Customers that have ever been in a `won` status.'),
  conversion_rate: Percent.describe('`converted_count` ÷ `total_customers` × 100, two decimals.'),
  period: z.string(),
});
export interface ConversionRateSchema extends Named<typeof conversionRateSchema> {}
export const ConversionRateSchema: ConversionRateSchema = conversionRateSchema;

const managerActivityQuerySchema = z.object({
  from_date: DateSchema.optional().describe('Default: today.'),
  to_date: DateSchema.optional().describe('Default: today.'),
  sales_manager_id: IdParamSchema.optional(),
});
export interface ManagerActivityQuerySchema extends Named<typeof managerActivityQuerySchema> {}
export const ManagerActivityQuerySchema: ManagerActivityQuerySchema = managerActivityQuerySchema;

const ToStatusCounts = StatusCountsSchema.describe('Changes into each status.');

const managerActivitySchema = z
  .object({
    sales_manager: ManagerRefSchema,
    period: z.object({ from_date: z.string(), to_date: z.string(), timezone: z.string() }),
    summary: z.object({
      assigned_customers: Count,
      changed_customers: Count.describe('Customers with at least one change in the period.'),
      total_status_changes: Count,
      to_status_counts: ToStatusCounts,
      conversion_to_project_started_percent: Percent,
      won_rate_percent: Percent.describe('Changes into a `won` status ÷ all changes × 100.'),
      finish_rate_percent: Percent,
    }),
    daily_stats: z.array(z.object({ date: z.string(), total_changes: Count, to_status_counts: ToStatusCounts })),
  })
  .describe('Status changes made on a sales manager’s customers in a period, from the status history.');
export interface ManagerActivitySchema extends Named<typeof managerActivitySchema> {}
export const ManagerActivitySchema: ManagerActivitySchema = managerActivitySchema;

// ------------------------------------------------------------------------------------------------ sales

const salesTypeQuerySchema = z.object({ customer_type: CustomerTypeSchema.optional() });
export interface SalesTypeQuerySchema extends Named<typeof salesTypeQuerySchema> {}
export const SalesTypeQuerySchema: SalesTypeQuerySchema = salesTypeQuerySchema;

const salesStatsSchema = z.object({
  today: Count,
  yesterday: Count,
  this_week: Count.describe('Monday to today.'),
  last_week: Count.describe('The previous Monday to Sunday.'),
  customer_type: z.string().nullable(),
});
export interface SalesStatsSchema extends Named<typeof salesStatsSchema> {}
export const SalesStatsSchema: SalesStatsSchema = salesStatsSchema;

const salesDetailedQuerySchema = z.object({
  days: z.coerce.number().int().min(1).max(365).default(30),
  customer_type: CustomerTypeSchema.optional(),
});
export interface SalesDetailedQuerySchema extends Named<typeof salesDetailedQuerySchema> {}
export const SalesDetailedQuerySchema: SalesDetailedQuerySchema = salesDetailedQuerySchema;

const DayCount = z.object({ date: z.string(), count: Count });

const salesDetailedSchema = z.object({
  summary: SalesStatsSchema,
  daily_breakdown: z.array(DayCount).describe('Every day of the window, zeros included, oldest first.'),
  date_range: z.string(),
});
export interface SalesDetailedSchema extends Named<typeof salesDetailedSchema> {}
export const SalesDetailedSchema: SalesDetailedSchema = salesDetailedSchema;

const chartsQuerySchema = z.object({
  days: z.coerce.number().int().min(7).max(365).default(30),
  customer_type: CustomerTypeSchema.optional(),
  platform_limit: z.coerce.number().int().min(1).max(20).default(10),
});
export interface ChartsQuerySchema extends Named<typeof chartsQuerySchema> {}
export const ChartsQuerySchema: ChartsQuerySchema = chartsQuerySchema;

const DistributionItem = z.object({ key: z.string(), label: z.string(), value: Count, percentage: Percent });

const chartsSchema = z.object({
  customer_type: z.string().nullable(),
  period: z.object({ start_date: z.string(), end_date: z.string(), days: z.number().int() }),
  summary: z.object({
    total_period_leads: Count,
    today: Count,
    yesterday: Count,
    this_week: Count,
    last_week: Count,
    project_started: Count,
    finished: Count,
    rejected: Count,
    conversion_rate_percent: Percent.describe('Leads of the period now in a `won` status ÷ all leads of the period.'),
  }),
  trend: z.array(DayCount).describe('Every day of the window, zeros included.'),
  status_distribution: z.array(DistributionItem),
  platform_distribution: z.array(DistributionItem),
  customer_type_distribution: z.array(DistributionItem),
});
export interface ChartsSchema extends Named<typeof chartsSchema> {}
export const ChartsSchema: ChartsSchema = chartsSchema;

const internationalQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export interface InternationalQuerySchema extends Named<typeof internationalQuerySchema> {}
export const InternationalQuerySchema: InternationalQuerySchema = internationalQuerySchema;
