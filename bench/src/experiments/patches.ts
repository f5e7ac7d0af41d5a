/**
 * EXPERIMENTS, never on by default: the suspected fixes of the server's latency under login load, applied at runtime
 * to the server's own classes (`BENCH_PATCH=sync-jwt,bcrypt-limit` on the server process), so they can be measured
 * before anyone changes the server. Nothing here is used by the benchmark's normal run.
 *
 * - `sync-jwt`: measured here first, now the server's own `AccessTokens.verify` (accepted and ignored).
 * - `bcrypt-limit`: at most `BENCH_BCRYPT_CONCURRENCY` (default: cores − 1, at least 1) bcrypt operations at once; the
 *   others wait in a queue, so password hashing can never take every core and every pool thread.
 */

import os from 'node:os';
import { Passwords } from '@cims/server/bench';

function patchBcryptLimit(): void {
  const limit = Number(process.env.BENCH_BCRYPT_CONCURRENCY) || Math.max(1, os.availableParallelism() - 1);
  let running = 0;
  const waiting: (() => void)[] = [];
  const limited = async <T>(work: () => Promise<T>): Promise<T> => {
    // A finishing operation hands its slot straight to the next in line, so `running` never exceeds `limit`.
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
  const { hash, verify, verifyNothing } = Passwords.prototype;
  Passwords.prototype.hash = function (this: Passwords, password: string) {
    return limited(() => hash.call(this, password));
  };
  Passwords.prototype.verify = function (this: Passwords, password: string, digest: string) {
    return limited(() => verify.call(this, password, digest));
  };
  Passwords.prototype.verifyNothing = function (this: Passwords, password: string) {
    return limited(() => verifyNothing.call(this, password));
  };
  console.error(`EXPERIMENT: at most ${limit} bcrypt operation(s) at once`);
}

export function applyPatches(names: string[]): void {
  for (const name of names) {
    if (name === 'sync-jwt')
      continue; // Shipped in AccessTokens.verify since 2026-11-27: nothing left to patch.
    else if (name === 'bcrypt-limit') patchBcryptLimit();
    else throw new Error(`BENCH_PATCH: unknown patch ${name}; known: bcrypt-limit (sync-jwt is now the server's own)`);
  }
  console.error(`EXPERIMENT: patched ${names.join(', ')}`);
}
