import { availableParallelism } from 'node:os';
import bcrypt from 'bcrypt';

/**
 * Password hashing with bcrypt on libuv's thread pool (the async API), so hashing never blocks the event loop — and
 * at most `cores − 1` hashes at a time, so a burst of logins queues up instead of taking every core and every pool
 * thread from the requests that need neither (measured in bench/: without the bound, `GET /auth/me` p99 rose from
 * ~20 ms to ~900 ms while 8 logins ran on 2 cores).
 *
 * Login does the same work for an unknown account by comparing against a hash made once, so response time does not
 * reveal whether an address is registered.
 */
export class Passwords {
  readonly #cost: number;
  readonly #limit = Math.max(1, availableParallelism() - 1);
  #running = 0;
  readonly #waiting: (() => void)[] = [];
  #dummy: Promise<string> | undefined;

  constructor(cost: number) {
    this.#cost = cost;
  }

  hash(password: string): Promise<string> {
    return this.#bounded(() => bcrypt.hash(password, this.#cost));
  }

  verify(password: string, hash: string): Promise<boolean> {
    return this.#bounded(() => bcrypt.compare(password, hash));
  }

  /** Spends the time of one verification, for an account that does not exist. */
  async verifyNothing(password: string): Promise<false> {
    this.#dummy ??= this.hash('cims-no-such-account');
    const dummy = await this.#dummy;
    await this.#bounded(() => bcrypt.compare(password, dummy));
    return false;
  }

  async #bounded<T>(work: () => Promise<T>): Promise<T> {
    // A finishing hash hands its slot straight to the next in line, so no more than #limit ever run.
    if (this.#running >= this.#limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#running++;
    try {
      return await work();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }
}
