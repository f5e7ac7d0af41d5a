import { query } from '../../db/sql.js';
import { ApiError } from '../../errors.js';
import type { JobResult, ScheduledJob } from '../scheduler/scheduler.js';
import { ASSUMED_TOKEN_LIFETIME_MS, DAY_MS, RECONNECT, tokenContext, usageJson } from './account-row.js';
import { GraphApiError, type GraphClient } from './graph-client.js';
import { INSTAGRAM_JOBS, type InstagramCore } from './instagram-core.js';
import type { InstagramSyncService } from './sync.service.js';

/** A token is renewed once it expires within this long… */
const RENEW_BEFORE_EXPIRY_MS = 15 * DAY_MS;
/** …and is at least this old. */
const RENEW_MIN_AGE_MS = DAY_MS;

/** The scheduled jobs that keep the account going: the daily sync, its retry, and the token renewal. */
export class InstagramJobsService {
  constructor(
    private readonly core: InstagramCore,
    private readonly sync: InstagramSyncService,
  ) {}

  /**
   * Renews a token that expires within 15 days and is at least a day old (`fb_exchange_token`, with the app
   * credentials). A token past its expiry, or one the Graph API refuses, flags the account for a reconnect; without
   * the app credentials the coming expiry is recorded as the last error.
   */
  async renewToken(): Promise<JobResult> {
    const { graph, cipher, time, logger } = this.core.deps;
    const account = await this.core.connected();
    if (!account) return { outcome: 'skipped', detail: 'No account is connected' };
    if (account.reconnectRequired) return { outcome: 'skipped', detail: 'The account needs a reconnect' };
    const expiresAt = account.tokenExpiresAt;
    if (!expiresAt) return { outcome: 'skipped', detail: 'The token does not expire' };
    const now = this.core.now();
    if (expiresAt <= now) {
      const error = new ApiError(
        'INSTAGRAM_RECONNECT_REQUIRED',
        `The Instagram access token expired at ${time.format(expiresAt)}: ${RECONNECT}`,
      );
      await this.core.recordFailure(account, { error });
      throw error;
    }
    if (expiresAt.getTime() - now.getTime() > RENEW_BEFORE_EXPIRY_MS) {
      return { outcome: 'skipped', detail: `The token expires at ${time.format(expiresAt)}; not due yet` };
    }
    if (account.tokenIssuedAt && now.getTime() - account.tokenIssuedAt.getTime() < RENEW_MIN_AGE_MS) {
      return { outcome: 'skipped', detail: 'The token is less than a day old' };
    }
    if (!graph.hasAppCredentials) {
      const error = new ApiError(
        'INSTAGRAM_RECONNECT_REQUIRED',
        `The Instagram access token expires at ${time.format(expiresAt)} and the server cannot renew it (META_APP_ID and META_APP_SECRET are not set): ${RECONNECT} before then`,
      );
      // Not flagged yet: the token works until it expires.
      await this.core.recordFailure(account, { error, reconnect: false });
      throw error;
    }
    const { token } = await this.core.openToken(account);
    let renewed: Awaited<ReturnType<GraphClient['exchangeToken']>>;
    try {
      renewed = await graph.exchangeToken(token);
    } catch (error) {
      if (!(error instanceof GraphApiError)) throw error;
      const apiError = await this.core.recordGraphFailure(account, error);
      throw new ApiError(apiError.code, `Token renewal failed: ${apiError.detail}`, {
        cause: error,
        extra: apiError.extra,
        headers: apiError.headers,
      });
    }
    const sealed = cipher.seal(renewed.data.accessToken, tokenContext(account.igUserId));
    const newExpiry = new Date(
      now.getTime() + (renewed.data.expiresIn ? renewed.data.expiresIn * 1000 : ASSUMED_TOKEN_LIFETIME_MS),
    );
    const stored = await query(
      this.core.em(),
      `update instagram_account
          set token_key_id = ?, token_iv = ?, token_tag = ?, token_ciphertext = ?, token_expires_at = ?,
              token_issued_at = ?, token_renewed_at = ?, last_error_code = null, last_error_message = null,
              last_error_graph_code = null, last_error_at = null, graph_usage = cast(? as jsonb), updated_at = ?
        where id = ? and disconnected_at is null and token_key_id = ? and token_iv = ?
        returning id`,
      [
        sealed.keyId,
        sealed.iv,
        sealed.tag,
        sealed.ciphertext,
        newExpiry,
        now,
        now,
        usageJson(renewed.usage),
        now,
        account.id,
        account.sealed?.keyId ?? null,
        account.sealed?.iv ?? null,
      ],
    );
    if (stored.length === 0) return { outcome: 'skipped', detail: 'The token was replaced while it was renewed' };
    logger.info(
      { instagram: { accountId: account.id, expiresAt: newExpiry.toISOString() } },
      'Instagram token renewed',
    );
    return { outcome: 'succeeded', detail: `Renewed the token; it expires at ${time.format(newExpiry)}` };
  }

  /** The scheduled sync: skipped when nothing is connected or the account needs a reconnect. */
  async #scheduledSync(retry: boolean): Promise<JobResult> {
    const account = await this.core.connected();
    if (!account) return { outcome: 'skipped', detail: 'No account is connected' };
    if (this.core.needsReconnect(account)) return { outcome: 'skipped', detail: 'The account needs a reconnect' };
    if (retry && !this.core.syncOverdue(account)) {
      return { outcome: 'skipped', detail: "Today's snapshot exists, or the daily sync is not due yet" };
    }
    const result = await this.sync.syncAccount(account);
    return {
      outcome: 'succeeded',
      detail: `Stored the snapshot of ${result.snapshot_date}: ${result.followers_count} followers`,
    };
  }

  /** The module's jobs: the daily sync, its retry until the day's snapshot exists, and the token renewal. */
  jobs(): ScheduledJob[] {
    const { schedule } = this.core.deps;
    return [
      { name: INSTAGRAM_JOBS.sync, pattern: schedule.syncCron, run: () => this.#scheduledSync(false) },
      { name: INSTAGRAM_JOBS.syncRetry, pattern: schedule.syncRetryCron, run: () => this.#scheduledSync(true) },
      { name: INSTAGRAM_JOBS.tokenRenewal, pattern: schedule.tokenRenewalCron, run: () => this.renewToken() },
    ];
  }
}
