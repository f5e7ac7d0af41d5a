import { INSTAGRAM_MESSAGES } from '@cims/contracts/rules';
import type { SealedSecret } from '../../crypto/token-cipher.js';
import { asDateOrNull, asInt, type Row } from '../../db/sql.js';
import type { GraphUsage } from './graph-client.js';

export const DAY_MS = 24 * 60 * 60 * 1000;
/** Without `debug_token` or an explicit expiry, a long-lived token is assumed to last this long (Meta's 60 days). */
export const ASSUMED_TOKEN_LIFETIME_MS = 60 * DAY_MS;

export const NOT_CONNECTED = INSTAGRAM_MESSAGES.notConnected;
export const RECONNECT = INSTAGRAM_MESSAGES.reconnect;

/** The connected account as stored. */
export interface AccountRow {
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

export const ACCOUNT_SELECT = `select a.*,
  (select to_char(s.snapshot_date, 'YYYY-MM-DD') from instagram_snapshot s
    where s.account_id = a.id order by s.snapshot_date desc limit 1) as last_snapshot_date
  from instagram_account a`;

/** A row of {@link ACCOUNT_SELECT} as an {@link AccountRow}. */
export function toAccountRow(row: Row): AccountRow {
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

/** The Graph API's usage headers as stored (`graph_usage`), with when they were read. */
export function usageJson(usage: GraphUsage | null): string | null {
  return usage ? JSON.stringify({ ...usage, at: new Date().toISOString() }) : null;
}
