import {
  type DisconnectResultSchema,
  type FollowerPoint,
  GROWTH_WINDOWS,
  growthFromBaselines,
  type InstagramAccount,
  type InstagramAccountStateSchema,
  type InstagramGrowth,
  type InstagramHistory,
  type InstagramSetupResultSchema,
  type InstagramSetupSchema,
  type InstagramSyncResultSchema,
} from '@cims/contracts';
import { INSTAGRAM_MESSAGES } from '@cims/contracts/rules';
import { type EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { type SealedSecret, SecretUnreadableError, type TokenCipher } from '../../crypto/token-cipher.js';
import type { Orm } from '../../db/orm.js';
import { asDateOrNull, asInt, query, type Row } from '../../db/sql.js';
import { ApiError } from '../../errors.js';
import { type RequestInfo, writeAudit } from '../audit/audit.js';
import type { Caller } from '../auth/caller.js';
import type { BusinessTime } from '../crm/business-time.js';
import type { JobResult, ScheduledJob, Scheduler } from '../scheduler/scheduler.js';
import { GraphApiError, type GraphClient, type GraphUsage } from './graph-client.js';

type SetupInput = z.output<typeof InstagramSetupSchema>;
type SetupResult = z.input<typeof InstagramSetupResultSchema>;
type SyncResult = z.input<typeof InstagramSyncResultSchema>;
type AccountState = z.input<typeof InstagramAccountStateSchema>;
type DisconnectResult = z.input<typeof DisconnectResultSchema>;

const DAY_MS = 24 * 60 * 60 * 1000;
/** Without `debug_token` or an explicit expiry, a long-lived token is assumed to last this long (Meta's 60 days). */
const ASSUMED_TOKEN_LIFETIME_MS = 60 * DAY_MS;
/** A token is renewed once it expires within this long… */
const RENEW_BEFORE_EXPIRY_MS = 15 * DAY_MS;
/** …and is at least this old. */
const RENEW_MIN_AGE_MS = DAY_MS;

/** The names of the module's scheduled jobs (`scheduled_job_run.job`). */
export const INSTAGRAM_JOBS = {
  sync: 'instagram-sync',
  syncRetry: 'instagram-sync-retry',
  tokenRenewal: 'instagram-token-renewal',
} as const;

const NOT_CONNECTED = INSTAGRAM_MESSAGES.notConnected;
const RECONNECT = INSTAGRAM_MESSAGES.reconnect;

/** The connected account as stored. */
interface AccountRow {
  id: number;
  accountUsername: string;
  igUserId: string;
  facebookPageId: string;
  sealed: SealedSecret | null;
  tokenExpiresAt: Date | null;
  tokenIssuedAt: Date | null;
  tokenRenewedAt: Date | null;
  connectedAt: Date;
  lastSyncedAt: Date | null;
  lastSnapshotDate: string | null;
  reconnectRequired: boolean;
  lastError: { code: string; message: string; graphCode: number | null; at: Date } | null;
}

const ACCOUNT_SELECT = `select a.*,
  (select to_char(s.snapshot_date, 'YYYY-MM-DD') from instagram_snapshot s
    where s.account_id = a.id order by s.snapshot_date desc limit 1) as last_snapshot_date
  from instagram_account a`;

function toAccountRow(row: Row): AccountRow {
  const sealed =
    row.token_key_id && row.token_iv && row.token_tag && row.token_ciphertext
      ? {
          keyId: String(row.token_key_id),
          iv: String(row.token_iv),
          tag: String(row.token_tag),
          ciphertext: String(row.token_ciphertext),
        }
      : null;
  const errorAt = asDateOrNull(row.last_error_at);
  return {
    id: asInt(row.id),
    accountUsername: String(row.account_username),
    igUserId: String(row.instagram_business_account_id),
    facebookPageId: String(row.facebook_page_id),
    sealed,
    tokenExpiresAt: asDateOrNull(row.token_expires_at),
    tokenIssuedAt: asDateOrNull(row.token_issued_at),
    tokenRenewedAt: asDateOrNull(row.token_renewed_at),
    connectedAt: asDateOrNull(row.connected_at) as Date,
    lastSyncedAt: asDateOrNull(row.last_synced_at),
    lastSnapshotDate: row.last_snapshot_date ? String(row.last_snapshot_date) : null,
    reconnectRequired: row.reconnect_required === true,
    lastError:
      row.last_error_code && errorAt
        ? {
            code: String(row.last_error_code),
            message: String(row.last_error_message ?? ''),
            graphCode: row.last_error_graph_code === null ? null : asInt(row.last_error_graph_code),
            at: errorAt,
          }
        : null,
  };
}

/** The AAD a token is sealed with: the account it belongs to. */
export function tokenContext(igUserId: string): string {
  return `instagram-token:${igUserId}`;
}

function usageJson(usage: GraphUsage | null): string | null {
  return usage ? JSON.stringify({ ...usage, at: new Date().toISOString() }) : null;
}

/** What the service needs. */
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

/**
 * Instagram follower growth: connecting the account (its token checked by the Graph API and stored encrypted), daily
 * snapshots (one per account and business day), growth and history read with a few indexed statements, token
 * renewal, and the scheduled jobs that keep it all going.
 */
export class InstagramService {
  constructor(private readonly deps: InstagramServiceDeps) {}

  #em(): EntityManager {
    return this.deps.orm.em.fork() as EntityManager;
  }

  #now(): Date {
    return this.deps.time.now();
  }

  // ------------------------------------------------------------------------------------------------ reading

  async #connected(em: EntityManager = this.#em(), lock = false): Promise<AccountRow | null> {
    const [row] = await query(em, `${ACCOUNT_SELECT} where a.disconnected_at is null${lock ? ' for update of a' : ''}`);
    return row ? toAccountRow(row) : null;
  }

  async #requireConnected(): Promise<AccountRow> {
    const account = await this.#connected();
    if (!account) throw new ApiError('INSTAGRAM_NOT_CONNECTED', NOT_CONNECTED);
    return account;
  }

  /** Stored flag, or a token past its expiry (the renewal job flags it too, but may not have run yet). */
  #needsReconnect(account: AccountRow): boolean {
    return account.reconnectRequired || (account.tokenExpiresAt !== null && account.tokenExpiresAt <= this.#now());
  }

  /** Whether today's snapshot is still missing although the daily sync's time has come today. */
  #syncOverdue(account: AccountRow): boolean {
    const today = this.deps.time.today();
    if (account.lastSnapshotDate === today) return false;
    const tick = this.deps.scheduler.previousTick(INSTAGRAM_JOBS.sync, this.#now());
    return tick !== null && this.deps.time.dayOf(tick) === today;
  }

  #nextSyncAt(account: AccountRow): Date | null {
    const { scheduler } = this.deps;
    if (!scheduler.started || this.#needsReconnect(account)) return null;
    const now = this.#now();
    const daily = scheduler.nextRun(INSTAGRAM_JOBS.sync, now);
    const retry = this.#syncOverdue(account) ? scheduler.nextRun(INSTAGRAM_JOBS.syncRetry, now) : null;
    if (daily && retry) return new Date(Math.min(daily.getTime(), retry.getTime()));
    return daily ?? retry;
  }

  #view(account: AccountRow): InstagramAccount {
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
      reconnect_required: this.#needsReconnect(account),
      next_sync_at: time.formatOrNull(this.#nextSyncAt(account)),
    };
  }

  /** `GET /instagram/account`: the connected account without its token, or `connected: false`. */
  async account(): Promise<AccountState> {
    const account = await this.#connected();
    return account ? { connected: true, account: this.#view(account) } : { connected: false, account: null };
  }

  /**
   * `GET /instagram/growth`: the newest and the first snapshot and, for each window, the last snapshot on or before
   * its start, in one statement of index lookups (never the whole history); the numbers come from the rule shared
   * with the mocks, {@link growthFromBaselines}.
   */
  async growth(): Promise<InstagramGrowth> {
    const account = await this.#requireConnected();
    const windows = GROWTH_WINDOWS.map(() => '(cast(? as integer))').join(', ');
    const rows = await query(
      this.#em(),
      `with latest as (
         select snapshot_date, followers_count from instagram_snapshot where account_id = ?
          order by snapshot_date desc limit 1
       ), earliest as (
         select snapshot_date, followers_count from instagram_snapshot where account_id = ?
          order by snapshot_date asc limit 1
       )
       select 'latest' as kind, 0 as days, to_char(snapshot_date, 'YYYY-MM-DD') as date, followers_count from latest
       union all
       select 'earliest', 0, to_char(snapshot_date, 'YYYY-MM-DD'), followers_count from earliest
       union all
       select 'baseline', w.days, to_char(b.snapshot_date, 'YYYY-MM-DD'), b.followers_count
         from latest cross join (values ${windows}) as w(days)
         cross join lateral (
           select s.snapshot_date, s.followers_count from instagram_snapshot s
            where s.account_id = ? and s.snapshot_date <= latest.snapshot_date - w.days
            order by s.snapshot_date desc limit 1
         ) b`,
      [account.id, account.id, ...GROWTH_WINDOWS, account.id],
    );
    const point = (row: Row): FollowerPoint => ({
      date: String(row.date),
      followers_count: asInt(row.followers_count),
    });
    const find = (kind: string) => rows.find((row) => row.kind === kind);
    const latest = find('latest');
    const earliest = find('earliest');
    const baselines = new Map<number, FollowerPoint | null>(
      rows.filter((row) => row.kind === 'baseline').map((row) => [asInt(row.days), point(row)]),
    );
    return growthFromBaselines(latest ? point(latest) : null, earliest ? point(earliest) : null, baselines);
  }

  /**
   * `GET /instagram/history`: one point per business day up to today, missing days null, in one statement (a series
   * of days left-joined to the snapshots; the day before the range is read too, so the first point has its change).
   */
  async history(days: number): Promise<InstagramHistory> {
    const account = await this.#requireConnected();
    const { time } = this.deps;
    const to = time.today();
    const from = time.addDays(to, -(days - 1));
    const rows = await query(
      this.#em(),
      `select * from (
         select to_char(d, 'YYYY-MM-DD') as date, s.followers_count, s.following_count, s.media_count,
                s.followers_count - lag(s.followers_count) over (order by d) as change
           from generate_series(cast(? as timestamp), cast(? as timestamp), interval '1 day') as d
           left join instagram_snapshot s on s.account_id = ? and s.snapshot_date = cast(d as date)
       ) days where date >= ? order by date`,
      [time.addDays(from, -1), to, account.id, from],
    );
    const count = (value: unknown) => (value === null || value === undefined ? null : asInt(value));
    return {
      from_date: from,
      to_date: to,
      points: rows.map((row) => ({
        date: String(row.date),
        followers_count: count(row.followers_count),
        following_count: count(row.following_count),
        media_count: count(row.media_count),
        change: count(row.change),
      })),
    };
  }

  // ------------------------------------------------------------------------------------------------ setup

  /**
   * `POST /instagram/setup`: the Graph API must accept the token for the account (else 400 and nothing is saved);
   * the token is sealed, its expiry read from `debug_token` (with the app credentials) unless given, else assumed to
   * be 60 days. One transaction disconnects another connected account (keeping its history) and inserts or
   * reconnects this one; the partial unique index on connected accounts settles concurrent setups (the loser retries).
   */
  async setup(input: SetupInput, caller: Caller, info: RequestInfo): Promise<SetupResult> {
    const { graph, cipher, logger } = this.deps;
    const igUserId = input.instagram_business_account_id;
    let usage: GraphUsage;
    try {
      ({ usage } = await graph.user(igUserId, input.access_token));
    } catch (error) {
      if (error instanceof GraphApiError) throw this.#apiError(error, 'setup');
      throw error;
    }
    const expiresAt = input.token_expires_at
      ? new Date(input.token_expires_at)
      : await this.#expiryOf(input.access_token);
    const sealed = cipher.seal(input.access_token, tokenContext(igUserId));
    const now = this.#now();

    const { accountId, updated } = await this.#retryOnUnique(() =>
      this.#em().transactional(async (em) => {
        const replaced = await query(
          em,
          `update instagram_account
              set disconnected_at = ?, token_key_id = null, token_iv = null, token_tag = null, token_ciphertext = null,
                  updated_at = ?
            where disconnected_at is null and instagram_business_account_id <> ?
            returning id, account_username, instagram_business_account_id`,
          [now, now, igUserId],
        );
        const [row] = await query(
          em,
          `insert into instagram_account (account_username, instagram_business_account_id, facebook_page_id,
             token_key_id, token_iv, token_tag, token_ciphertext, token_expires_at, token_issued_at, token_renewed_at,
             connected_at, disconnected_at, reconnect_required, graph_usage, created_at, updated_at)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?, null, ?, null, false, cast(? as jsonb), ?, ?)
           on conflict (instagram_business_account_id) do update set
             account_username = excluded.account_username, facebook_page_id = excluded.facebook_page_id,
             token_key_id = excluded.token_key_id, token_iv = excluded.token_iv, token_tag = excluded.token_tag,
             token_ciphertext = excluded.token_ciphertext, token_expires_at = excluded.token_expires_at,
             token_issued_at = excluded.token_issued_at, token_renewed_at = null,
             connected_at = case when instagram_account.disconnected_at is null
                                 then instagram_account.connected_at else excluded.connected_at end,
             disconnected_at = null, reconnect_required = false, last_error_code = null, last_error_message = null,
             last_error_graph_code = null, last_error_at = null, graph_usage = excluded.graph_usage,
             updated_at = excluded.updated_at
           returning id, (xmax::text <> '0') as updated`,
          [
            input.account_username,
            igUserId,
            input.facebook_page_id,
            sealed.keyId,
            sealed.iv,
            sealed.tag,
            sealed.ciphertext,
            expiresAt,
            now,
            now,
            usageJson(usage),
            now,
            now,
          ],
        );
        const id = asInt(row?.id);
        for (const old of replaced) {
          await writeAudit(
            em,
            'instagram',
            {
              actorUserId: caller.userId,
              entityType: 'instagram_account',
              entityId: asInt(old.id),
              action: 'disconnect',
              summary: `Disconnected @${String(old.account_username)}: another account was connected`,
              data: { instagram_business_account_id: old.instagram_business_account_id, replaced_by: id },
            },
            info,
          );
        }
        await writeAudit(
          em,
          'instagram',
          {
            actorUserId: caller.userId,
            entityType: 'instagram_account',
            entityId: id,
            action: 'setup',
            summary: `Connected @${input.account_username}`,
            data: {
              instagram_business_account_id: igUserId,
              facebook_page_id: input.facebook_page_id,
              token_expires_at: expiresAt?.toISOString() ?? null,
              token_key_id: sealed.keyId,
            },
          },
          info,
        );
        return { accountId: id, updated: row?.updated === true };
      }),
    );
    logger.info({ instagram: { accountId, igUserId } }, 'Instagram account connected');
    // This account, even if a concurrent setup has replaced it since (the answer describes what this call did).
    const [row] = await query(this.#em(), `${ACCOUNT_SELECT} where a.id = ?`, [accountId]);
    if (!row) throw new ApiError('INSTAGRAM_NOT_CONNECTED', NOT_CONNECTED);
    const account = toAccountRow(row);
    return {
      message: INSTAGRAM_MESSAGES.setUp(input.account_username, updated),
      account_id: accountId,
      account: this.#view(account),
    };
  }

  /** The token's expiry by `debug_token` (null: never), or 60 days from now without the app credentials. */
  async #expiryOf(token: string): Promise<Date | null> {
    const { graph } = this.deps;
    if (!graph.hasAppCredentials) return new Date(this.#now().getTime() + ASSUMED_TOKEN_LIFETIME_MS);
    let info: Awaited<ReturnType<GraphClient['debugToken']>>['data'];
    try {
      ({ data: info } = await graph.debugToken(token));
    } catch (error) {
      if (!(error instanceof GraphApiError)) throw error;
      // debug_token answers an unknown user token with is_valid false; an error here is about the app's credentials.
      if (error.failure === 'token' || error.failure === 'permission') {
        throw new ApiError(
          'UPSTREAM_UNAVAILABLE',
          'The Graph API refused the app credentials (META_APP_ID, META_APP_SECRET) when checking the token',
          { cause: error, extra: error.details.graph ? { graph_error: error.details.graph } : {} },
        );
      }
      throw this.#apiError(error, 'use');
    }
    if (!info.isValid) {
      throw new ApiError('INSTAGRAM_TOKEN_REJECTED', INSTAGRAM_MESSAGES.tokenInvalid, {
        extra: info.error ? { graph_error: info.error } : {},
      });
    }
    return info.expiresAt === 0 ? null : new Date(info.expiresAt * 1000);
  }

  async #retryOnUnique<T>(run: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await run();
      } catch (error) {
        // Another setup connected an account between our two statements: run again, now seeing it.
        if (!(error instanceof UniqueConstraintViolationException)) throw error;
        if (attempt >= 5) {
          throw new ApiError('CONFLICT', 'Other setups of the Instagram account are running; try again', {
            cause: error,
          });
        }
      }
    }
  }

  // ------------------------------------------------------------------------------------------------ disconnect

  /** `DELETE /instagram/account`: wipes the token; keeps the snapshots unless `purge`, in one transaction. */
  async disconnect(purge: boolean, caller: Caller, info: RequestInfo): Promise<DisconnectResult> {
    const result = await this.#em().transactional(async (em) => {
      const account = await this.#connected(em, true);
      if (!account) throw new ApiError('INSTAGRAM_NOT_CONNECTED', NOT_CONNECTED);
      let purged = 0;
      if (purge) {
        const [row] = await query(
          em,
          'with gone as (delete from instagram_snapshot where account_id = ? returning 1) select count(*) as n from gone',
          [account.id],
        );
        purged = asInt(row?.n);
        await query(em, 'delete from instagram_account where id = ?', [account.id]);
      } else {
        await query(
          em,
          `update instagram_account
              set disconnected_at = ?, token_key_id = null, token_iv = null, token_tag = null, token_ciphertext = null,
                  updated_at = ?
            where id = ?`,
          [this.#now(), this.#now(), account.id],
        );
      }
      await writeAudit(
        em,
        'instagram',
        {
          actorUserId: caller.userId,
          entityType: 'instagram_account',
          entityId: account.id,
          action: purge ? 'disconnect_purge' : 'disconnect',
          summary: `Disconnected @${account.accountUsername}${purge ? `, ${purged} snapshots deleted` : ''}`,
          data: { instagram_business_account_id: account.igUserId, purged_snapshots: purged },
        },
        info,
      );
      return { account, purged };
    });
    this.deps.logger.info({ instagram: { accountId: result.account.id, purge } }, 'Instagram account disconnected');
    return {
      message: INSTAGRAM_MESSAGES.disconnected(result.account.accountUsername, purge ? result.purged : undefined),
      purged_snapshots: result.purged,
    };
  }

  // ------------------------------------------------------------------------------------------------ sync

  /** `POST /instagram/sync` (and `pnpm cims instagram:sync`): today's snapshot of the connected account, now. */
  async sync(): Promise<SyncResult> {
    return this.#sync(await this.#requireConnected());
  }

  /** The stored token in clear; an unreadable one (key gone) needs a reconnect. */
  async #openToken(account: AccountRow): Promise<{ token: string; stale: boolean }> {
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
      await this.#recordFailure(account, apiError, null, null);
      throw apiError;
    }
  }

  /**
   * Reads the counts and stores them as today's snapshot: an upsert on (account, day), so repeated or concurrent
   * syncs leave one row per day. Success clears the last error; a token sealed with an older key is sealed again.
   */
  async #sync(account: AccountRow): Promise<SyncResult> {
    const { graph, time, cipher, logger } = this.deps;
    const { token, stale } = await this.#openToken(account);
    let result: Awaited<ReturnType<GraphClient['user']>>;
    try {
      result = await graph.user(account.igUserId, token);
    } catch (error) {
      if (!(error instanceof GraphApiError)) throw error;
      const apiError = this.#apiError(error, 'use');
      await this.#recordFailure(account, apiError, error.details.graph?.code ?? null, error.details.usage);
      logger.warn(
        { instagram: { accountId: account.id, code: apiError.code, graphCode: error.details.graph?.code ?? null } },
        `Instagram sync failed: ${apiError.detail}`,
      );
      throw apiError;
    }
    const { data, usage } = result;
    const syncedAt = this.#now();
    const day = time.dayOf(syncedAt);
    const username = data.username ?? account.accountUsername;
    await this.#em().transactional(async (em) => {
      const updated = await query(
        em,
        `update instagram_account
            set last_synced_at = ?, account_username = ?, reconnect_required = false, last_error_code = null,
                last_error_message = null, last_error_graph_code = null, last_error_at = null,
                graph_usage = cast(? as jsonb), updated_at = ?
          where id = ? and disconnected_at is null returning id`,
        [syncedAt, username, usageJson(usage), syncedAt, account.id],
      );
      if (updated.length === 0) throw new ApiError('INSTAGRAM_NOT_CONNECTED', NOT_CONNECTED);
      await query(
        em,
        `insert into instagram_snapshot (account_id, snapshot_date, followers_count, following_count, media_count,
           captured_at)
         values (?, ?, ?, ?, ?, ?)
         on conflict (account_id, snapshot_date) do update set followers_count = excluded.followers_count,
           following_count = excluded.following_count, media_count = excluded.media_count,
           captured_at = excluded.captured_at`,
        [account.id, day, data.followers_count, data.follows_count, data.media_count, syncedAt],
      );
      if (stale && account.sealed) {
        // Sealed with an older key: seal it with the current one, unless a new token was stored meanwhile.
        const resealed = cipher.seal(token, tokenContext(account.igUserId));
        await query(
          em,
          `update instagram_account set token_key_id = ?, token_iv = ?, token_tag = ?, token_ciphertext = ?
            where id = ? and token_key_id = ? and token_iv = ?`,
          [
            resealed.keyId,
            resealed.iv,
            resealed.tag,
            resealed.ciphertext,
            account.id,
            account.sealed.keyId,
            account.sealed.iv,
          ],
        );
      }
    });
    logger.info(
      { instagram: { accountId: account.id, snapshotDate: day, followers: data.followers_count } },
      'Instagram snapshot stored',
    );
    return {
      message: INSTAGRAM_MESSAGES.synchronized,
      followers_count: data.followers_count,
      following_count: data.follows_count,
      media_count: data.media_count,
      account_username: username,
      snapshot_date: day,
      synced_at: time.format(syncedAt),
    };
  }

  /**
   * Remembers a failure on the account; `reconnect` also flags it (by default for the failures that need one: a
   * refused token or a missing permission). Only while the account still holds the token that failed: a setup that
   * stored a new token meanwhile is not flagged by a call that was still using the old one.
   */
  async #recordFailure(
    account: AccountRow,
    error: ApiError,
    graphCode: number | null,
    usage: GraphUsage | null,
    reconnect = error.code === 'INSTAGRAM_RECONNECT_REQUIRED',
  ): Promise<void> {
    const now = this.#now();
    await query(
      this.#em(),
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

  /**
   * A Graph API failure as the API reports it. At setup the Graph API judges the caller's token and id (400 when it
   * refuses them); afterwards a refused token needs a reconnect (409). Throttling is 503 with `Retry-After`; anything
   * else upstream is 502.
   */
  #apiError(error: GraphApiError, stage: 'setup' | 'use'): ApiError {
    const graphCode = error.details.graph?.code;
    const extra: Record<string, unknown> = error.details.graph ? { graph_error: error.details.graph } : {};
    const graphMessage = error.details.graph?.message;
    switch (error.failure) {
      case 'token':
        return stage === 'setup'
          ? new ApiError('INSTAGRAM_TOKEN_REJECTED', INSTAGRAM_MESSAGES.tokenRefused(graphMessage), {
              cause: error,
              extra,
            })
          : new ApiError('INSTAGRAM_RECONNECT_REQUIRED', INSTAGRAM_MESSAGES.tokenExpired(graphMessage), {
              cause: error,
              extra,
            });
      case 'permission':
        return stage === 'setup'
          ? new ApiError('INSTAGRAM_TOKEN_REJECTED', INSTAGRAM_MESSAGES.permissionLacking(graphMessage), {
              cause: error,
              extra,
            })
          : new ApiError('INSTAGRAM_RECONNECT_REQUIRED', INSTAGRAM_MESSAGES.permissionRevoked(graphMessage), {
              cause: error,
              extra,
            });
      case 'rate-limited': {
        const seconds = error.details.retryAfterSeconds ?? 60;
        return new ApiError('UPSTREAM_RATE_LIMITED', INSTAGRAM_MESSAGES.throttled(seconds, graphMessage), {
          cause: error,
          extra: { ...extra, retry_after_seconds: seconds },
          headers: { 'Retry-After': String(seconds) },
        });
      }
      case 'unavailable':
        return new ApiError('UPSTREAM_UNAVAILABLE', error.message, { cause: error, extra });
      case 'other':
        if (stage === 'setup' && graphCode === 100) {
          return new ApiError('INSTAGRAM_TOKEN_REJECTED', INSTAGRAM_MESSAGES.accountRefused(graphMessage), {
            cause: error,
            extra,
          });
        }
        return new ApiError('UPSTREAM_UNAVAILABLE', INSTAGRAM_MESSAGES.graphFailed(error.message), {
          cause: error,
          extra,
        });
      default: {
        const unknown: never = error.failure;
        throw new Error(`Unhandled Graph failure ${String(unknown)}`);
      }
    }
  }

  // ------------------------------------------------------------------------------------------------ token renewal

  /**
   * Renews a token that expires within 15 days and is at least a day old (`fb_exchange_token`, with the app
   * credentials). A token past its expiry, or one the Graph API refuses, flags the account for a reconnect; without
   * the app credentials the coming expiry is recorded as the last error.
   */
  async renewToken(): Promise<JobResult> {
    const { graph, cipher, time, logger } = this.deps;
    const account = await this.#connected();
    if (!account) return { outcome: 'skipped', detail: 'No account is connected' };
    if (account.reconnectRequired) return { outcome: 'skipped', detail: 'The account needs a reconnect' };
    const expiresAt = account.tokenExpiresAt;
    if (!expiresAt) return { outcome: 'skipped', detail: 'The token does not expire' };
    const now = this.#now();
    if (expiresAt <= now) {
      const error = new ApiError(
        'INSTAGRAM_RECONNECT_REQUIRED',
        `The Instagram access token expired at ${time.format(expiresAt)}: ${RECONNECT}`,
      );
      await this.#recordFailure(account, error, null, null);
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
      await this.#recordFailure(account, error, null, null, false);
      throw error;
    }
    const { token } = await this.#openToken(account);
    let renewed: Awaited<ReturnType<GraphClient['exchangeToken']>>;
    try {
      renewed = await graph.exchangeToken(token);
    } catch (error) {
      if (!(error instanceof GraphApiError)) throw error;
      const apiError = this.#apiError(error, 'use');
      await this.#recordFailure(account, apiError, error.details.graph?.code ?? null, error.details.usage);
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
      this.#em(),
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

  // ------------------------------------------------------------------------------------------------ jobs

  /** The scheduled sync: skipped when nothing is connected or the account needs a reconnect. */
  async #scheduledSync(retry: boolean): Promise<JobResult> {
    const account = await this.#connected();
    if (!account) return { outcome: 'skipped', detail: 'No account is connected' };
    if (this.#needsReconnect(account)) return { outcome: 'skipped', detail: 'The account needs a reconnect' };
    if (retry && !this.#syncOverdue(account)) {
      return { outcome: 'skipped', detail: "Today's snapshot exists, or the daily sync is not due yet" };
    }
    const result = await this.#sync(account);
    return {
      outcome: 'succeeded',
      detail: `Stored the snapshot of ${result.snapshot_date}: ${result.followers_count} followers`,
    };
  }

  /** The module's jobs: the daily sync, its retry until the day's snapshot exists, and the token renewal. */
  jobs(): ScheduledJob[] {
    const { schedule } = this.deps;
    return [
      { name: INSTAGRAM_JOBS.sync, pattern: schedule.syncCron, run: () => this.#scheduledSync(false) },
      { name: INSTAGRAM_JOBS.syncRetry, pattern: schedule.syncRetryCron, run: () => this.#scheduledSync(true) },
      { name: INSTAGRAM_JOBS.tokenRenewal, pattern: schedule.tokenRenewalCron, run: () => this.renewToken() },
    ];
  }
}
