import { COMMON_MESSAGES } from '@cims/contracts/rules';
import { MockApiError } from '../route-handler.js';
import type { MockState } from '../state.js';

export const DAY_SECONDS = 24 * 60 * 60;

/** One limit an event counts against, as the server's limiter takes it: key, most events per window, the window. */
export interface Limit {
  key: string;
  max: number;
  windowSeconds?: number;
}

/**
 * The reference server's per-account limiter over the mocks' state and clock: fixed windows aligned to the epoch
 * (a 15-minute window starts at :00, :15, :30, :45; a day at midnight UTC), one counter per key and window.
 */
export function createRateLimiter(state: MockState, now: () => number, windowSeconds: number) {
  function window(at: number, seconds: number): { start: number; retryAfter: number } {
    const size = seconds * 1000;
    const start = Math.floor(at / size) * size;
    return { start, retryAfter: Math.max(1, Math.ceil((start + size - at) / 1000)) };
  }

  /** The counter of `key` in the window starting at `start` (a new window starts at 0). */
  function counter(key: string, start: number) {
    let found = state.rateLimits.get(key);
    if (!found || found.windowStart !== start) {
      found = { windowStart: start, count: 0 };
      state.rateLimits.set(key, found);
    }
    return found;
  }

  /** `429 RATE_LIMITED` with `Retry-After`, as the server's limiter answers. */
  function limited(retryAfter: number): MockApiError {
    return new MockApiError('RATE_LIMITED', COMMON_MESSAGES.tooManyAttempts, {
      'Retry-After': String(retryAfter),
    });
  }

  return {
    /** Counts one event for `key`; throws `429` once the window holds more than `max`. */
    hit({ key, max, windowSeconds: seconds = windowSeconds }: Limit): void {
      const { start, retryAfter } = window(now(), seconds);
      const found = counter(key, start);
      found.count++;
      if (found.count > max) throw limited(retryAfter);
    },

    /**
     * Takes one of `max` slots of `key` in this window, or throws `429` when none is left. Returns a function that
     * gives the slot back (for an attempt that succeeded): only failures use the budget.
     */
    reserve({ key, max, windowSeconds: seconds = windowSeconds }: Limit): () => void {
      const { start, retryAfter } = window(now(), seconds);
      const found = counter(key, start);
      if (found.count >= max) throw limited(retryAfter);
      found.count++;
      return () => {
        const current = state.rateLimits.get(key);
        if (current?.windowStart === start && current.count > 0) current.count--;
      };
    },
  };
}

/** The per-account limiter of one mock API. */
export type RateLimiter = ReturnType<typeof createRateLimiter>;
