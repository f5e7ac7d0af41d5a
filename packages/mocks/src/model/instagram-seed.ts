import { addCalendarDays } from '@cims/contracts';
import type { BusinessTime } from '@cims/contracts/rules';
import { INSTAGRAM_MESSAGES } from '@cims/contracts/rules';
import { demoFollowersOn, FAKE_GRAPH_DEMO } from '../graph/demo-account.js';
import type { FakeGraphApi } from '../graph/fake-graph-api.js';
import type { MockInstagramAccount, MockState } from '../state.js';

/** How many days of history the demo account starts with, ending yesterday. */
export const SEEDED_HISTORY_DAYS = 400;
/** Days (counted back from today) the seeded history has no snapshot for, as when a nightly sync failed. */
export const SEEDED_MISSING_DAYS: readonly number[] = [5, 6, 41, 133, 260];
/** The stored token of the `instagram-reconnect-required` scenario: the fake knows it, and it has expired. */
export const EXPIRED_DEMO_TOKEN = 'EAAFakeGraphExpiredDemoToken000000001';

/** What {@link seedInstagram} connects. */
export type InstagramSeed = 'connected' | 'reconnect-required';

/**
 * Connects the demo account (`FAKE_GRAPH_DEMO`) as if it had been tracked for {@link SEEDED_HISTORY_DAYS} days: one
 * snapshot a day from `demoFollowersOn` up to yesterday, but for {@link SEEDED_MISSING_DAYS}. The history is only
 * written when the account has none. With `reconnect-required`, its stored token expired just before today's
 * midnight sync, which failed: the fake Graph API knows the token as expired, and the account shows
 * `reconnect_required` with that error.
 */
export function seedInstagram(
  state: MockState,
  options: { time: BusinessTime; now: () => number; graph: FakeGraphApi; seed: InstagramSeed },
): void {
  const { time, now, graph, seed } = options;
  const businessId = FAKE_GRAPH_DEMO.accountId;
  const todayKey = time.today();
  let days = state.instagram.snapshots.get(businessId);
  if (!days || days.size === 0) {
    days = new Map();
    state.instagram.snapshots.set(businessId, days);
    for (let back = SEEDED_HISTORY_DAYS; back >= 1; back -= 1) {
      if (SEEDED_MISSING_DAYS.includes(back)) continue;
      const date = addCalendarDays(todayKey, -back);
      const counts = demoFollowersOn(date);
      days.set(date, {
        date,
        followers_count: counts.followers_count,
        following_count: counts.follows_count,
        media_count: counts.media_count,
        // The scheduler syncs a few minutes after midnight.
        captured_at: time.startOf(date).getTime() + 5 * 60_000,
      });
    }
  }
  const id = state.instagram.accountIds.get(businessId) ?? ++state.sequences.instagramAccount;
  state.instagram.accountIds.set(businessId, id);
  const dates = [...days.keys()].sort();
  const lastSync = dates.at(-1);
  const account: MockInstagramAccount = {
    id,
    account_username: FAKE_GRAPH_DEMO.username,
    instagram_business_account_id: businessId,
    facebook_page_id: FAKE_GRAPH_DEMO.pageId,
    access_token: FAKE_GRAPH_DEMO.token,
    connected_at: time.startOf(dates[0] ?? todayKey).getTime(),
    token_expires_at: now() + 60 * 86_400_000,
    token_renewed_at: null,
    last_synced_at: lastSync === undefined ? null : (days.get(lastSync)?.captured_at ?? null),
    last_error: null,
    reconnect_required: false,
  };
  if (seed === 'reconnect-required') {
    const midnight = Math.min(time.startOf(todayKey).getTime(), now());
    const expiredAt = Math.floor(midnight / 1000) - 60;
    graph.addToken({ token: EXPIRED_DEMO_TOKEN, accountId: businessId, expiresAt: expiredAt });
    Object.assign(account, {
      access_token: EXPIRED_DEMO_TOKEN,
      token_expires_at: expiredAt * 1000,
      reconnect_required: true,
      last_error: {
        code: 'INSTAGRAM_RECONNECT_REQUIRED',
        message: INSTAGRAM_MESSAGES.tokenExpired('Error validating access token: Session has expired'),
        graph_code: 190,
        at: midnight,
      },
    });
  }
  state.instagram.account = account;
}
