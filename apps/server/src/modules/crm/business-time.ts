import { DateTime } from 'luxon';

/**
 * Calendar arithmetic in the business time zone (`BUSINESS_TIMEZONE`): what "today", "this week" and "the last 7
 * days" mean for the CRM, and the offset returned timestamps carry. Days are `YYYY-MM-DD` strings; instants are Dates.
 */
export class BusinessTime {
  constructor(
    readonly zone: string,
    readonly now: () => Date = () => new Date(),
  ) {}

  /** An instant as ISO-8601 with the business zone's offset, e.g. `2026-11-27T09:30:00.000+05:00`. */
  format(instant: Date): string {
    return DateTime.fromJSDate(instant, { zone: this.zone }).toISO() ?? instant.toISOString();
  }

  /** A nullable instant, formatted. */
  formatOrNull(instant: Date | null): string | null {
    return instant ? this.format(instant) : null;
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
  dayOf(instant: Date): string {
    return DateTime.fromJSDate(instant, { zone: this.zone }).toISODate() as string;
  }

  /** The day `days` after `day` (negative: before). */
  addDays(day: string, days: number): string {
    return DateTime.fromISO(day, { zone: this.zone }).plus({ days }).toISODate() as string;
  }

  /** 00:00 of a business day, as an instant. */
  startOf(day: string): Date {
    return DateTime.fromISO(day, { zone: this.zone }).startOf('day').toJSDate();
  }

  /** Monday of the week `day` is in. */
  mondayOf(day: string): string {
    return DateTime.fromISO(day, { zone: this.zone }).startOf('week').toISODate() as string;
  }

  /** The 1st of the month `day` is in. */
  firstOfMonth(day: string): string {
    return DateTime.fromISO(day, { zone: this.zone }).startOf('month').toISODate() as string;
  }

  /** Every day from `from` to `to`, both included. */
  days(from: string, to: string): string[] {
    const out: string[] = [];
    for (let day = from; day <= to; day = this.addDays(day, 1)) out.push(day);
    return out;
  }
}
