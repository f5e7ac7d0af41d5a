import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { errorResponses } from '../errors/error.schemas.js';
import { MessageSchema } from '../management/management.schemas.js';
import type { Named } from '../shared/named.js';
import { meta, type RouteMeta } from '../shared/route-meta.js';
import { IdParamSchema, IdParamsSchema, multipartBody } from '../shared/shared.schemas.js';
import {
  BulkIdsSchema,
  BulkResultSchema,
  CreatedCustomerSchema,
  CUSTOMER_AUDIO,
  CustomerDetailSchema,
  CustomerFormSchema,
  CustomerNoteSchema,
  CustomerNotesSchema,
  CustomerSchema,
  CustomerUpdateFormSchema,
  DateSchema,
  IntakeCustomerSchema,
  ListQuerySchema,
  NoteInputSchema,
  PlatformSchema,
  StatusChangeSchema,
  StatusNameSchema,
} from './customers.schemas.js';
import {
  AssignInputSchema,
  AssignmentSchema,
  ConversionQuerySchema,
  ConversionRateSchema,
  CrmStatsSchema,
  CustomerManagerSchema,
  DashboardQuerySchema,
  DashboardSchema,
  LatestQuerySchema,
  ManagerActivityQuerySchema,
  ManagerActivitySchema,
  ManagerLeadsQuerySchema,
  ManagerLeadsSchema,
  ManagerStatsQuerySchema,
  ManagerStatsSchema,
  PeriodStatsResponseSchema,
  ReportQuerySchema,
  ReportSchema,
  SalesManagerSchema,
  StatsSummarySchema,
} from './stats.schemas.js';
import { DynamicStatusSchema } from './statuses.schemas.js';

const c = initContract();

/** The CRM's rule: the CEO, or anyone holding the `crm` page. */
export const CRM_ACCESS = { roles: ['CEO'], pages: ['crm'] } as const;

const crm = (description?: string, extra: Partial<RouteMeta> = {}) =>
  meta({
    auth: 'bearer',
    ...CRM_ACCESS,
    description: `The CEO or a user with the \`crm\` page.${description ? ` ${description}` : ''}`,
    ...extra,
  });
const ceoOnly = (description?: string) =>
  meta({ auth: 'bearer', roles: ['CEO'], description: `CEO only.${description ? ` ${description}` : ''}` });
const managerOrCeo = (description: string) => meta({ auth: 'bearer', roles: ['CEO', 'SalesManager'], description });
const managerOnly = (description: string) => meta({ auth: 'bearer', roles: ['SalesManager'], description });

const noteParamsSchema = z.object({ id: IdParamSchema, noteId: IdParamSchema });
interface NoteParamsSchema extends Named<typeof noteParamsSchema> {}
const NoteParamsSchema: NoteParamsSchema = noteParamsSchema;
const customers = z.array(CustomerSchema);

const updateCustomer = {
  path: '/crm/customers/:id',
  contentType: 'multipart/form-data',
  summary: 'Update a customer',
  metadata: crm(
    'Multipart (or urlencoded without a file). PUT and PATCH behave the same: an absent field stays, an empty optional ' +
      'field is cleared. A status change is recorded in the status history. Archived customers: CEO only (404 for others).',
    { files: { audio: CUSTOMER_AUDIO } },
  ),
  pathParams: IdParamsSchema,
  body: multipartBody(CustomerUpdateFormSchema, ['audio']),
  responses: { 200: CustomerSchema, ...errorResponses(400, 401, 403, 404, 413, 415, 422, 429, 500) },
} as const;

const updateNote = {
  path: '/crm/customers/:id/notes/:noteId',
  summary: 'Edit a note',
  metadata: crm('Only its author or the CEO. PUT and PATCH behave the same.'),
  pathParams: NoteParamsSchema,
  body: NoteInputSchema,
  responses: { 200: CustomerNoteSchema, ...errorResponses(400, 401, 403, 404, 413, 415, 422, 500) },
} as const;

/** Customers, their notes and statuses, sales-manager assignment and CRM statistics (`/crm/*`). */
export const crmContract = c.router(
  {
    // ------------------------------------------------------------------------------------------ lists and stats
    dashboard: {
      method: 'GET',
      path: '/crm/dashboard',
      summary: 'The customer list, a page at a time, with statistics',
      metadata: crm('Archived customers are excluded.'),
      query: DashboardQuerySchema,
      responses: { 200: DashboardSchema, ...errorResponses(401, 403, 422, 500) },
    },
    stats: {
      method: 'GET',
      path: '/crm/stats',
      summary: 'Customers per status',
      metadata: crm(),
      responses: { 200: CrmStatsSchema, ...errorResponses(401, 403, 500) },
    },
    periodStats: {
      method: 'GET',
      path: '/crm/stats/period',
      summary: 'New customers today, this week, this month, …',
      metadata: crm(),
      responses: { 200: PeriodStatsResponseSchema, ...errorResponses(401, 403, 500) },
    },
    statsSummary: {
      method: 'GET',
      path: '/crm/customers/stats/summary',
      summary: 'New customers per status over the last 1, 3, 7, 30 and 90 days',
      metadata: crm(),
      responses: { 200: StatsSummarySchema, ...errorResponses(401, 403, 500) },
    },
    report: {
      method: 'GET',
      path: '/crm/customers/report/period',
      summary: 'Customers created in a period, with statistics',
      metadata: crm(
        '`period` is N whole days ending today; `from_date` + `to_date` give a custom range instead. Without `page` ' +
          'and `page_size` the answer holds every customer of the period, however many (the legacy client never ' +
          'pages); with either, one page.',
      ),
      query: ReportQuerySchema,
      responses: { 200: ReportSchema, ...errorResponses(401, 403, 422, 500) },
    },
    latest: {
      method: 'GET',
      path: '/crm/customers/latest',
      summary: 'The newest customers',
      metadata: crm('An empty list when there are none.'),
      query: LatestQuerySchema,
      responses: { 200: customers, ...errorResponses(401, 403, 422, 500) },
    },
    filterByStatus: {
      method: 'GET',
      path: '/crm/customers/filter/status',
      summary: 'Customers in a status',
      metadata: crm('Newest first; an empty list when none match.'),
      query: ListQuerySchema.extend({ status_filter: StatusNameSchema }),
      responses: { 200: customers, ...errorResponses(401, 403, 422, 500) },
    },
    filterByPlatform: {
      method: 'GET',
      path: '/crm/customers/filter/platform',
      summary: 'Customers from a platform',
      metadata: crm('Newest first; an empty list when none match.'),
      query: ListQuerySchema.extend({ platform: PlatformSchema }),
      responses: { 200: customers, ...errorResponses(401, 403, 422, 500) },
    },
    filterByDate: {
      method: 'GET',
      path: '/crm/customers/filter/date',
      summary: 'Customers created on a range of days',
      metadata: crm('Days in the business time zone, both ends included; an empty list when none match.'),
      query: ListQuerySchema.extend({
        start_date: DateSchema,
        end_date: DateSchema.optional().describe('Default: `start_date`.'),
      }),
      responses: { 200: customers, ...errorResponses(401, 403, 422, 500) },
    },
    statuses: {
      method: 'GET',
      path: '/crm/statuses/dynamic',
      summary: 'The active statuses, in order, for pickers',
      metadata: crm(),
      responses: { 200: z.array(DynamicStatusSchema), ...errorResponses(401, 403, 500) },
    },

    // ------------------------------------------------------------------------------------------ archive (literal paths first)
    archived: {
      method: 'GET',
      path: '/crm/customers/archived',
      summary: 'Archived customers',
      metadata: ceoOnly('Most recently archived first.'),
      query: ListQuerySchema,
      responses: { 200: customers, ...errorResponses(401, 403, 422, 500) },
    },
    bulkArchive: {
      method: 'DELETE',
      path: '/crm/customers/bulk-delete',
      summary: 'Archive several customers',
      metadata: crm('Unknown ids are skipped. One transaction.'),
      body: BulkIdsSchema,
      responses: { 200: BulkResultSchema, ...errorResponses(400, 401, 403, 413, 415, 422, 500) },
    },
    bulkHardDelete: {
      method: 'DELETE',
      path: '/crm/customers/bulk-hard-delete',
      summary: 'Delete several customers for good',
      metadata: ceoOnly('Removes their notes, history, assignment and recordings. Unknown ids are skipped.'),
      body: BulkIdsSchema,
      responses: { 200: BulkResultSchema, ...errorResponses(400, 401, 403, 413, 415, 422, 500) },
    },
    audio: {
      method: 'GET',
      path: '/crm/customers/audio/:file_id',
      summary: 'Play or download a call recording',
      metadata: meta({
        auth: 'signedUrl',
        ...CRM_ACCESS,
        description:
          'With an access token of a CRM user, or with the `expires` and `sig` of an `audio_url` (valid for a short ' +
          'time; then 403). Supports `Range` (206).',
      }),
      pathParams: z.object({ file_id: z.string().regex(/^[\w-]+\.[a-z0-9]+$/, 'Not a recording id') }),
      query: z.object({
        expires: z.string().regex(/^\d+$/).optional().describe('Unix time the signature stops working.'),
        sig: z.string().max(200).optional(),
      }),
      responses: {
        200: c.otherResponse({ contentType: 'audio/*', body: c.type<Blob>() }),
        206: c.otherResponse({ contentType: 'audio/*', body: c.type<Blob>() }),
        ...errorResponses(401, 403, 404, 416, 422, 500),
      },
    },

    // ------------------------------------------------------------------------------------------ one customer
    create: {
      method: 'POST',
      path: '/crm/customers',
      contentType: 'multipart/form-data',
      summary: 'Create a customer',
      metadata: crm(
        'Multipart (or urlencoded without a file). The new customer is assigned to an active sales manager in turn ' +
          '(round robin) when there is one.',
        { files: { audio: CUSTOMER_AUDIO } },
      ),
      body: multipartBody(CustomerFormSchema, ['audio']),
      responses: { 201: CreatedCustomerSchema, ...errorResponses(400, 401, 403, 413, 415, 422, 429, 500) },
    },
    intake: {
      method: 'POST',
      path: '/crm/api/customers',
      summary: 'Create a customer from another system',
      metadata: meta({
        auth: 'apiKey',
        description:
          'Authenticated by the `X-Key` header (`CRM_CUSTOMER_API_KEY`); 503 when the server has no key. ' +
          'Assigned to a sales manager like UI-created customers unless `CRM_INTAKE_AUTO_ASSIGN=false`.',
      }),
      body: IntakeCustomerSchema,
      responses: { 201: CreatedCustomerSchema, ...errorResponses(400, 401, 413, 415, 422, 500, 503) },
    },
    detail: {
      method: 'GET',
      path: '/crm/detail/:id',
      summary: 'A customer with its notes',
      metadata: crm('Archived customers: CEO only (404 for others).'),
      pathParams: IdParamsSchema,
      responses: { 200: CustomerDetailSchema, ...errorResponses(401, 403, 404, 422, 500) },
    },
    update: { method: 'PUT', ...updateCustomer },
    patch: { method: 'PATCH', ...updateCustomer },
    archive: {
      method: 'DELETE',
      path: '/crm/customers/:id',
      summary: 'Archive a customer',
      metadata: crm('The customer can be restored by the CEO.'),
      pathParams: IdParamsSchema,
      body: c.noBody(),
      responses: { 200: MessageSchema, ...errorResponses(401, 403, 404, 422, 500) },
    },
    restore: {
      method: 'POST',
      path: '/crm/customers/:id/restore',
      summary: 'Restore an archived customer',
      metadata: ceoOnly('409 when the customer is not archived.'),
      pathParams: IdParamsSchema,
      body: c.noBody(),
      responses: { 200: MessageSchema, ...errorResponses(401, 403, 404, 409, 422, 500) },
    },
    hardDelete: {
      method: 'DELETE',
      path: '/crm/customers/:id/hard',
      summary: 'Delete a customer for good',
      metadata: ceoOnly('Removes its notes, history, assignment and recording.'),
      pathParams: IdParamsSchema,
      body: c.noBody(),
      responses: { 200: MessageSchema, ...errorResponses(401, 403, 404, 422, 500) },
    },
    statusHistory: {
      method: 'GET',
      path: '/crm/customers/:id/status-history',
      summary: 'Every status change of a customer',
      metadata: crm('Oldest first; the first entry is the status it was created with.'),
      pathParams: IdParamsSchema,
      responses: { 200: z.array(StatusChangeSchema), ...errorResponses(401, 403, 404, 422, 500) },
    },

    // ------------------------------------------------------------------------------------------ notes
    listNotes: {
      method: 'GET',
      path: '/crm/customers/:id/notes',
      summary: 'The notes of a customer',
      metadata: crm(),
      pathParams: IdParamsSchema,
      responses: { 200: CustomerNotesSchema, ...errorResponses(401, 403, 404, 422, 500) },
    },
    createNote: {
      method: 'POST',
      path: '/crm/customers/:id/notes',
      summary: 'Add a note',
      metadata: crm(),
      pathParams: IdParamsSchema,
      body: NoteInputSchema,
      responses: { 201: CustomerNoteSchema, ...errorResponses(400, 401, 403, 404, 413, 415, 422, 500) },
    },
    updateNote: { method: 'PUT', ...updateNote },
    patchNote: { method: 'PATCH', ...updateNote },
    deleteNote: {
      method: 'DELETE',
      path: '/crm/customers/:id/notes/:noteId',
      summary: 'Delete a note',
      metadata: crm('Only its author or the CEO.'),
      pathParams: NoteParamsSchema,
      body: c.noBody(),
      responses: { 200: MessageSchema, ...errorResponses(401, 403, 404, 422, 500) },
    },

    // ------------------------------------------------------------------------------------------ sales managers
    salesManagers: {
      method: 'GET',
      path: '/crm/sales-managers',
      summary: 'Active sales managers and their load',
      metadata: crm(),
      responses: { 200: z.array(SalesManagerSchema), ...errorResponses(401, 403, 500) },
    },
    managerCustomers: {
      method: 'GET',
      path: '/crm/sales-managers/:id/customers',
      summary: 'A sales manager’s customers',
      metadata: managerOrCeo('The CEO, or that sales manager.'),
      pathParams: IdParamsSchema,
      query: ManagerLeadsQuerySchema,
      responses: { 200: ManagerLeadsSchema, ...errorResponses(401, 403, 404, 422, 500) },
    },
    managerStats: {
      method: 'GET',
      path: '/crm/sales-managers/:id/stats',
      summary: 'A sales manager’s customers per status',
      metadata: managerOrCeo('The CEO, or that sales manager.'),
      pathParams: IdParamsSchema,
      query: ManagerStatsQuerySchema,
      responses: { 200: ManagerStatsSchema, ...errorResponses(401, 403, 404, 422, 500) },
    },
    myCustomers: {
      method: 'GET',
      path: '/crm/my-customers',
      summary: 'The caller’s customers',
      metadata: managerOnly('Sales managers only.'),
      query: ManagerLeadsQuerySchema,
      responses: { 200: ManagerLeadsSchema, ...errorResponses(401, 403, 422, 500) },
    },
    myStats: {
      method: 'GET',
      path: '/crm/my-customers/stats',
      summary: 'The caller’s customers per status',
      metadata: managerOnly('Sales managers only.'),
      query: ManagerStatsQuerySchema,
      responses: { 200: ManagerStatsSchema, ...errorResponses(401, 403, 422, 500) },
    },
    assign: {
      method: 'POST',
      path: '/crm/assign-sales-manager',
      summary: 'Assign a customer to a sales manager',
      metadata: ceoOnly('The target must be an active sales manager (404 otherwise). Replaces any current assignment.'),
      body: AssignInputSchema,
      responses: { 200: AssignmentSchema, ...errorResponses(400, 401, 403, 404, 413, 415, 422, 500) },
    },
    customerManager: {
      method: 'GET',
      path: '/crm/customer/:id/sales-manager',
      summary: 'Who a customer is assigned to',
      metadata: crm('404 when the customer is not assigned.'),
      pathParams: IdParamsSchema,
      responses: { 200: CustomerManagerSchema, ...errorResponses(401, 403, 404, 422, 500) },
    },
    conversionRate: {
      method: 'GET',
      path: '/crm/conversion-rate',
      summary: 'How many of the newest customers were won',
      metadata: crm('From the status history: a customer counts once it has been in a `won` status.'),
      query: ConversionQuerySchema,
      responses: { 200: ConversionRateSchema, ...errorResponses(401, 403, 422, 500) },
    },
    managerActivity: {
      method: 'GET',
      path: '/crm/sales-manager/stats',
      summary: 'Status changes on a sales manager’s customers in a period',
      metadata: managerOrCeo(
        'A sales manager sees their own; the CEO names `sales_manager_id` (or gets the only one). From the status history.',
      ),
      query: ManagerActivityQuerySchema,
      responses: { 200: ManagerActivitySchema, ...errorResponses(401, 403, 404, 422, 500) },
    },
  },
  { strictStatusCodes: true },
);
