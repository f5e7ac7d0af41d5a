import type { InstagramSyncResultSchema } from '@cims/contracts';
import { INSTAGRAM_MESSAGES } from '@cims/contracts/rules';
import type { z } from 'zod';
import { query, transaction } from '../../db/sql.js';
import { ApiError } from '../../errors.js';
import { type AccountRow, NOT_CONNECTED, tokenContext, usageJson } from './account-row.js';
import { GraphApiError, type GraphClient } from './graph-client.js';
import type { InstagramCore } from './instagram-core.js';

type SyncResult = z.input<typeof InstagramSyncResultSchema>;

/** Today's snapshot of the connected account: read from the Graph API, stored once per business day. */
export class InstagramSyncService {
  constructor(private readonly core: InstagramCore) {}

  /** `POST /instagram/sync` (and `pnpm cims instagram:sync`): today's snapshot of the connected account, now. */
  async sync(): Promise<SyncResult> {
    return this.syncAccount(await this.core.requireConnected());
  }

  /**
   * Reads the counts and stores them as today's snapshot: an upsert on (account, day), so repeated or concurrent
   * syncs leave one row per day. Success clears the last error; a token sealed with an older key is sealed again.
   */
  async syncAccount(account: AccountRow): Promise<SyncResult> {
    const { graph, time, cipher, logger } = this.core.deps;
    const { token, stale } = await this.core.openToken(account);
    let result: Awaited<ReturnType<GraphClient['user']>>;
    try {
      result = await graph.user(account.igUserId, token);
    } catch (error) {
      if (!(error instanceof GraphApiError)) throw error;
      const apiError = await this.core.recordGraphFailure(account, error);
      logger.warn(
        { instagram: { accountId: account.id, code: apiError.code, graphCode: error.details.graph?.code ?? null } },
        `Instagram sync failed: ${apiError.detail}`,
      );
      throw apiError;
    }
    const { data, usage } = result;
    const syncedAt = this.core.now();
    const day = time.dayOf(syncedAt);
    const username = data.username ?? account.accountUsername;
    await transaction(this.core.em(), async (em) => {
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
}
