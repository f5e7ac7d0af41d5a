const numbers = new Intl.NumberFormat('en-US');
const dateTimes = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
const days = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

/** `12,345`, or a dash for an unknown figure. */
export function formatCount(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : numbers.format(value);
}

/** `+1,234` / `−56` / `0`. */
export function formatChange(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  if (value === 0) return '0';
  return `${value > 0 ? '+' : '−'}${numbers.format(Math.abs(value))}`;
}

/** `+1.25 %`. */
export function formatPercent(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return `${value > 0 ? '+' : value < 0 ? '−' : ''}${Math.abs(value).toFixed(2)} %`;
}

/** A timestamp in the reader's time zone: `26 Nov 2026, 09:30`. */
export function formatDateTime(value: string | null | undefined): string {
  return value ? dateTimes.format(new Date(value)) : '—';
}

/** A business day (`YYYY-MM-DD`) as `26 Nov 2026`. */
export function formatDay(value: string | null | undefined): string {
  return value ? days.format(new Date(`${value}T00:00:00Z`)) : '—';
}

/** `Chrome on Linux` from a user-agent string; the raw string when nothing is recognised. */
export function describeDevice(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const browser =
    [
      ['Edg/', 'Edge'],
      ['Firefox/', 'Firefox'],
      ['HeadlessChrome/', 'Headless Chrome'],
      ['Chrome/', 'Chrome'],
      ['Safari/', 'Safari'],
      ['node', 'Node.js'],
    ].find(([marker]) => marker !== undefined && userAgent.includes(marker))?.[1] ?? null;
  const os =
    [
      ['Android', 'Android'],
      ['iPhone', 'iOS'],
      ['iPad', 'iPadOS'],
      ['Windows', 'Windows'],
      ['Mac OS X', 'macOS'],
      ['Linux', 'Linux'],
    ].find(([marker]) => marker !== undefined && userAgent.includes(marker))?.[1] ?? null;
  if (!browser) return userAgent.slice(0, 60);
  return os ? `${browser} on ${os}` : browser;
}
