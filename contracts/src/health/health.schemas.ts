import { z } from 'zod';
import type { Named } from '../shared/named.js';
import { QueryBooleanSchema } from '../shared/shared.schemas.js';

const livenessSchema = z
  .object({
    status: z.literal('ok'),
    version: z.string().describe('The server version.'),
    uptime_seconds: z.number().min(0).describe('Seconds since the process started.'),
  })
  .describe('The process is alive.');
export interface LivenessSchema extends Named<typeof livenessSchema> {}
/** `GET /healthz`: the process is up and serving. */
export const LivenessSchema: LivenessSchema = livenessSchema;

const readinessCheckSchema = z.object({
  status: z.enum(['ok', 'error']),
  latency_ms: z.number().min(0).optional().describe('How long the check took.'),
  error: z.string().optional().describe('Why the check failed.'),
});
export interface ReadinessCheckSchema extends Named<typeof readinessCheckSchema> {}
/** The result of one dependency check of `GET /readyz`. */
export const ReadinessCheckSchema: ReadinessCheckSchema = readinessCheckSchema;

const readinessSchema = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    checks: z
      .record(z.string(), ReadinessCheckSchema)
      .optional()
      .describe(
        'Each check by name (`shutdown`, `database`, `database_reads`, `database_auth`, `files`); only with ' +
          '`verbose=true`. A failing `files` check (the object store) is reported but leaves the instance ready.',
      ),
  })
  .describe('Whether the instance is ready for traffic.');
export interface ReadinessSchema extends Named<typeof readinessSchema> {}
/** `GET /readyz`: can this instance take traffic (database reachable, not shutting down)? The file store is reported only. */
export const ReadinessSchema: ReadinessSchema = readinessSchema;

const readinessQuerySchema = z.object({
  verbose: QueryBooleanSchema.optional().describe('Include each check with its latency.'),
});
export interface ReadinessQuerySchema extends Named<typeof readinessQuerySchema> {}
/** Query of `GET /readyz`. */
export const ReadinessQuerySchema: ReadinessQuerySchema = readinessQuerySchema;

export type Liveness = z.infer<typeof LivenessSchema>;
export type Readiness = z.infer<typeof ReadinessSchema>;
export type ReadinessCheck = z.infer<typeof ReadinessCheckSchema>;
