import { z } from 'zod';
import { DateSchema } from '../crm/customers.schemas.js';
import { ApiErrorSchema } from '../errors/error.schemas.js';
import type { Named } from '../shared/named.js';
import { IdSchema, QueryBooleanSchema, TimestampSchema } from '../shared/shared.schemas.js';

const Count = z.number().int().min(0);
/** A numeric Graph API object id (IG User, Facebook Page). */
const GraphIdSchema = z
  .string()
  .trim()
  .regex(/^\d{1,32}$/, 'Input should be a numeric Graph API id')
  .describe('A numeric Graph API object id.');

/** The growth windows of `GET /instagram/growth`, in days. */
export const GROWTH_WINDOWS = [7, 30, 90, 180, 365] as const;
/** A growth window's key in the response: `last_7_days`, …, `last_365_days`. */
export type GrowthWindowKey = `last_${(typeof GROWTH_WINDOWS)[number]}_days`;

const instagramSetupSchema = z
  .object({
    account_username: z
      .string()
      .trim()
      .transform((value) => value.replace(/^@/, ''))
      .pipe(z.string().min(1).max(255))
      .describe(
        'The account as people know it (a leading `@` is dropped). The Graph API has the last word: after a sync the name it reports is kept.',
      ),
    instagram_business_account_id: GraphIdSchema.describe('The IG User id of the Business or Creator account.'),
    facebook_page_id: GraphIdSchema.describe('The Facebook Page the account is linked to.'),
    access_token: z
      .string()
      .trim()
      .min(16)
      .max(4096)
      .describe(
        'A long-lived access token. Checked against the Graph API before anything is saved; stored encrypted, never returned.',
      ),
    token_expires_at: TimestampSchema.optional().describe(
      'When the token expires, if known. Without it the server asks the Graph API (`debug_token`, when the app credentials are configured) or assumes 60 days.',
    ),
  })
  .describe('Connects (or reconnects) the Instagram account whose followers are tracked.');
export interface InstagramSetupSchema extends Named<typeof instagramSetupSchema> {}
/** `POST /instagram/setup`. */
export const InstagramSetupSchema: InstagramSetupSchema = instagramSetupSchema;
export type InstagramSetupInput = z.input<typeof InstagramSetupSchema>;

const instagramLastErrorSchema = z
  .object({
    code: z.string().describe('The API error code the failure was reported with, e.g. `INSTAGRAM_RECONNECT_REQUIRED`.'),
    message: z.string().describe('What went wrong, for people.'),
    graph_code: z
      .number()
      .int()
      .nullable()
      .describe("The Graph API's error code, when the Graph API answered with one."),
    at: TimestampSchema,
  })
  .describe('The last failure of a sync or a token renewal; null after the next success.');
export interface InstagramLastErrorSchema extends Named<typeof instagramLastErrorSchema> {}
/** The last failure of the account's sync or token renewal. */
export const InstagramLastErrorSchema: InstagramLastErrorSchema = instagramLastErrorSchema;

const instagramAccountSchema = z
  .object({
    id: IdSchema,
    account_username: z.string(),
    instagram_business_account_id: z.string(),
    facebook_page_id: z.string(),
    connected_at: TimestampSchema,
    token_expires_at: TimestampSchema.nullable().describe('When the stored token expires; null when it does not.'),
    token_renewed_at: TimestampSchema.nullable().describe('When the token was last renewed by the server.'),
    last_synced_at: TimestampSchema.nullable(),
    last_snapshot_date: DateSchema.nullable().describe('The business day of the newest snapshot.'),
    last_error: InstagramLastErrorSchema.nullable(),
    reconnect_required: z
      .boolean()
      .describe(
        'The token expired or was revoked, or a permission is missing: run `/instagram/setup` again with a new token.',
      ),
    next_sync_at: TimestampSchema.nullable().describe(
      'When the scheduler syncs next; null when the scheduler is off on the server that answers, or the account needs a reconnect.',
    ),
  })
  .describe('The connected Instagram account.');
export interface InstagramAccountSchema extends Named<typeof instagramAccountSchema> {}
/** The connected account as the API shows it. The access token is never part of it. */
export const InstagramAccountSchema: InstagramAccountSchema = instagramAccountSchema;
export type InstagramAccount = z.infer<typeof InstagramAccountSchema>;

const instagramSetupResultSchema = z.object({
  message: z.string(),
  account_id: IdSchema,
  account: InstagramAccountSchema,
});
export interface InstagramSetupResultSchema extends Named<typeof instagramSetupResultSchema> {}
export const InstagramSetupResultSchema: InstagramSetupResultSchema = instagramSetupResultSchema;

const instagramAccountStateSchema = z
  .object({
    connected: z.boolean(),
    account: InstagramAccountSchema.nullable(),
  })
  .describe('Whether an account is connected, and its state.');
export interface InstagramAccountStateSchema extends Named<typeof instagramAccountStateSchema> {}
/** `GET /instagram/account`. */
export const InstagramAccountStateSchema: InstagramAccountStateSchema = instagramAccountStateSchema;

const instagramSyncResultSchema = z.object({
  message: z.string(),
  followers_count: Count,
  following_count: Count,
  media_count: Count,
  account_username: z.string(),
  snapshot_date: DateSchema.describe(
    'The business day the snapshot is stored for (one per day; a later sync replaces it).',
  ),
  synced_at: TimestampSchema,
});
export interface InstagramSyncResultSchema extends Named<typeof instagramSyncResultSchema> {}
/** `POST /instagram/sync`: the legacy fields, and the snapshot they were stored as. */
export const InstagramSyncResultSchema: InstagramSyncResultSchema = instagramSyncResultSchema;

const growthWindowSchema = z
  .object({
    days: z.number().int().min(1),
    growth: z
      .number()
      .int()
      .nullable()
      .describe('Followers now minus followers at `from_date`; null without snapshots.'),
    growth_percentage: z
      .number()
      .nullable()
      .describe(
        '`growth` as a percentage of the followers at `from_date`, two decimals; null when that was 0 or unknown.',
      ),
    complete: z
      .boolean()
      .describe(
        'True when a snapshot exists on or before the window start; false when history is shorter than the window (then `from_date` is the first snapshot).',
      ),
    from_date: DateSchema.nullable().describe('The business day of the snapshot compared with.'),
    from_followers: Count.nullable(),
  })
  .describe(
    'Growth over a window that ends at the newest snapshot (`as_of`) and starts `days` days before it. Compared with the last snapshot on or before the start.',
  );
export interface GrowthWindowSchema extends Named<typeof growthWindowSchema> {}
/** One window of `GET /instagram/growth`. */
export const GrowthWindowSchema: GrowthWindowSchema = growthWindowSchema;
export type GrowthWindow = z.infer<typeof GrowthWindowSchema>;

const instagramGrowthSchema = z
  .object({
    current_followers: Count.nullable().describe('Followers in the newest snapshot; null before the first sync.'),
    as_of: DateSchema.nullable().describe('The business day of the newest snapshot.'),
    last_7_days: GrowthWindowSchema,
    last_30_days: GrowthWindowSchema,
    last_90_days: GrowthWindowSchema,
    last_180_days: GrowthWindowSchema,
    last_365_days: GrowthWindowSchema,
  })
  .describe('Follower growth over the last 7, 30, 90, 180 and 365 days.');
export interface InstagramGrowthSchema extends Named<typeof instagramGrowthSchema> {}
/** `GET /instagram/growth`. */
export const InstagramGrowthSchema: InstagramGrowthSchema = instagramGrowthSchema;
export type InstagramGrowth = z.infer<typeof InstagramGrowthSchema>;

const instagramHistoryQuerySchema = z.object({
  days: z.coerce.number().int().min(1).max(3660).default(30).describe('How many days, today included (1–3660).'),
});
export interface InstagramHistoryQuerySchema extends Named<typeof instagramHistoryQuerySchema> {}
export const InstagramHistoryQuerySchema: InstagramHistoryQuerySchema = instagramHistoryQuerySchema;

const historyPointSchema = z.object({
  date: DateSchema,
  followers_count: Count.nullable(),
  following_count: Count.nullable(),
  media_count: Count.nullable(),
  change: z
    .number()
    .int()
    .nullable()
    .describe('Followers minus the previous day’s; null when either day has no snapshot.'),
});
export interface HistoryPointSchema extends Named<typeof historyPointSchema> {}
/** One day of `GET /instagram/history`; a day without a snapshot has nulls. */
export const HistoryPointSchema: HistoryPointSchema = historyPointSchema;
export type HistoryPoint = z.infer<typeof HistoryPointSchema>;

const instagramHistorySchema = z
  .object({
    from_date: DateSchema,
    to_date: DateSchema.describe('Today in the business time zone.'),
    points: z.array(HistoryPointSchema).describe('One point per day, oldest first; missing days are null, not 0.'),
  })
  .describe('Daily snapshots for a chart.');
export interface InstagramHistorySchema extends Named<typeof instagramHistorySchema> {}
export const InstagramHistorySchema: InstagramHistorySchema = instagramHistorySchema;
export type InstagramHistory = z.infer<typeof InstagramHistorySchema>;

const disconnectQuerySchema = z.object({
  purge_history: QueryBooleanSchema.default(false).describe('Also delete every snapshot of the account.'),
});
export interface DisconnectQuerySchema extends Named<typeof disconnectQuerySchema> {}
export const DisconnectQuerySchema: DisconnectQuerySchema = disconnectQuerySchema;

const disconnectResultSchema = z.object({
  message: z.string(),
  purged_snapshots: Count.describe('Snapshots deleted (0 unless `purge_history`).'),
});
export interface DisconnectResultSchema extends Named<typeof disconnectResultSchema> {}
export const DisconnectResultSchema: DisconnectResultSchema = disconnectResultSchema;

const graphErrorSchema = z
  .object({
    code: z.number().int(),
    subcode: z.number().int().nullable(),
    type: z.string().nullable(),
    message: z.string(),
    fbtrace_id: z.string().nullable(),
  })
  .describe("The Graph API's error object, as Meta sent it.");
export interface GraphErrorSchema extends Named<typeof graphErrorSchema> {}
/** The Graph API's own error, when it answered with one. */
export const GraphErrorSchema: GraphErrorSchema = graphErrorSchema;

const instagramErrorSchema = ApiErrorSchema.extend({
  graph_error: GraphErrorSchema.optional(),
  retry_after_seconds: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('With `UPSTREAM_RATE_LIMITED`: when to try again (also in the `Retry-After` header).'),
}).describe('An error of the Graph API, mapped to an API error.');
export interface InstagramErrorSchema extends Named<typeof instagramErrorSchema> {}
/** The errors of the Instagram routes that come from the Graph API. */
export const InstagramErrorSchema: InstagramErrorSchema = instagramErrorSchema;
export type InstagramErrorBody = z.infer<typeof InstagramErrorSchema>;
