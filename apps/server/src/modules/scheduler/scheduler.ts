import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { Orm } from '../../db/orm.js';
import { query } from '../../db/sql.js';
import type { SchedulerRunOutcome } from '../../metrics.js';
import { type RootSpan, tracedRoot } from '../../tracing.js';

/** What a job reports when it ends without throwing (a thrown error is recorded as `failed`). */
export interface JobResult {
  outcome: 'succeeded' | 'skipped';
  /** For people: what was done, or why nothing was. Never a secret. */
  detail: string;
}

/** A job run at the ticks of a cron pattern, by exactly one of the instances sharing the database. */
export interface ScheduledJob {
  /** Stable name; part of the claim's key. */
  name: string;
  /** Cron pattern (5 fields, or 6 with seconds first), read in the scheduler's time zone. */
  pattern: string;
  run(slot: Date): Promise<JobResult>;
}

/** Ticks further away are reached in steps (timers hold at most ~24.8 days). */
const MAX_TIMER_MS = 6 * 60 * 60 * 1000;
/** How long finished runs are kept in `scheduled_job_run`. */
const KEEP_RUNS_MS = 30 * 24 * 60 * 60 * 1000;

/** A timer armed by a {@link SchedulerClock}. */
export interface SchedulerTimer {
  cancel(): void;
}

/**
 * Where the scheduler reads the time and arms its timers: the system clock by default; a test passes one it moves
 * itself, so that a tick comes when the test says and not a second later.
 */
export interface SchedulerClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `callback` once, `ms` from now; never keeps the process alive on its own. */
  setTimer(callback: () => void, ms: number): SchedulerTimer;
}

/** The system clock: `Date.now` and unref'd timers (the HTTP server or the CLI decides when the process ends). */
export const SYSTEM_CLOCK: SchedulerClock = {
  now: () => Date.now(),
  setTimer(callback, ms) {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
};

interface JobState {
  job: ScheduledJob;
  cron: Cron;
  timer?: SchedulerTimer;
  next?: Date;
}

/**
 * A small cron scheduler for several server instances on one database. croner computes each job's ticks (in the
 * business time zone); at a tick every instance tries to claim it with one atomic statement,
 * `insert into scheduled_job_run … on conflict do nothing returning`, and only the instance that wrote the row runs
 * the job, then records how it ended. This holds on PostgreSQL and on the embedded PGlite (where advisory locks
 * exclude nothing). A job never overlaps itself on one instance: the next tick is armed once a run has finished.
 */
export class Scheduler {
  readonly instance = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  readonly #jobs = new Map<string, JobState>();
  readonly #running = new Set<Promise<void>>();
  readonly #clock: SchedulerClock;
  #started = false;

  constructor(
    private readonly deps: {
      orm: Orm;
      logger: Logger;
      /** IANA zone the patterns are read in. */
      timeZone: string;
      /** Told how each run this instance claimed (or failed to claim) ended: the metrics. */
      onRun?: (job: string, outcome: SchedulerRunOutcome) => void;
      /** @default {@link SYSTEM_CLOCK} */
      clock?: SchedulerClock;
    },
  ) {
    this.#clock = deps.clock ?? SYSTEM_CLOCK;
  }

  /** Adds a job (its pattern is checked at once); it runs from {@link start} on. */
  add(job: ScheduledJob): void {
    if (this.#jobs.has(job.name)) throw new Error(`A job named ${job.name} is already scheduled`);
    const cron = new Cron(job.pattern, { timezone: this.deps.timeZone, mode: '5-or-6-parts' });
    this.#jobs.set(job.name, { job, cron });
    if (this.#started) this.#arm(this.#jobs.get(job.name) as JobState);
  }

  /** Whether the scheduler is running (between {@link start} and {@link stop}). */
  get started(): boolean {
    return this.#started;
  }

  /** Arms every job. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    for (const state of this.#jobs.values()) this.#arm(state);
  }

  /** Stops arming ticks and waits for the runs in progress. */
  async stop(): Promise<void> {
    this.#started = false;
    for (const state of this.#jobs.values()) {
      state.timer?.cancel();
      state.timer = undefined;
      state.next = undefined;
    }
    await this.idle();
  }

  /** Waits until no run is in progress on this instance (a run that ends re-arms its job, but starts nothing). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  /** The next tick of a job after `after` (default now); null when the scheduler is stopped or the job unknown. */
  nextRun(name: string, after: Date = new Date(this.#clock.now())): Date | null {
    const state = this.#jobs.get(name);
    if (!this.#started || !state) return null;
    return state.cron.nextRun(after);
  }

  /** The last tick of a job at or before `before` (default now), running or not; null when it never ticked. */
  previousTick(name: string, before: Date = new Date(this.#clock.now())): Date | null {
    const state = this.#jobs.get(name);
    if (!state) return null;
    // previousRuns looks strictly before its reference.
    return state.cron.previousRuns(1, new Date(before.getTime() + 1))[0] ?? null;
  }

  #arm(state: JobState): void {
    if (!this.#started) return;
    state.next ??= state.cron.nextRun(new Date(this.#clock.now())) ?? undefined;
    const next = state.next;
    if (!next) return;
    const delay = Math.min(Math.max(next.getTime() - this.#clock.now(), 0), MAX_TIMER_MS);
    state.timer = this.#clock.setTimer(() => this.#tick(state), delay);
  }

  #tick(state: JobState): void {
    const slot = state.next;
    if (!this.#started || !slot) return;
    // A timer may fire a little early, or be a step towards a far tick: wait for the tick itself.
    if (this.#clock.now() < slot.getTime()) {
      this.#arm(state);
      return;
    }
    state.next = undefined;
    const run = this.#claimAndRun(state.job, slot).finally(() => {
      this.#running.delete(run);
      this.#arm(state);
    });
    this.#running.add(run);
  }

  /**
   * Each tick is the root span of a trace of its own when tracing is on, named after the job, on every instance:
   * `cims.job.claimed` says whether this one won the claim and ran it, `cims.job.outcome` how its run ended.
   */
  #claimAndRun(job: ScheduledJob, slot: Date): Promise<void> {
    return tracedRoot(job.name, (span) => this.#claimAndRunIn(span, job, slot));
  }

  async #claimAndRunIn(span: RootSpan, job: ScheduledJob, slot: Date): Promise<void> {
    const { logger } = this.deps;
    const log = logger.child({ job: job.name, slot: slot.toISOString() });
    span.setAttributes({ 'cims.job.slot': slot.toISOString() });
    try {
      const claimed = await query(
        this.#em(),
        `insert into scheduled_job_run (job, slot, instance, started_at) values (?, ?, ?, now())
         on conflict do nothing returning job`,
        [job.name, slot.toISOString(), this.instance],
      );
      span.setAttributes({ 'cims.job.claimed': claimed.length > 0 });
      if (claimed.length === 0) {
        log.debug('Scheduled run claimed by another instance');
        return;
      }
    } catch (error) {
      log.error({ err: error }, 'Could not claim a scheduled run');
      span.setAttributes({ 'cims.job.claimed': false, 'cims.job.outcome': 'claim_failed' });
      span.fail(error);
      this.deps.onRun?.(job.name, 'claim_failed');
      return;
    }
    let outcome: 'succeeded' | 'skipped' | 'failed';
    let detail: string;
    try {
      const result = await job.run(slot);
      outcome = result.outcome;
      detail = result.detail;
      log.info({ outcome, detail }, 'Scheduled run finished');
    } catch (error) {
      outcome = 'failed';
      detail = error instanceof Error ? error.message : String(error);
      log.warn({ outcome, detail }, 'Scheduled run failed');
      span.fail(error);
    }
    span.setAttributes({ 'cims.job.outcome': outcome });
    this.deps.onRun?.(job.name, outcome);
    try {
      await query(
        this.#em(),
        'update scheduled_job_run set finished_at = now(), outcome = ?, detail = ? where job = ? and slot = ?',
        [outcome, detail.slice(0, 2000), job.name, slot.toISOString()],
      );
      await query(this.#em(), 'delete from scheduled_job_run where job = ? and slot < ?', [
        job.name,
        new Date(slot.getTime() - KEEP_RUNS_MS).toISOString(),
      ]);
    } catch (error) {
      log.error({ err: error }, 'Could not record a scheduled run');
    }
  }

  #em(): EntityManager {
    return this.deps.orm.em.fork() as EntityManager;
  }
}
