import { initContract } from '@ts-rest/core';
import { errorResponses } from '../errors/error.schemas.js';
import { meta } from '../shared/route-meta.js';
import {
  DisconnectQuerySchema,
  DisconnectResultSchema,
  InstagramAccountStateSchema,
  InstagramErrorSchema,
  InstagramGrowthSchema,
  InstagramHistoryQuerySchema,
  InstagramHistorySchema,
  InstagramSetupResultSchema,
  InstagramSetupSchema,
  InstagramSyncResultSchema,
} from './instagram.schemas.js';

const c = initContract();
const ceoOnly = (description: string) =>
  meta({ auth: 'bearer', roles: ['CEO'], description: `CEO only. ${description}` });

/** What the Graph API's failures become on the routes that call it. */
const graphErrors = {
  409: InstagramErrorSchema.describe(
    '`INSTAGRAM_RECONNECT_REQUIRED`: the stored token expired or was revoked, or a permission is missing (Graph codes 190, 10, 200–299). Reconnect with `/instagram/setup`. (`CONFLICT` from setup: other setups kept colliding with this one; try again.)',
  ),
  502: InstagramErrorSchema.describe(
    '`UPSTREAM_UNAVAILABLE`: the Graph API failed (HTTP 5xx, codes 1 and 2, a timeout, the network) after the retries, or answered with an error this API does not know.',
  ),
  503: InstagramErrorSchema.describe(
    '`UPSTREAM_RATE_LIMITED`: the Graph API is throttling the app or the account (codes 4, 17, 32, 613, 80000–80014); `retry_after_seconds` says when to try again. (`DATABASE_UNAVAILABLE`: the database is unavailable; see `Retry-After`.)',
  ),
};

/** Instagram follower growth for the CEO dashboard (`/instagram/*`). One account is connected at a time. */
export const instagramContract = c.router(
  {
    setup: {
      method: 'POST',
      path: '/instagram/setup',
      summary: 'Connect the Instagram account',
      metadata: ceoOnly(
        'Checks the token and the account id against the Graph API first: a token or id it refuses answers 400 `INSTAGRAM_TOKEN_REJECTED` and nothing is saved. ' +
          'The token is stored encrypted (AES-256-GCM) and never returned. Setting up the connected account again (same `instagram_business_account_id`) replaces its token and keeps its history; another account replaces the connected one, whose history is kept.',
      ),
      body: InstagramSetupSchema,
      responses: {
        200: InstagramSetupResultSchema,
        ...errorResponses(400, 401, 403, 413, 415, 422, 500),
        400: InstagramErrorSchema.describe(
          '`INSTAGRAM_TOKEN_REJECTED`: the Graph API refused the token or the account id.',
        ),
        ...graphErrors,
      },
    },
    sync: {
      method: 'POST',
      path: '/instagram/sync',
      summary: "Store today's follower snapshot",
      metadata: ceoOnly(
        'Reads followers, follows and media counts from the Graph API and stores them as the snapshot of today (business time zone): one per day, a later sync replaces it. The scheduler does the same every day; this runs it now.',
      ),
      body: c.noBody(),
      responses: {
        200: InstagramSyncResultSchema,
        ...errorResponses(401, 403, 404, 500),
        ...graphErrors,
      },
    },
    growth: {
      method: 'GET',
      path: '/instagram/growth',
      summary: 'Follower growth over 7, 30, 90, 180 and 365 days',
      metadata: ceoOnly(
        'Each window ends at the newest snapshot and is compared with the last snapshot on or before its start. When history is shorter, the first snapshot is used and `complete` is false. Before the first sync every figure is null.',
      ),
      responses: { 200: InstagramGrowthSchema, ...errorResponses(401, 403, 404, 500) },
    },
    history: {
      method: 'GET',
      path: '/instagram/history',
      summary: 'Daily follower counts for a chart',
      metadata: ceoOnly('One point per business day up to today; a day without a snapshot has nulls.'),
      query: InstagramHistoryQuerySchema,
      responses: { 200: InstagramHistorySchema, ...errorResponses(401, 403, 404, 422, 500) },
    },
    account: {
      method: 'GET',
      path: '/instagram/account',
      summary: 'The connected account and its state',
      metadata: ceoOnly('Never includes the token. `connected: false` when no account is connected.'),
      responses: { 200: InstagramAccountStateSchema, ...errorResponses(401, 403, 500) },
    },
    disconnect: {
      method: 'DELETE',
      path: '/instagram/account',
      summary: 'Disconnect the account',
      metadata: ceoOnly('Deletes the stored token. The snapshots are kept unless `purge_history=true`.'),
      query: DisconnectQuerySchema,
      body: c.noBody(),
      responses: { 200: DisconnectResultSchema, ...errorResponses(401, 403, 404, 422, 500) },
    },
  },
  { strictStatusCodes: true },
);
