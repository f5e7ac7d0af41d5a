import type { InstagramAccount } from '@cims/contracts';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { SecretUnreadableError, type TokenCipher } from '../../crypto/token-cipher.js';
import type { Orm } from '../../db/orm.js';
import { query } from '../../db/sql.js';
import { ApiError } from '../../errors.js';
import type { BusinessTime } from '../crm/business-time.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import {
  ACCOUNT_SELECT,
  type AccountRow,
  NOT_CONNECTED,
  RECONNECT,
  toAccountRow,
  tokenContext,
  usageJson,
} from './account-row.js';
import type { GraphApiError, GraphClient, GraphUsage } from './graph-client.js';
import { graphFailure } from './graph-failures.js';

/** The names of the module's scheduled jobs (`scheduled_job_run.job`). */
export const INSTAGRAM_JOBS = {
  sync: 'instagram-sync',
  syncRetry: 'instagram-sync-retry',
  tokenRenewal: 'instagram-token-renewal',
} as const;

/** What the Instagram services need. */
export interface InstagramServiceDeps {
  orm: Orm;
  logger: Logger;
  /** The business time zone: which day a snapshot belongs to, and the offset of returned timestamps. */
  time: BusinessTime;
  graph: GraphClient;
  cipher: TokenCipher;
  /** Runs the daily sync, its retry and the token renewal; tells `next_sync_at`. */
  scheduler: Scheduler;
  /** The cron patterns of the jobs. */
  schedule: { syncCron: string; syncRetryCron: string; tokenRenewalCron: string };
}

/** A failure to remember on the account (see {@link InstagramCore.recordFailure}). */
export interface AccountFailure {
  error: ApiError;
  graphCode?: number | null;
  usage?: GraphUsage | null;
  /** @default true for the failures that need a reconnect (`INSTAGRAM_RECONNECT_REQUIRED`) */
  reconnect?: boolean;
}

/**
 * What the Instagram services share: the connected account (read, viewed, its token opened) and the failures
 * remembered on it.
 */
export class InstagramCore {
  constructor(readonly deps: InstagramServiceDeps) {}

  /** A fresh entity manager for one call. */
  em(): EntityManager {
    return this.deps.orm.em.fork() as EntityManager;
  }

  now(): Date {
    return this.deps.time.now();
  }

  /** The connected account, if any; `lock` locks its row in `em`'s transaction. */
  async connected(em: EntityManager = this.em(), lock = false): Promise<AccountRow | null> {
    const [row] = await query(em, `${ACCOUNT_SELECT} where a.disconnected_at is null${lock ? ' for update of a' : ''}`);
    return row ? toAccountRow(row) : null;
  }

  /** The connected account, or 404 `INSTAGRAM_NOT_CONNECTED`. */
  async requireConnected(): Promise<AccountRow> {
    const account = await this.connected();
    if (!account) throw new ApiError('INSTAGRAM_NOT_CONNECTED', NOT_CONNECTED);
    return account;
  }

  /** Stored flag, or a token past its expiry (the renewal job flags it too, but may not have run yet). */
  needsReconnect(account: AccountRow): boolean {
    return account.reconnectRequired || (account.tokenExpiresAt !== null && account.tokenExpiresAt <= this.now());
  }

  /** Whether today's snapshot is still missing although the daily sync's time has come today. */
  syncOverdue(account: AccountRow): boolean {
    const today = this.deps.time.today();
    if (account.lastSnapshotDate === today) return false;
    const tick = this.deps.scheduler.previousTick(INSTAGRAM_JOBS.sync, this.now());
    return tick !== null && this.deps.time.dayOf(tick) === today;
  }

  #nextSyncAt(account: AccountRow): Date | null {
    const { scheduler } = this.deps;
    if (!scheduler.started || this.needsReconnect(account)) return null;
    const now = this.now();
    const daily = scheduler.nextRun(INSTAGRAM_JOBS.sync, now);
    const retry = this.syncOverdue(account) ? scheduler.nextRun(INSTAGRAM_JOBS.syncRetry, now) : null;
    if (daily && retry) return new Date(Math.min(daily.getTime(), retry.getTime()));
    return daily ?? retry;
  }

  /** The account as the API shows it: without its token, timestamps in the business zone. */
  view(account: AccountRow): InstagramAccount {
    const { time } = this.deps;
    return {
      id: account.id,
      account_username: account.accountUsername,
      instagram_business_account_id: account.igUserId,
      facebook_page_id: account.facebookPageId,
      connected_at: time.format(account.connectedAt),
      token_expires_at: time.formatOrNull(account.tokenExpiresAt),
      token_renewed_at: time.formatOrNull(account.tokenRenewedAt),
      last_synced_at: time.formatOrNull(account.lastSyncedAt),
      last_snapshot_date: account.lastSnapshotDate,
      last_error: account.lastError
        ? {
            code: account.lastError.code,
            message: account.lastError.message,
            graph_code: account.lastError.graphCode,
            at: time.format(account.lastError.at),
          }
        : null,
      reconnect_required: this.needsReconnect(account),
      next_sync_at: time.formatOrNull(this.#nextSyncAt(account)),
    };
  }

  /** The stored token in clear; an unreadable one (key gone) needs a reconnect. */
  async openToken(account: AccountRow): Promise<{ token: string; stale: boolean }> {
    try {
      if (!account.sealed) throw new SecretUnreadableError('none');
      const opened = this.deps.cipher.open(account.sealed, tokenContext(account.igUserId));
      return { token: opened.plaintext, stale: opened.stale };
    } catch (error) {
      if (!(error instanceof SecretUnreadableError)) throw error;
      const apiError = new ApiError(
        'INSTAGRAM_RECONNECT_REQUIRED',
        `The stored access token cannot be decrypted with the configured keys (CIMS_ENCRYPTION_KEY, CIMS_ENCRYPTION_KEYS_PREVIOUS): ${RECONNECT}`,
      );
      await this.recordFailure(account, { error: apiError });
      throw apiError;
    }
  }

  /**
   * A Graph API failure of a call made with the account's stored token: recorded on the account
   * ({@link recordFailure}) and returned as the API reports it (`graphFailure`, stage `use`).
   */
  async recordGraphFailure(account: AccountRow, error: GraphApiError): Promise<ApiError> {
    const apiError = graphFailure(error, 'use');
    await this.recordFailure(account, {
      error: apiError,
      graphCode: error.details.graph?.code ?? null,
      usage: error.details.usage,
    });
    return apiError;
  }

  /**
   * Remembers a failure on the account; `reconnect` also flags it (by default for the failures that need one: a
   * refused token or a missing permission). Only while the account still holds the token that failed: a setup that
   * stored a new token meanwhile is not flagged by a call that was still using the old one.
   */
  async recordFailure(
    account: AccountRow,
    {
      error,
      graphCode = null,
      usage = null,
      reconnect = error.code === 'INSTAGRAM_RECONNECT_REQUIRED',
    }: AccountFailure,
  ): Promise<void> {
    const now = this.now();
    await query(
      this.em(),
      `update instagram_account
          set last_error_code = ?, last_error_message = ?, last_error_graph_code = ?, last_error_at = ?,
              reconnect_required = reconnect_required or ?, graph_usage = coalesce(cast(? as jsonb), graph_usage),
              updated_at = ?
        where id = ? and disconnected_at is null and token_iv is not distinct from ?`,
      [
        error.code,
        error.detail,
        graphCode,
        now,
        reconnect,
        usageJson(usage),
        now,
        account.id,
        account.sealed?.iv ?? null,
      ],
    );
  }
}
