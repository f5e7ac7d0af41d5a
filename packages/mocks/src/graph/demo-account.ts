/**
 * The demo account every fake Graph API starts with, the app it belongs to, and a long-lived user token for it. The
 * token is valid for 60 days from the fake's start (its clock at creation) and may read only this account.
 */
export const FAKE_GRAPH_DEMO = {
  /** The IG User id of the demo Business account. */
  accountId: '17841400000000001',
  /** The Facebook Page the account is linked to. */
  pageId: '100000000000001',
  username: 'cims.official',
  /** A long-lived user token that may read the demo account, valid 60 days from the fake's start. */
  token: 'EAAFakeGraphDemoToken0000000000000001',
  /** The app the fake expects in `client_id` and in the app token (`{appId}|{appSecret}`) of `debug_token`. */
  appId: 'fake-app-id',
  appSecret: 'fake-app-secret',
} as const;

/** The counts of an IG User the fake serves. */
export interface DemoCounts {
  followers_count: number;
  follows_count: number;
  media_count: number;
}

/** The day the demo trend is measured from. */
const TREND_START = Date.parse('2024-01-01T00:00:00Z');

/** A deterministic number in [0, 1) for a day: the same date always wiggles the same way. */
function noise(day: number, salt: number): number {
  let x = (Math.imul(day ^ salt, 0x9e3779b1) ^ 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d) >>> 0;
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b) >>> 0;
  return ((x ^ (x >>> 16)) >>> 0) / 2 ** 32;
}

/**
 * The demo account's counts on a business day (`YYYY-MM-DD`): a rising follower trend (about 14 a day) with daily
 * wiggles that now and then make a day lose followers, slowly growing follows and media. Deterministic, so seeded
 * history, the fake's current counts and tests agree on every run.
 *
 * @example
 * demoFollowersOn('2026-06-01'); // { followers_count: 19_5xx, follows_count: 3xx, media_count: 3xx }
 */
export function demoFollowersOn(date: string): DemoCounts {
  const time = Date.parse(`${date}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(time)) {
    throw new Error(`demoFollowersOn needs a date as YYYY-MM-DD, got "${date}"`);
  }
  const day = Math.round((time - TREND_START) / 86_400_000);
  const wiggle = Math.round((noise(day, 1) - 0.5) * 60);
  return {
    followers_count: Math.max(0, 10_000 + day * 14 + wiggle),
    follows_count: Math.max(0, 300 + Math.floor(day / 20) + Math.round(noise(day, 2) * 3)),
    media_count: Math.max(0, 120 + Math.floor(day / 4)),
  };
}
