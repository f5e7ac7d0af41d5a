import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-node';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgliteTemplate } from '../../../test/database-template.js';
import { ManualClock } from '../../../test/manual-clock.js';
import { type Database, openDatabase } from '../../db/orm.js';
import { asDate, query } from '../../db/sql.js';
import { startTracing } from '../../tracing.js';
import { type JobResult, Scheduler } from './scheduler.js';

/** Every second. */
const EVERY_SECOND = '* * * * * *';
/** Where the tests' clocks start: a quarter second past a whole second, so the first tick is 750 ms away. */
const START = Date.parse('2026-03-01T08:00:00.250Z');

/** Moves the clock to the next whole second (every instance's tick), then waits until every instance is idle again. */
async function nextTick(clock: ManualClock, instances: Scheduler[]): Promise<void> {
  clock.advance(1_000 - (clock.now() % 1_000));
  await Promise.all(instances.map((scheduler) => scheduler.idle()));
}

// Two schedulers on one ORM stand for two server instances on one database: on PGlite they even share the session,
// so only the claim (`insert … on conflict do nothing returning`) keeps them from running a tick twice.
/** These tests run on PGlite in either pass: the PostgreSQL pass (TEST_DATABASE_URL) would only repeat them. */
const postgresPass = Boolean(process.env.TEST_DATABASE_URL);

describe.skipIf(postgresPass)('Scheduler on PGlite: two instances on one database', () => {
  let db: Database;
  const logger = pino({ level: 'silent' });

  beforeAll(async () => {
    // A copy of the migrated template: the schema without running every migration again.
    db = await openDatabase({ kind: 'pglite', loadDataDir: await pgliteTemplate() });
  });

  afterAll(async () => {
    await db?.close();
  });

  /** Two instances with the same job, as every server instance adds the same jobs. */
  function twoInstances(
    name: string,
    run: (slot: Date) => Promise<JobResult>,
    { clock, onRun }: { clock: ManualClock; onRun?: (job: string, outcome: string) => void },
  ): Scheduler[] {
    return [1, 2].map(() => {
      const scheduler = new Scheduler({ orm: db.orm, logger, timeZone: 'UTC', onRun, clock });
      scheduler.add({ name, pattern: EVERY_SECOND, run });
      return scheduler;
    });
  }

  async function runsOf(job: string) {
    const rows = await query(
      db.orm.em.fork(),
      'select slot, instance, outcome, detail, finished_at from scheduled_job_run where job = ? order by slot',
      [job],
    );
    return rows.map((row) => ({
      slot: asDate(row.slot).toISOString(),
      instance: String(row.instance),
      outcome: row.outcome,
      detail: row.detail,
      finished: row.finished_at !== null,
    }));
  }

  it('runs every tick exactly once and records one succeeded row per tick', async () => {
    const counts = new Map<string, number>();
    const clock = new ManualClock(START);
    const instances = twoInstances(
      'exactly-once',
      async (slot) => {
        const key = slot.toISOString();
        counts.set(key, (counts.get(key) ?? 0) + 1);
        return { outcome: 'succeeded', detail: `ran ${key}` };
      },
      { clock },
    );
    for (const scheduler of instances) scheduler.start();
    // Both instances' timers fire at each tick, one after the other: both try to claim it.
    for (let tick = 0; tick < 3; tick++) await nextTick(clock, instances);
    await Promise.all(instances.map((scheduler) => scheduler.stop()));

    expect([...counts.keys()]).toEqual([1, 2, 3].map((s) => new Date(START - 250 + s * 1_000).toISOString()));
    expect(
      [...counts.values()].every((n) => n === 1),
      JSON.stringify([...counts]),
    ).toBe(true);
    const runs = await runsOf('exactly-once');
    expect(runs.map((run) => run.slot)).toEqual([...counts.keys()].sort());
    const names = instances.map((scheduler) => scheduler.instance);
    for (const run of runs) {
      expect(run).toMatchObject({ outcome: 'succeeded', detail: `ran ${run.slot}`, finished: true });
      expect(names).toContain(run.instance);
    }
  });

  it('a run that throws is recorded as failed, and the next tick still runs', async () => {
    const counts = new Map<string, number>();
    // What the metrics are told: one outcome per run, by the instance that ran it only.
    const reported: string[] = [];
    const clock = new ManualClock(START);
    const instances = twoInstances(
      'fails-once',
      async (slot) => {
        const key = slot.toISOString();
        counts.set(key, (counts.get(key) ?? 0) + 1);
        if (counts.size === 1) throw new Error('The Graph API is down');
        return { outcome: 'succeeded', detail: 'recovered' };
      },
      { clock, onRun: (job, outcome) => reported.push(`${job}:${outcome}`) },
    );
    for (const scheduler of instances) scheduler.start();
    await nextTick(clock, instances);
    await nextTick(clock, instances);
    await Promise.all(instances.map((scheduler) => scheduler.stop()));

    const runs = await runsOf('fails-once');
    expect(runs).toHaveLength(2);
    expect(runs[0]).toMatchObject({ outcome: 'failed', detail: 'The Graph API is down', finished: true });
    expect(runs[1]).toMatchObject({ outcome: 'succeeded', detail: 'recovered', finished: true });
    expect(runs.map((run) => run.slot)).toEqual([...counts.keys()].sort());
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(reported).toEqual(runs.map((run) => `fails-once:${run.outcome}`));
  });

  it('reaches a tick more than six hours away in steps, and runs it at its time, not before', async () => {
    const clock = new ManualClock(START);
    const slots: string[] = [];
    const scheduler = new Scheduler({ orm: db.orm, logger, timeZone: 'UTC', clock });
    // 07:00 the next day: almost 23 hours after START, beyond one timer's longest wait (6 hours).
    scheduler.add({
      name: 'far-tick',
      pattern: '0 7 * * *',
      run: async (slot) => {
        slots.push(slot.toISOString());
        return { outcome: 'succeeded', detail: 'ran' };
      },
    });
    scheduler.start();
    const tick = Date.parse('2026-03-02T07:00:00.000Z');
    clock.advance(tick - 1 - clock.now());
    await scheduler.idle();
    expect(slots).toEqual([]);
    clock.advance(1);
    await scheduler.idle();
    await scheduler.stop();
    expect(slots).toEqual(['2026-03-02T07:00:00.000Z']);
    expect(await runsOf('far-tick')).toMatchObject([{ slot: '2026-03-02T07:00:00.000Z', outcome: 'succeeded' }]);
  });
});

describe.skipIf(postgresPass)('Scheduler with tracing on', () => {
  it('gives every tick a root span on each instance: the one that ran it, and the one that lost the claim', async () => {
    const logger = pino({ level: 'silent' });
    const exporter = new InMemorySpanExporter();
    const template = await pgliteTemplate();
    // Before the database opens, as the server does: its statements get spans too.
    const tracing = await startTracing({ serviceName: 'scheduler-test', serviceVersion: '0', logger, exporter });
    const db = await openDatabase({ kind: 'pglite', loadDataDir: template });
    try {
      let ticks = 0;
      const clock = new ManualClock(START);
      const instances = [1, 2].map(() => {
        const scheduler = new Scheduler({ orm: db.orm, logger, timeZone: 'UTC', clock });
        scheduler.add({
          name: 'traced-job',
          pattern: EVERY_SECOND,
          run: async () => {
            ticks += 1;
            if (ticks === 1) throw new TypeError('The Graph API is down');
            return { outcome: 'succeeded', detail: 'done' };
          },
        });
        return scheduler;
      });
      for (const scheduler of instances) scheduler.start();
      await nextTick(clock, instances);
      await nextTick(clock, instances);
      await Promise.all(instances.map((scheduler) => scheduler.stop()));

      const runs = exporter.getFinishedSpans().filter((span) => span.name === 'traced-job');
      const bySlot = new Map<string, typeof runs>();
      for (const span of runs) {
        const slot = String(span.attributes['cims.job.slot']);
        bySlot.set(slot, [...(bySlot.get(slot) ?? []), span]);
      }
      expect(bySlot.size).toBe(2);
      const outcomes = [...bySlot.keys()].sort().map((slot) => {
        const spans = bySlot.get(slot) ?? [];
        expect(spans).toHaveLength(2);
        for (const span of spans) expect(span.parentSpanContext).toBeUndefined();
        const lost = spans.find((span) => span.attributes['cims.job.claimed'] === false);
        expect(lost?.attributes['cims.job.outcome']).toBeUndefined();
        const won = spans.find((span) => span.attributes['cims.job.claimed'] === true);
        return {
          outcome: won?.attributes['cims.job.outcome'],
          error: won?.attributes['error.type'],
          status: won?.status.code,
        };
      });
      // SpanStatusCode: 2 is ERROR, 0 is UNSET.
      expect(outcomes.slice(0, 2)).toEqual([
        { outcome: 'failed', error: 'TypeError', status: 2 },
        { outcome: 'succeeded', error: undefined, status: 0 },
      ]);
      // The claim of each tick is a statement under its span.
      const claims = exporter
        .getFinishedSpans()
        .filter((span) => String(span.attributes['db.query.text']).startsWith('insert into scheduled_job_run'));
      const runIds = new Set(runs.map((span) => span.spanContext().spanId));
      expect(claims.length).toBeGreaterThanOrEqual(runs.length);
      expect(claims.every((span) => runIds.has(span.parentSpanContext?.spanId ?? ''))).toBe(true);
    } finally {
      await db.close();
      await tracing.shutdown();
    }
  });
});
