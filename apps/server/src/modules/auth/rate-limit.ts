import type { EntityManager } from '@mikro-orm/postgresql';
import { asInt, query } from '../../db/sql.js';
import { ApiError } from '../../errors.js';

/**
 * Fixed-window counters in the database, so every server instance on it enforces one limit. Each hit is one atomic
 * upsert (`INSERT … ON CONFLICT DO UPDATE … RETURNING`): no read-then-write race.
 */
export class RateLimiter {
  constructor(readonly windowSeconds: number) {}

  #window(now: Date): { start: Date; retryAfter: number } {
    const size = this.windowSeconds * 1000;
    const start = Math.floor(now.getTime() / size) * size;
    return { start: new Date(start), retryAfter: Math.max(1, Math.ceil((start + size - now.getTime()) / 1000)) };
  }

  #limited(retryAfter: number): ApiError {
    return new ApiError('RATE_LIMITED', 'Too many attempts; try again later', {
      headers: { 'Retry-After': String(retryAfter) },
    });
  }

  /** Counts one event for `key`; throws `429 RATE_LIMITED` once the window holds more than `max`. */
  async hit(em: EntityManager, key: string, max: number, now = new Date()): Promise<void> {
    const { start, retryAfter } = this.#window(now);
    const [row] = await query(
      em,
      `insert into rate_limit_hit (key, window_start, count) values (?, ?, 1)
       on conflict (key, window_start) do update set count = rate_limit_hit.count + 1
       returning count`,
      [key, start],
    );
    if (asInt(row?.count) > max) throw this.#limited(retryAfter);
  }

  /** Throws `429` when `key` already reached `max` in this window, without counting. */
  async check(em: EntityManager, key: string, max: number, now = new Date()): Promise<void> {
    const { start, retryAfter } = this.#window(now);
    const [row] = await query(em, 'select count from rate_limit_hit where key = ? and window_start = ?', [key, start]);
    if (row && asInt(row.count) >= max) throw this.#limited(retryAfter);
  }

  /** Deletes windows that ended; run by the housekeeping job. */
  async purge(em: EntityManager, now = new Date()): Promise<void> {
    await query(em, 'delete from rate_limit_hit where window_start < ?', [
      new Date(now.getTime() - this.windowSeconds * 1000),
    ]);
  }
}
