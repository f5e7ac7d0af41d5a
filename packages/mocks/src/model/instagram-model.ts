import {
  addCalendarDays,
  type FollowerPoint,
  growthOf,
  type HistoryPoint,
  type InstagramAccount,
  type InstagramGrowth,
  type InstagramHistory,
  type InstagramSetupInput,
} from '@cims/contracts';
import type { BusinessTime } from '@cims/contracts/rules';
import { INSTAGRAM_MESSAGES } from '@cims/contracts/rules';
import { FAKE_GRAPH_DEMO } from '../graph/demo-account.js';
import type { FakeGraphApi } from '../graph/fake-graph-api.js';
import { MockApiError } from '../route-handler.js';
import type { MockInstagramAccount, MockInstagramSnapshot, MockState } from '../state.js';
import { callGraph, classify, graphError } from './instagram-graph.js';

/** How long a token is assumed to live when neither the request nor `debug_token` says (Meta's long-lived tokens). */
const ASSUMED_TOKEN_SECONDS = 60 * 86_400;
/** The IG User fields a setup and a sync read. */
const ACCOUNT_FIELDS = 'id,username,followers_count,follows_count,media_count';

/** What `GET /{ig-user-id}` answers with the fields the mocks ask for. */
interface GraphAccountBody {
  id: string;
  username?: string;
  followers_count?: number;
  follows_count?: number;
  media_count?: number;
}

/** What `GET /debug_token` answers. */
interface DebugTokenBody {
  data?: { is_valid?: boolean; expires_at?: number };
}

/** A snapshot to store directly, as tests and QA set-ups give it. */
export interface MockSnapshotInput {
  /** The business day (`YYYY-MM-DD`). */
  date: string;
  followers_count: number;
  /** @default 0 */
  following_count?: number;
  /** @default 0 */
  media_count?: number;
}

/** Options of {@link createInstagramModel}. */
export interface InstagramModelOptions {
  now: () => number;
  time: BusinessTime;
  /** The fake Graph API every Graph call goes to (in process). */
  graph: FakeGraphApi;
}

/**
 * The Instagram follower tracking of the mocks: one connected account at a time, one snapshot per business day, the
 * Graph API's answers (from the fake, in process) mapped to API errors the way the server maps them, and growth from
 * the shared rule `growthOf` of `@cims/contracts`.
 */
export function createInstagramModel(state: MockState, options: InstagramModelOptions) {
  const { now, time, graph } = options;
  const today = () => time.today();

  const connected = (): MockInstagramAccount => {
    const account = state.instagram.account;
    if (!account) {
      throw new MockApiError('INSTAGRAM_NOT_CONNECTED', INSTAGRAM_MESSAGES.notConnected);
    }
    return account;
  };

  const snapshotsOf = (businessId: string): Map<string, MockInstagramSnapshot> => {
    let days = state.instagram.snapshots.get(businessId);
    if (!days) {
      days = new Map();
      state.instagram.snapshots.set(businessId, days);
    }
    return days;
  };

  /**
   * The server's rule: the stored flag (a token or permission failure), or a token past its expiry on the mocks' clock,
   * whether or not a sync has noticed yet.
   */
  const needsReconnect = (account: MockInstagramAccount): boolean =>
    account.reconnect_required || (account.token_expires_at !== null && account.token_expires_at <= now());

  const serveAccount = (account: MockInstagramAccount): InstagramAccount => {
    const reconnect = needsReconnect(account);
    const dates = [...(state.instagram.snapshots.get(account.instagram_business_account_id)?.keys() ?? [])].sort();
    const latest = dates.at(-1) ?? null;
    const at = (ms: number | null) => (ms === null ? null : time.format(ms));
    return {
      id: account.id,
      account_username: account.account_username,
      instagram_business_account_id: account.instagram_business_account_id,
      facebook_page_id: account.facebook_page_id,
      connected_at: time.format(account.connected_at),
      token_expires_at: at(account.token_expires_at),
      token_renewed_at: at(account.token_renewed_at),
      last_synced_at: at(account.last_synced_at),
      last_snapshot_date: latest,
      last_error: account.last_error && { ...account.last_error, at: time.format(account.last_error.at) },
      reconnect_required: reconnect,
      // The mocks pretend a daily scheduler: it runs at the next midnight of the business time zone, and leaves an
      // account that needs a reconnect alone (as the server's does).
      next_sync_at: reconnect ? null : time.format(time.startOf(time.addDays(time.today(), 1))),
    };
  };

  /** When the token expires: as given, else as `debug_token` says (0 = never), else 60 days from now. */
  const tokenExpiry = async (token: string, given: string | undefined): Promise<number | null> => {
    if (given !== undefined) return Date.parse(given);
    const debug = await callGraph<DebugTokenBody>(graph, '/debug_token', {
      input_token: token,
      access_token: `${FAKE_GRAPH_DEMO.appId}|${FAKE_GRAPH_DEMO.appSecret}`,
    });
    if (debug.ok && debug.body.data?.is_valid === true && typeof debug.body.data.expires_at === 'number') {
      return debug.body.data.expires_at === 0 ? null : debug.body.data.expires_at * 1000;
    }
    return now() + ASSUMED_TOKEN_SECONDS * 1000;
  };

  return {
    /** Today in the business time zone (`YYYY-MM-DD`). */
    today,

    /** `GET /instagram/account`. */
    account(): { connected: boolean; account: InstagramAccount | null } {
      const account = state.instagram.account;
      return { connected: account !== null, account: account && serveAccount(account) };
    },

    /** The connected account as served, or null. */
    connectedAccount(): InstagramAccount | null {
      return state.instagram.account && serveAccount(state.instagram.account);
    },

    /**
     * `POST /instagram/setup`: checks the token and id against the Graph API before anything is saved, then connects
     * the account (the same IG User again: new token, history kept, `reconnect_required` cleared; another one replaces
     * it, and the replaced account's history stays).
     */
    async setup(input: Omit<InstagramSetupInput, 'account_username'> & { account_username: string }) {
      const businessId = input.instagram_business_account_id;
      const read = await callGraph<GraphAccountBody>(graph, `/${businessId}`, {
        fields: ACCOUNT_FIELDS,
        access_token: input.access_token,
      });
      if (!read.ok) throw graphError(read.failure, 'setup');
      const expiresAt = await tokenExpiry(input.access_token, input.token_expires_at);
      const current = state.instagram.account;
      // The server's wording: "updated" when the account was connected before (its row kept), else "configured".
      const updated = state.instagram.accountIds.has(businessId);
      const account: MockInstagramAccount =
        current && current.instagram_business_account_id === businessId
          ? current
          : {
              id: state.instagram.accountIds.get(businessId) ?? ++state.sequences.instagramAccount,
              account_username: input.account_username,
              instagram_business_account_id: businessId,
              facebook_page_id: input.facebook_page_id,
              access_token: input.access_token,
              connected_at: now(),
              token_expires_at: null,
              token_renewed_at: null,
              last_synced_at: null,
              last_error: null,
              reconnect_required: false,
            };
      Object.assign(account, {
        account_username: input.account_username,
        facebook_page_id: input.facebook_page_id,
        access_token: input.access_token,
        token_expires_at: expiresAt,
        token_renewed_at: null,
        last_error: null,
        reconnect_required: false,
      });
      state.instagram.accountIds.set(businessId, account.id);
      state.instagram.account = account;
      return {
        message: INSTAGRAM_MESSAGES.setUp(input.account_username, updated),
        account_id: account.id,
        account: serveAccount(account),
      };
    },

    /**
     * `POST /instagram/sync`: reads the counts from the Graph API and stores them as today's snapshot (a later sync the
     * same day replaces it). A failure is recorded as `last_error`; a token or permission failure also sets
     * `reconnect_required`. A success clears both.
     */
    async sync() {
      const account = connected();
      const read = await callGraph<GraphAccountBody>(graph, `/${account.instagram_business_account_id}`, {
        fields: ACCOUNT_FIELDS,
        access_token: account.access_token,
      });
      if (!read.ok) {
        const error = graphError(read.failure, 'use');
        const kind = classify(read.failure);
        account.last_error = {
          code: error.code,
          message: error.detail as string,
          graph_code: read.failure.error?.code ?? null,
          at: now(),
        };
        if (kind === 'token' || kind === 'permission') account.reconnect_required = true;
        throw error;
      }
      const syncedAt = now();
      const snapshot: MockInstagramSnapshot = {
        date: today(),
        followers_count: read.body.followers_count ?? 0,
        following_count: read.body.follows_count ?? 0,
        media_count: read.body.media_count ?? 0,
        captured_at: syncedAt,
      };
      snapshotsOf(account.instagram_business_account_id).set(snapshot.date, snapshot);
      if (read.body.username) account.account_username = read.body.username;
      account.last_synced_at = syncedAt;
      account.last_error = null;
      account.reconnect_required = false;
      return {
        message: INSTAGRAM_MESSAGES.synchronized,
        followers_count: snapshot.followers_count,
        following_count: snapshot.following_count,
        media_count: snapshot.media_count,
        account_username: account.account_username,
        snapshot_date: snapshot.date,
        synced_at: time.format(syncedAt),
      };
    },

    /** `GET /instagram/growth`, by the shared rule. */
    growth(): InstagramGrowth {
      const account = connected();
      const points: FollowerPoint[] = [
        ...(state.instagram.snapshots.get(account.instagram_business_account_id)?.values() ?? []),
      ];
      return growthOf(points);
    },

    /** `GET /instagram/history`: one point per business day up to today; a day without a snapshot has nulls. */
    history(days: number): InstagramHistory {
      const account = connected();
      const stored = state.instagram.snapshots.get(account.instagram_business_account_id) ?? new Map();
      const to = today();
      const from = addCalendarDays(to, -(days - 1));
      const points: HistoryPoint[] = [];
      for (let i = 0; i < days; i += 1) {
        const date = addCalendarDays(from, i);
        const snapshot: MockInstagramSnapshot | undefined = stored.get(date);
        const previous: MockInstagramSnapshot | undefined = stored.get(addCalendarDays(date, -1));
        points.push({
          date,
          followers_count: snapshot?.followers_count ?? null,
          following_count: snapshot?.following_count ?? null,
          media_count: snapshot?.media_count ?? null,
          change: snapshot && previous ? snapshot.followers_count - previous.followers_count : null,
        });
      }
      return { from_date: from, to_date: to, points };
    },

    /** `DELETE /instagram/account`: forgets the token; the snapshots too with `purge`. */
    disconnect(purge: boolean) {
      const account = connected();
      const businessId = account.instagram_business_account_id;
      const purged = purge ? (state.instagram.snapshots.get(businessId)?.size ?? 0) : 0;
      if (purge) {
        // As the server deletes the account's row: connecting it again is a new account with a new id.
        state.instagram.snapshots.delete(businessId);
        state.instagram.accountIds.delete(businessId);
      }
      state.instagram.account = null;
      return {
        message: INSTAGRAM_MESSAGES.disconnected(account.account_username, purge ? purged : undefined),
        purged_snapshots: purged,
      };
    },

    /** Stores snapshots of the connected account directly (a later one for the same day replaces it). */
    addSnapshots(points: readonly MockSnapshotInput[]): void {
      const account = connected();
      const days = snapshotsOf(account.instagram_business_account_id);
      for (const point of points) {
        if (!/^\d{4}-\d{2}-\d{2}$/.test(point.date))
          throw new Error(`A snapshot date is YYYY-MM-DD, got "${point.date}"`);
        days.set(point.date, {
          date: point.date,
          followers_count: point.followers_count,
          following_count: point.following_count ?? 0,
          media_count: point.media_count ?? 0,
          captured_at: time.startOf(point.date).getTime(),
        });
      }
    },

    /** The stored snapshots of the connected account, oldest first (none when no account is connected). */
    snapshots(): MockInstagramSnapshot[] {
      const account = state.instagram.account;
      if (!account) return [];
      const days = state.instagram.snapshots.get(account.instagram_business_account_id);
      return [...(days?.values() ?? [])].sort((a, b) => a.date.localeCompare(b.date));
    },
  };
}

/** The Instagram model of one mock API. */
export type InstagramModel = ReturnType<typeof createInstagramModel>;
