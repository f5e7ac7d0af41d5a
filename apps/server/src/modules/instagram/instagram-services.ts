import { InstagramConnectionService } from './connection.service.js';
import { InstagramInsightsService } from './insights.service.js';
import { InstagramCore, type InstagramServiceDeps } from './instagram-core.js';
import { InstagramJobsService } from './jobs.service.js';
import { InstagramSyncService } from './sync.service.js';

/**
 * Instagram follower growth: connecting the account, daily snapshots (one per account and business day), growth and
 * history, token renewal, and the scheduled jobs that keep it all going; one service per topic over one
 * {@link InstagramCore}.
 */
export interface InstagramServices {
  connection: InstagramConnectionService;
  insights: InstagramInsightsService;
  sync: InstagramSyncService;
  /** The scheduled jobs; `jobs.jobs()` lists them for the scheduler. */
  jobs: InstagramJobsService;
}

/** Builds the Instagram services of one app. */
export function createInstagramServices(deps: InstagramServiceDeps): InstagramServices {
  const core = new InstagramCore(deps);
  const sync = new InstagramSyncService(core);
  return {
    connection: new InstagramConnectionService(core),
    insights: new InstagramInsightsService(core),
    sync,
    jobs: new InstagramJobsService(core, sync),
  };
}
