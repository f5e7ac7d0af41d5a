import { DateTime } from 'luxon';

/**
 * Calendar arithmetic in the business time zone (the server's `BUSINESS_TIMEZONE`): what "today", "this week" and
 * "the last 7 days" mean for the CRM and Instagram statistics, and the offset returned timestamps carry. The server and
 * the mocks both use this one implementation, so a day, a week and a timestamp are the same on both. Days are `YYYY-MM-DD` strings; instants are Dates.
 * The zone decides which day an instant falls on and when a day starts; counting days is done on the calendar, so a
 * date a zone skipped (Samoa's 2011-12-30) still counts as a day.
 */
export class BusinessTime {
  /**
   * @param zone an IANA zone name (`Asia/Tashkent`); check it with {@link BusinessTime.isZone} first.
   * @param now the clock "today" is read from.
   */
  constructor(
    readonly zone: string,
    readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * The zone's offset and luxon's offset text (`+05:00`, or `Z` for UTC) per UTC day, for the days without an offset
   * change: asking the zone (Intl) costs about 10 µs, and a page of customers formats a hundred timestamps.
   */
  readonly #days = new Map<number, { minutes: number; text: string } | null>();

  /**
   * An instant as ISO-8601 with the business zone's offset, e.g. `2026-11-27T09:30:00.000+05:00`. Total over every
   * instant, so one stored value can never fail a response: where the zone's wall-clock time has no four-digit year
   * (`9999-12-31T23:59:59Z` is in the year 10000 east of UTC) or its offset is not a whole number of minutes (local
   * mean time before standard zones), the same instant is written in UTC; beyond what a four-digit year can write
   * (±Infinity, year 275760) it is written as the nearest end of that range; an invalid Date as the earliest.
   */
  format(instant: Date | number): string {
    const ms = typeof instant === 'number' ? instant : instant.getTime();
    const day = this.#dayOffset(ms);
    if (!day) return this.#formatRare(ms);
    // The wall-clock time is the instant shifted by the offset, written as UTC; then the offset.
    return new Date(ms + day.minutes * 60_000).toISOString().slice(0, 23) + day.text;
  }

  /** {@link format} outside the cached years 1970–9999. */
  #formatRare(ms: number): string {
    if (!(ms >= FIRST_ISO_MS && ms <= LAST_ISO_MS)) {
      return new Date(ms > LAST_ISO_MS ? LAST_ISO_MS : FIRST_ISO_MS).toISOString();
    }
    const local = DateTime.fromMillis(ms, { zone: this.zone });
    if (local.isValid && Number.isInteger(local.offset) && local.year >= 0 && local.year <= 9999) {
      const iso = local.toISO();
      if (iso) return iso;
    }
    return new Date(ms).toISOString();
  }

  /** The offset of the UTC day of `ms`, when it is the same all day and a whole number of minutes; else null. */
  #dayOffset(ms: number): { minutes: number; text: string } | null {
    // Years 1970–9999 only: earlier local mean times have offsets in seconds, later ones longer ISO years.
    if (!(ms >= 0 && ms < 253_402_214_400_000)) return null;
    const key = Math.floor(ms / DAY_MS);
    let day = this.#days.get(key);
    if (day === undefined) {
      const start = DateTime.fromMillis(key * DAY_MS, { zone: this.zone });
      const end = DateTime.fromMillis((key + 1) * DAY_MS - 1, { zone: this.zone });
      const iso = start.toISO();
      day =
        start.offset === end.offset && Number.isInteger(start.offset) && iso
          ? { minutes: start.offset, text: iso.slice(23) }
          : null;
      if (this.#days.size >= 4096) this.#days.clear();
      this.#days.set(key, day);
    }
    return day;
  }

  /** Whether `zone` is an IANA zone name this runtime knows (`Asia/Tashkent` yes, `Mars/Base` no). */
  static isZone(zone: string): boolean {
    return DateTime.now().setZone(zone).isValid;
  }

  /** A nullable instant, formatted. */
  formatOrNull(instant: Date | number | null): string | null {
    return instant === null ? null : this.format(instant);
  }

  /** Reads ISO-8601; a time without an offset is a wall-clock time in the business zone. Undefined when invalid. */
  parse(text: string): Date | undefined {
    const parsed = DateTime.fromISO(text.trim().replace(' ', 'T'), { zone: this.zone });
    return parsed.isValid ? parsed.toJSDate() : undefined;
  }

  /** Today in the business zone. */
  today(): string {
    return this.dayOf(this.now());
  }

  /** The business day an instant falls on. */
  dayOf(instant: Date | number): string {
    const ms = typeof instant === 'number' ? instant : instant.getTime();
    const day = this.#dayOffset(ms);
    if (day) return isoDay(ms + day.minutes * 60_000);
    return DateTime.fromMillis(ms, { zone: this.zone }).toISODate() as string;
  }

  /** The day `days` after `day` (negative: before). */
  addDays(day: string, days: number): string {
    const ms = dayMs(day);
    if (ms !== null && Number.isInteger(days)) {
      const result = ms + days * DAY_MS;
      if (result >= 0 && result < LAST_DAY_MS) return isoDay(result);
    }
    return DateTime.fromISO(day, { zone: this.zone }).plus({ days }).toISODate() as string;
  }

  /** 00:00 of a business day, as an instant. */
  startOf(day: string): Date {
    return DateTime.fromISO(day, { zone: this.zone }).startOf('day').toJSDate();
  }

  /** 00:00 of `from` to 00:00 after `to` (both business days), as ISO instants for `created_at >= ? and < ?`. */
  instants(from: string, to: string): [string, string] {
    return [this.startOf(from).toISOString(), this.startOf(this.addDays(to, 1)).toISOString()];
  }

  /** Monday of the week `day` is in. */
  mondayOf(day: string): string {
    const ms = dayMs(day);
    if (ms !== null && ms >= 7 * DAY_MS) {
      // getUTCDay: 0 is Sunday; Monday is 0 days back, Sunday 6.
      return isoDay(ms - ((new Date(ms).getUTCDay() + 6) % 7) * DAY_MS);
    }
    return DateTime.fromISO(day, { zone: this.zone }).startOf('week').toISODate() as string;
  }

  /** The 1st of the month `day` is in. */
  firstOfMonth(day: string): string {
    if (dayMs(day) !== null) return `${day.slice(0, 8)}01`;
    return DateTime.fromISO(day, { zone: this.zone }).startOf('month').toISODate() as string;
  }

  /** Every day from `from` to `to`, both included. */
  days(from: string, to: string): string[] {
    const out: string[] = [];
    for (let day = from; day <= to; day = this.addDays(day, 1)) out.push(day);
    return out;
  }
}

const DAY_MS = 86_400_000;

/** 10000-01-01T00:00:00Z: from there on, ISO-8601 writes years with a sign and six digits. */
const LAST_DAY_MS = 253_402_300_800_000;

/** 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: the instants ISO-8601 writes with a four-digit year. */
const FIRST_ISO_MS = -62_167_219_200_000;
const LAST_ISO_MS = LAST_DAY_MS - 1;

/**
 * 00:00 UTC of a calendar day written `YYYY-MM-DD` from 1970 on, or null for anything else (another form, or a date
 * that does not exist). A day is a date on the calendar: adding days to it, or finding its week's Monday, needs no
 * time zone, and doing it on UTC midnights is exact and avoids asking Intl for the zone's offsets (about 10 µs each).
 */
function dayMs(day: string): number | null {
  if (day.length !== 10 || day < '1970-01-01') return null;
  const ms = Date.parse(`${day}T00:00:00Z`);
  return Number.isNaN(ms) || isoDay(ms) !== day ? null : ms;
}

/** The UTC date of `ms` as `YYYY-MM-DD` (years 0–9999). */
function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
