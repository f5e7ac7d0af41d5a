import { GROWTH_WINDOWS, type GrowthWindow, type GrowthWindowKey, type InstagramGrowth } from './instagram.schemas.js';

/** A follower snapshot as the growth rules need it: its business day (`YYYY-MM-DD`) and follower count. */
export interface FollowerPoint {
  date: string;
  followers_count: number;
}

/** The key of a growth window in the response. */
export function growthWindowKey(days: (typeof GROWTH_WINDOWS)[number]): GrowthWindowKey {
  return `last_${days}_days`;
}

/** `date` (`YYYY-MM-DD`) plus `days` calendar days (negative to go back). */
export function addCalendarDays(date: string, days: number): string {
  const time = Date.parse(`${date}T00:00:00Z`) + days * 86_400_000;
  return new Date(time).toISOString().slice(0, 10);
}

/** `growth` as a percentage of `base`, rounded to two decimals; null when `base` is 0. */
export function growthPercentage(growth: number, base: number): number | null {
  if (base === 0) return null;
  return Math.round((growth * 10_000) / base) / 100;
}

/** What {@link growthWindow} compares: a window's length and the snapshots at its ends (`null`: none). */
export interface GrowthWindowInput {
  days: number;
  /** The newest snapshot, where the window ends. */
  latest: FollowerPoint | null;
  /** The last snapshot on or before the window's start. */
  baseline: FollowerPoint | null;
  /** The first snapshot of all, compared with when there is no `baseline`. */
  earliest: FollowerPoint | null;
}

/**
 * One growth window, the rule the server and the mocks share: the window ends at `latest` (the newest snapshot) and
 * starts `days` days before it. It is compared with `baseline`, the last snapshot on or before the start; when there is
 * none (history is shorter than the window) with `earliest`, the first snapshot, and marked incomplete.
 */
export function growthWindow({ days, latest, baseline, earliest }: GrowthWindowInput): GrowthWindow {
  const from = baseline ?? earliest;
  if (!latest || !from) {
    return { days, growth: null, growth_percentage: null, complete: false, from_date: null, from_followers: null };
  }
  const growth = latest.followers_count - from.followers_count;
  return {
    days,
    growth,
    growth_percentage: growthPercentage(growth, from.followers_count),
    complete: baseline !== null,
    from_date: from.date,
    from_followers: from.followers_count,
  };
}

/**
 * The whole `GET /instagram/growth` answer from every snapshot of the account, in any order. The server computes the
 * same from a few indexed rows ({@link growthFromBaselines}); this form is for in-memory stores (the mocks).
 */
export function growthOf(snapshots: readonly FollowerPoint[]): InstagramGrowth {
  const sorted = [...snapshots].sort((a, b) => a.date.localeCompare(b.date));
  const latest = sorted.at(-1) ?? null;
  const baselines = new Map<number, FollowerPoint | null>();
  for (const days of GROWTH_WINDOWS) {
    const start = latest ? addCalendarDays(latest.date, -days) : '';
    baselines.set(days, sorted.findLast((point) => point.date <= start) ?? null);
  }
  return growthFromBaselines(latest, sorted[0] ?? null, baselines);
}

/** The `GET /instagram/growth` answer from the newest and the first snapshot and each window's baseline. */
export function growthFromBaselines(
  latest: FollowerPoint | null,
  earliest: FollowerPoint | null,
  baselines: ReadonlyMap<number, FollowerPoint | null>,
): InstagramGrowth {
  const windows = Object.fromEntries(
    GROWTH_WINDOWS.map((days) => [
      growthWindowKey(days),
      growthWindow({ days, latest, baseline: baselines.get(days) ?? null, earliest }),
    ]),
  ) as Record<GrowthWindowKey, GrowthWindow>;
  return { current_followers: latest?.followers_count ?? null, as_of: latest?.date ?? null, ...windows };
}
