import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { errorResponses } from '../errors/error.schemas.js';
import { meta } from '../shared/route-meta.js';
import { CRM_ACCESS } from './crm.contract.js';
import { CustomerSchema } from './customers.schemas.js';
import {
  ChartsQuerySchema,
  ChartsSchema,
  InternationalQuerySchema,
  SalesDetailedQuerySchema,
  SalesDetailedSchema,
  SalesStatsSchema,
  SalesTypeQuerySchema,
} from './stats.schemas.js';

const c = initContract();
const crm = (description: string) =>
  meta({
    auth: 'bearer',
    ...CRM_ACCESS,
    description: `The CEO or a user with the \`crm\` page. ${description} Days are counted in the business time zone; archived customers are excluded.`,
  });

/** Lead statistics for the CEO dashboard (`/sales/*`). */
export const salesContract = c.router(
  {
    stats: {
      method: 'GET',
      path: '/sales/stats',
      summary: 'New customers today, yesterday, this week and last week',
      metadata: crm('`customer_type=local` also counts customers without a type.'),
      query: SalesTypeQuerySchema,
      responses: { 200: SalesStatsSchema, ...errorResponses(401, 403, 422, 500) },
    },
    detailed: {
      method: 'GET',
      path: '/sales/detailed',
      summary: 'New customers per day',
      metadata: crm('Every day of the window, zeros included.'),
      query: SalesDetailedQuerySchema,
      responses: { 200: SalesDetailedSchema, ...errorResponses(401, 403, 422, 500) },
    },
    charts: {
      method: 'GET',
      path: '/sales/dashboard/charts',
      summary: 'Trend and distributions for the dashboard charts',
      metadata: crm('The trend has every day of the window, zeros included.'),
      query: ChartsQuerySchema,
      responses: { 200: ChartsSchema, ...errorResponses(401, 403, 422, 500) },
    },
    international: {
      method: 'GET',
      path: '/sales/international',
      summary: 'The newest international customers',
      metadata: crm('Newest first.'),
      query: InternationalQuerySchema,
      responses: { 200: z.array(CustomerSchema), ...errorResponses(401, 403, 422, 500) },
    },
  },
  { strictStatusCodes: true },
);
