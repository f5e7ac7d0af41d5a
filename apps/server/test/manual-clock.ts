import type { Scheduler, SchedulerClock, SchedulerTimer } from '../src/modules/scheduler/scheduler.js';

/**
 * A clock the test moves: timers fire when {@link ManualClock.advance} passes their time, in the order they are due,
 * so a scheduled tick comes at once instead of a second later, and never early or late on a busy machine.
 */
export class ManualClock implements SchedulerClock {
  readonly #timers = new Set<{ at: number; callback: () => void }>();

  /** @param time where the clock starts, in milliseconds since the epoch */
  constructor(private time: number) {}

  now(): number {
    return this.time;
  }

  setTimer(callback: () => void, ms: number): SchedulerTimer {
    const timer = { at: this.time + ms, callback };
    this.#timers.add(timer);
    return { cancel: () => this.#timers.delete(timer) };
  }

  /** Moves the time `ms` forward, firing every timer due on the way at its own time. */
  advance(ms: number): void {
    const to = this.time + ms;
    for (;;) {
      const due = [...this.#timers].filter((timer) => timer.at <= to).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.#timers.delete(due);
      this.time = Math.max(this.time, due.at);
      due.callback();
    }
    this.time = to;
  }

  /**
   * Moves the time to the next tick of `job` and waits until every scheduler given has handled it (each instance's
   * timer fires at that tick: all of them try to claim it).
   */
  async tick(job: string, schedulers: Scheduler[]): Promise<void> {
    const next = schedulers[0]?.nextRun(job, new Date(this.time));
    if (!next) throw new Error(`${job} has no next tick: is the scheduler started?`);
    this.advance(next.getTime() - this.time);
    await Promise.all(schedulers.map((scheduler) => scheduler.idle()));
  }
}
