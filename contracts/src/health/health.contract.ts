import { initContract } from '@ts-rest/core';
import { ApiErrorSchema, errorResponses } from '../errors/error.schemas.js';
import { meta } from '../shared/route-meta.js';
import { LivenessSchema, ReadinessQuerySchema, ReadinessSchema } from './health.schemas.js';

const c = initContract();

/** Liveness and readiness probes, for load balancers and orchestrators. */
export const healthContract = c.router(
  {
    liveness: {
      method: 'GET',
      path: '/healthz',
      summary: 'Liveness probe',
      metadata: meta({
        auth: 'public',
        description:
          'Answers `200` while the process runs. It checks nothing else, so a restart loop is never caused by a dependency.',
      }),
      // It touches no database: no 503, which errorResponses(500) would add.
      responses: { 200: LivenessSchema, 500: ApiErrorSchema },
    },
    readiness: {
      method: 'GET',
      path: '/readyz',
      summary: 'Readiness probe',
      metadata: meta({
        auth: 'public',
        description: 'Answers `200` when the database answers and the instance is not shutting down, `503` otherwise.',
      }),
      query: ReadinessQuerySchema,
      responses: { 200: ReadinessSchema, ...errorResponses(422, 500), 503: ReadinessSchema },
    },
  },
  { strictStatusCodes: true },
);
