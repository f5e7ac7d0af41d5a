import type { DisconnectResultSchema, InstagramSetupResultSchema, InstagramSetupSchema } from '@cims/contracts';
import { INSTAGRAM_MESSAGES } from '@cims/contracts/rules';
import { UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import type { z } from 'zod';
import { asInt, query, transaction } from '../../db/sql.js';
import { ApiError } from '../../errors.js';
import { writeAudit } from '../audit/audit.js';
import type { RequestScope } from '../auth/caller.js';
import {
  ACCOUNT_SELECT,
  ASSUMED_TOKEN_LIFETIME_MS,
  NOT_CONNECTED,
  toAccountRow,
  tokenContext,
  usageJson,
} from './account-row.js';
import { GraphApiError, type GraphClient, type GraphUsage } from './graph-client.js';
import { graphFailure } from './graph-failures.js';
import type { InstagramCore } from './instagram-core.js';

type SetupInput = z.output<typeof InstagramSetupSchema>;
type SetupResult = z.input<typeof InstagramSetupResultSchema>;
type DisconnectResult = z.input<typeof DisconnectResultSchema>;

/** Connecting the Instagram account (its token checked by the Graph API and stored encrypted) and disconnecting it. */
export class InstagramConnectionService {
  constructor(private readonly core: InstagramCore) {}

  /**
   * `POST /instagram/setup`: the Graph API must accept the token for the account (else 400 and nothing is saved);
   * the token is sealed, its expiry read from `debug_token` (with the app credentials) unless given, else assumed to
   * be 60 days. One transaction disconnects another connected account (keeping its history) and inserts or
   * reconnects this one; the partial unique index on connected accounts settles concurrent setups (the loser retries).
   */
  async setup({ caller, info }: RequestScope, input: SetupInput): Promise<SetupResult> {
    const { graph, cipher, logger } = this.core.deps;
    const igUserId = input.instagram_business_account_id;
    let usage: GraphUsage;
    try {
      ({ usage } = await graph.user(igUserId, input.access_token));
    } catch (error) {
      if (error instanceof GraphApiError) throw graphFailure(error, 'setup');
      throw error;
    }
    const expiresAt = input.token_expires_at
      ? new Date(input.token_expires_at)
      : await this.#expiryOf(input.access_token);
    const sealed = cipher.seal(input.access_token, tokenContext(igUserId));
    const now = this.core.now();

    const { accountId, updated } = await this.#retryOnUnique(() =>
      transaction(this.core.em(), async (em) => {
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
            {
              module: 'instagram',
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
          {
            module: 'instagram',
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
    const [row] = await query(this.core.em(), `${ACCOUNT_SELECT} where a.id = ?`, [accountId]);
    if (!row) throw new ApiError('INSTAGRAM_NOT_CONNECTED', NOT_CONNECTED);
    const account = toAccountRow(row);
    return {
      message: INSTAGRAM_MESSAGES.setUp(input.account_username, updated),
      account_id: accountId,
      account: this.core.view(account),
    };
  }

  /** The token's expiry by `debug_token` (null: never), or 60 days from now without the app credentials. */
  async #expiryOf(token: string): Promise<Date | null> {
    const { graph } = this.core.deps;
    if (!graph.hasAppCredentials) return new Date(this.core.now().getTime() + ASSUMED_TOKEN_LIFETIME_MS);
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
      throw graphFailure(error, 'use');
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

  /** `DELETE /instagram/account`: wipes the token; keeps the snapshots unless `purge`, in one transaction. */
  async disconnect({ caller, info }: RequestScope, purge: boolean): Promise<DisconnectResult> {
    const result = await transaction(this.core.em(), async (em) => {
      const account = await this.core.connected(em, true);
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
          [this.core.now(), this.core.now(), account.id],
        );
      }
      await writeAudit(
        em,
        {
          module: 'instagram',
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
    this.core.deps.logger.info(
      { instagram: { accountId: result.account.id, purge } },
      'Instagram account disconnected',
    );
    return {
      message: INSTAGRAM_MESSAGES.disconnected(result.account.accountUsername, purge ? result.purged : undefined),
      purged_snapshots: result.purged,
    };
  }
}
