import { defineEntity } from '@mikro-orm/core';

/**
 * One run of a scheduled job: the instance that claimed the tick (`slot`) and how it ended. The primary key makes the
 * claim atomic: of several instances inserting the same (job, slot), exactly one row is written.
 */
export const ScheduledJobRunEntity = defineEntity({
  name: 'ScheduledJobRun',
  tableName: 'scheduled_job_run',
  primaryKeys: ['job', 'slot'],
  properties: (p) => ({
    job: p.string().length(100).primary(),
    /** The tick the cron pattern gave, not when the run began. */
    slot: p.datetime().primary(),
    /** The server instance that ran it (host name, process id and a random part). */
    instance: p.string().length(200),
    startedAt: p.datetime(),
    finishedAt: p.datetime().nullable(),
    /** `succeeded`, `skipped` or `failed`; null while running (or when the instance died). */
    outcome: p.string().length(16).nullable(),
    /** What the run did or why it failed, for people; never a secret. */
    detail: p.text().nullable(),
  }),
});

/** The scheduler's entities, for the ORM's list (db/entities.ts). */
export const schedulerEntities = [ScheduledJobRunEntity];
