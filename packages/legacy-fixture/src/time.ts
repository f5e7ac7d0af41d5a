/** Tashkent is UTC+5 all year (no DST), so a fixed offset is exact for every date the legacy app stored. */
const TASHKENT_OFFSET_MS = 5 * 60 * 60 * 1000;

/** `YYYY-MM-DD HH:MM:SS` of a Date read in UTC: the legacy "UTC naive" column value. */
export function toNaiveUtc(at: Date): string {
  return at.toISOString().slice(0, 19).replace('T', ' ');
}

/** The Tashkent wall clock of an instant, naive: how the legacy app stored `customer.created_at`. */
export function toNaiveTashkent(at: Date): string {
  return toNaiveUtc(new Date(at.getTime() + TASHKENT_OFFSET_MS));
}

/** The instant (ISO UTC) of a naive Tashkent wall-clock value such as `2026-03-01 00:30:00`. */
export function tashkentNaiveToIso(naive: string): string {
  return new Date(Date.parse(`${naive.replace(' ', 'T')}Z`) - TASHKENT_OFFSET_MS).toISOString();
}

/** The instant (ISO UTC) of a naive UTC value. */
export function utcNaiveToIso(naive: string): string {
  return new Date(Date.parse(`${naive.replace(' ', 'T')}Z`)).toISOString();
}

/** A Date `days` days (may be fractional or negative) after `from`. */
export function addDays(from: Date, days: number): Date {
  return new Date(from.getTime() + days * 24 * 60 * 60 * 1000);
}
