import { isIPv4, isIPv6 } from 'node:net';
import { COMMON_MESSAGES } from '@cims/contracts/rules';
import type { EntityManager } from '@mikro-orm/postgresql';
import { asInt, query } from '../../db/sql.js';
import { ApiError } from '../../errors.js';
import { sha256 } from './crypto.js';

export const DAY_SECONDS = 24 * 60 * 60;

/** `rate_limit_hit.key` is varchar(300); keys are kept well under it. */
export const MAX_KEY_LENGTH = 200;
const KEPT_PREFIX = MAX_KEY_LENGTH - 'sha256:'.length - 64;

/**
 * The stored form of a key: as it is when short, else its start (kept readable for operators) followed by the
 * sha256 of the whole key. Callers build keys from client input (an e-mail address, an IPv6 address) that together
 * can exceed the column, which would fail the request with a 500 instead of counting it.
 */
export function storedKey(key: string): string {
  if (key.length <= MAX_KEY_LENGTH) return key;
  return `${key.slice(0, KEPT_PREFIX)}sha256:${sha256(key)}`;
}

/** The eight 16-bit groups of an IPv6 address (zone dropped, an embedded IPv4 tail as two groups). */
function ipv6Groups(ip: string): number[] {
  let address = ip.split('%')[0] ?? ip;
  const lastColon = address.lastIndexOf(':');
  const tail = address.slice(lastColon + 1);
  if (tail.includes('.')) {
    const [a = 0, b = 0, c = 0, d = 0] = tail.split('.').map(Number);
    address = `${address.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', rest] = address.split('::');
  const first = head ? head.split(':') : [];
  const last = rest ? rest.split(':') : [];
  const groups = rest === undefined ? first : [...first, ...Array(8 - first.length - last.length).fill('0'), ...last];
  return groups.map((group) => Number.parseInt(group, 16));
}

/**
 * The client part of a rate-limit key. One IPv6 subscriber usually holds a whole /64 and can pick any address in it,
 * so an IPv6 address counts as its /64; an IPv4-mapped one (`::ffff:1.2.3.4`) counts as the IPv4 address itself.
 * Only for counting: the session keeps the full address.
 */
export function clientKey(ip: string | null | undefined): string {
  if (!ip) return 'unknown';
  if (isIPv4(ip) || !isIPv6(ip)) return ip;
  const groups = ipv6Groups(ip);
  const [g0, g1, g2, g3, g4, g5, g6 = 0, g7 = 0] = groups;
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0xffff) {
    return `${g6 >> 8}.${g6 & 255}.${g7 >> 8}.${g7 & 255}`;
  }
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}

/**
 * The rule a key counts for, for the metrics: its kind (`login-failed`, `send`, `code-failed`, …), with the action for
 * the per-client limits (`ip:login`). Keys start with names fixed by the code, so the rules are a small, fixed set; the
 * rest of a key (an address, an account) never leaves the database.
 */
export function ruleOf(key: string): string {
  const [kind = '', action = ''] = key.split(':', 2);
  return kind === 'ip' ? `ip:${action}` : kind;
}

/**
 * One limit an event counts against: its key (the rule, then whom it limits: `send:<address>`), the most events a
 * window takes, and the window's length when it is not the limiter's own.
 */
export interface Limit {
  key: string;
  max: number;
  windowSeconds?: number;
}

/**
 * Fixed-window counters in the database, so every server instance on it enforces one limit. Each hit is one atomic
 * upsert (`INSERT … ON CONFLICT DO UPDATE … RETURNING`): no read-then-write race.
 */
export class RateLimiter {
  /**
   * @param windowSeconds the window of {@link hit} (and of {@link reserve} unless it is given another)
   * @param onRefused told the {@link ruleOf} of every key whose limit refused a request (the metrics)
   */
  constructor(
    readonly windowSeconds: number,
    private readonly onRefused: (rule: string) => void = () => {},
  ) {}

  #window(now: Date, windowSeconds: number): { start: Date; retryAfter: number } {
    const size = windowSeconds * 1000;
    const start = Math.floor(now.getTime() / size) * size;
    return { start: new Date(start), retryAfter: Math.max(1, Math.ceil((start + size - now.getTime()) / 1000)) };
  }

  #limited(key: string, retryAfter: number): ApiError {
    this.onRefused(ruleOf(key));
    return new ApiError('RATE_LIMITED', COMMON_MESSAGES.tooManyAttempts, {
      headers: { 'Retry-After': String(retryAfter) },
    });
  }

  /** Counts one event for `key`; throws `429 RATE_LIMITED` once the window holds more than `max`. */
  async hit(em: EntityManager, { key: rawKey, max, windowSeconds = this.windowSeconds }: Limit): Promise<void> {
    const key = storedKey(rawKey);
    const { start, retryAfter } = this.#window(new Date(), windowSeconds);
    const [row] = await query(
      em,
      `insert into rate_limit_hit (key, window_start, window_seconds, count) values (?, ?, ?, 1)
       on conflict (key, window_start) do update set count = rate_limit_hit.count + 1
       returning count`,
      [key, start, windowSeconds],
    );
    if (asInt(row?.count) > max) throw this.#limited(rawKey, retryAfter);
  }

  /**
   * Takes one of `max` slots of `key` in this window, atomically: the row only grows while it is below `max`, so
   * concurrent requests can never take more slots than there are (a read-then-count would let a burst through).
   * Throws `429` when none is left; returns a function that gives the slot back (for an attempt that succeeded).
   */
  async reserve(
    em: EntityManager,
    { key: rawKey, max, windowSeconds = this.windowSeconds }: Limit,
  ): Promise<() => Promise<void>> {
    const key = storedKey(rawKey);
    const { start, retryAfter } = this.#window(new Date(), windowSeconds);
    const [row] = await query(
      em,
      `insert into rate_limit_hit (key, window_start, window_seconds, count) values (?, ?, ?, 1)
       on conflict (key, window_start) do update set count = rate_limit_hit.count + 1
         where rate_limit_hit.count < ?
       returning count`,
      [key, start, windowSeconds, max],
    );
    if (!row) throw this.#limited(rawKey, retryAfter);
    return async () => {
      await query(em, 'update rate_limit_hit set count = count - 1 where key = ? and window_start = ? and count > 0', [
        key,
        start,
      ]);
    };
  }

  /** Deletes windows that ended; run by the housekeeping job. */
  async purge(em: EntityManager): Promise<void> {
    await query(em, 'delete from rate_limit_hit where window_start + make_interval(secs => window_seconds) < now()');
  }
}
