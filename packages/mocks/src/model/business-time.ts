import { DateTime } from 'luxon';

/**
 * Calendar arithmetic in the business time zone (the server's `BUSINESS_TIMEZONE`), on the mocks' clock: days, weeks
 * (Monday to Sunday) and months are periods of that zone, and every timestamp is served with its offset.
 */
export function createBusinessTime(zone: string, now: () => number) {
  if (!DateTime.now().setZone(zone).isValid) throw new Error(`Unknown time zone "${zone}" (use an IANA name)`);
  const at = (ms: number) => DateTime.fromMillis(ms, { zone });
  const iso = (ms: number): string => at(ms).toISO() ?? new Date(ms).toISOString();

  return {
    zone,
    at,
    /** ISO-8601 with the zone's offset (`2026-06-01T14:00:00.000+05:00`). */
    iso,
    /** The current time, as {@link iso}. */
    nowIso: () => iso(now()),
    /** `YYYY-MM-DD` of the day `ms` falls on. */
    dayKey: (ms: number): string => at(ms).toISODate() ?? '',
    /** 00:00 today. */
    today: () => at(now()).startOf('day'),
    /** 00:00 of a `YYYY-MM-DD` day (already checked by the contract). */
    day: (date: string) => DateTime.fromISO(date, { zone }).startOf('day'),
    /**
     * A moment typed as ISO-8601 (`T` or a space between date and time): with an offset it is that moment, without
     * one it is read in the business zone. `undefined` when it is no real date (`2026-02-30T10:00`).
     */
    parseMoment(value: string): number | undefined {
      const parsed = DateTime.fromISO(value.trim().replace(' ', 'T'), { zone });
      return parsed.isValid ? parsed.toMillis() : undefined;
    },
  };
}

/** The business time of one mock API. */
export type BusinessTime = ReturnType<typeof createBusinessTime>;
