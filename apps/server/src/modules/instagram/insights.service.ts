import {
  type FollowerPoint,
  GROWTH_WINDOWS,
  growthFromBaselines,
  type InstagramAccountStateSchema,
  type InstagramGrowth,
  type InstagramHistory,
} from '@cims/contracts';
import type { z } from 'zod';
import { asInt, query, type Row } from '../../db/sql.js';
import type { InstagramCore } from './instagram-core.js';

type AccountState = z.input<typeof InstagramAccountStateSchema>;

/**
 * What the CEO reads: the connected account, follower growth and history, each with a few indexed statements over the
 * daily snapshots (one per account and business day).
 */
export class InstagramInsightsService {
  constructor(private readonly core: InstagramCore) {}

  /** `GET /instagram/account`: the connected account without its token, or `connected: false`. */
  async account(): Promise<AccountState> {
    const account = await this.core.connected();
    return account ? { connected: true, account: this.core.view(account) } : { connected: false, account: null };
  }

  /**
   * `GET /instagram/growth`: the newest and the first snapshot and, for each window, the last snapshot on or before
   * its start, in one statement of index lookups (never the whole history); the numbers come from the rule shared
   * with the mocks, {@link growthFromBaselines}.
   */
  async growth(): Promise<InstagramGrowth> {
    const account = await this.core.requireConnected();
    const windows = GROWTH_WINDOWS.map(() => '(cast(? as integer))').join(', ');
    const rows = await query(
      this.core.em(),
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
    const account = await this.core.requireConnected();
    const { time } = this.core.deps;
    const to = time.today();
    const from = time.addDays(to, -(days - 1));
    const rows = await query(
      this.core.em(),
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
}
