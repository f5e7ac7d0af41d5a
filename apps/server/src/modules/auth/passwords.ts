import bcrypt from 'bcrypt';

/**
 * Password hashing with bcrypt on libuv's thread pool (the async API), so hashing never blocks the event loop.
 * Login does the same work for an unknown account by comparing against a hash made once at start, so response time
 * does not reveal whether an address is registered.
 */
export class Passwords {
  readonly #cost: number;
  #dummy: Promise<string> | undefined;

  constructor(cost: number) {
    this.#cost = cost;
  }

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.#cost);
  }

  verify(password: string, hash: string): Promise<boolean> {
    return bcrypt.compare(password, hash);
  }

  /** Spends the time of one verification, for an account that does not exist. */
  async verifyNothing(password: string): Promise<false> {
    this.#dummy ??= bcrypt.hash('cims-no-such-account', this.#cost);
    await bcrypt.compare(password, await this.#dummy);
    return false;
  }
}
