import { randomBytes } from 'node:crypto';
import { unwrap } from '@cims/sdk';
import { describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../harness.js';
import { ManualClock } from '../manual-clock.js';
import {
  APP_ENV,
  countSnapshots,
  DEMO_SETUP,
  days,
  FAKE_GRAPH_DEMO,
  FAST_GRAPH_ENV,
  instagramWorld,
  sql,
} from './helpers.js';

const READ = `/${FAKE_GRAPH_DEMO.accountId}`;
/** A pattern that does not tick during a test (1 January, 00:00). */
const NEVER = '0 0 1 1 *';

/** The finished runs of a job (a tick still in progress has no outcome yet). */
async function runs(t: Parameters<typeof sql>[0], job: string) {
  return sql(
    t,
    `select slot, instance, outcome, detail from scheduled_job_run where job = ? and outcome is not null order by slot`,
    [job],
  );
}

/**
 * A clock for the app, started now (the database's `now()` and the app's agree within the seconds a test moves it),
 * and a function that brings the next tick of a job on the given apps and waits until each has handled it.
 */
function testClock(): { clock: ManualClock; tick(job: string, ...apps: TestApp[]): Promise<void> } {
  const clock = new ManualClock(Date.now());
  return {
    clock,
    tick: (job, ...apps) =>
      clock.tick(
        job,
        apps.map((app) => app.server.app.context.scheduler),
      ),
  };
}

describe('the daily sync', () => {
  it('runs at the ticks of INSTAGRAM_SYNC_CRON and says when it runs next', async () => {
    const { clock, tick } = testClock();
    await using w = await instagramWorld({
      clock,
      env: { INSTAGRAM_SCHEDULER: 'true', INSTAGRAM_SYNC_CRON: '*/2 * * * * *', INSTAGRAM_SYNC_RETRY_CRON: NEVER },
    });
    // Nothing connected: the ticks are claimed and skipped.
    await tick('instagram-sync', w.t);
    expect((await runs(w.t, 'instagram-sync'))[0]).toMatchObject({
      outcome: 'skipped',
      detail: 'No account is connected',
    });
    expect(w.graphCalls(READ)).toBe(0);

    // The next tick on the app's clock: later than now, at most 2 s away.
    const { account } = unwrap(await w.ceo.instagram.setup({ body: DEMO_SETUP }));
    const next = Date.parse(account.next_sync_at ?? '');
    expect(next).toBeGreaterThan(clock.now());
    expect(next).toBeLessThanOrEqual(clock.now() + 2_000);
    expect(new Date(next).getUTCSeconds() % 2).toBe(0);

    await tick('instagram-sync', w.t);
    expect(await countSnapshots(w.t)).toBe(1);
    const succeeded = (await runs(w.t, 'instagram-sync')).filter((run) => run.outcome === 'succeeded');
    expect(succeeded[0]?.detail).toMatch(new RegExp(`^Stored the snapshot of ${days.today()}: \\d+ followers$`));
    expect(unwrap(await w.ceo.instagram.account()).account?.last_snapshot_date).toBe(days.today());

    // An account that needs a reconnect is left alone, and has no next sync.
    w.fake.graph.useScenario('expired-token');
    expect((await w.ceo.instagram.sync()).status).toBe(409);
    const reads = w.graphCalls(READ);
    expect(unwrap(await w.ceo.instagram.account()).account?.next_sync_at).toBeNull();
    await tick('instagram-sync', w.t);
    expect(w.graphCalls(READ)).toBe(reads);
    const last = (await runs(w.t, 'instagram-sync')).at(-1);
    expect(last).toMatchObject({ outcome: 'skipped', detail: 'The account needs a reconnect' });
  });

  it('is retried (INSTAGRAM_SYNC_RETRY_CRON) until the day has its snapshot, then no more', async () => {
    // The daily tick (midnight) has passed today without a snapshot, as if the server had been down then.
    const { clock, tick } = testClock();
    await using w = await instagramWorld({
      clock,
      env: {
        INSTAGRAM_SCHEDULER: 'true',
        INSTAGRAM_SYNC_CRON: '0 0 * * *',
        INSTAGRAM_SYNC_RETRY_CRON: '* * * * * *',
        INSTAGRAM_TOKEN_RENEWAL_CRON: NEVER,
        GRAPH_API_MAX_ATTEMPTS: '1',
      },
    });
    // Connected with a token the server believes expired, so no retry runs until the Graph API is made to fail.
    unwrap(await w.ceo.instagram.setup({ body: { ...DEMO_SETUP, token_expires_at: '2020-01-01T00:00:00Z' } }));
    w.fake.graph.useScenario('server-error');
    await sql(w.t, "update instagram_account set token_expires_at = now() + interval '30 days'");
    await tick('instagram-sync-retry', w.t);
    const failed = (await runs(w.t, 'instagram-sync-retry')).at(-1);
    expect(failed).toMatchObject({ outcome: 'failed', detail: expect.stringMatching(/Graph API/) });
    expect(unwrap(await w.ceo.instagram.account()).account?.last_error?.code).toBe('UPSTREAM_UNAVAILABLE');
    // Overdue: the next sync is the next retry, within a second.
    const next = Date.parse(unwrap(await w.ceo.instagram.account()).account?.next_sync_at ?? '');
    expect(next - clock.now()).toBeLessThanOrEqual(1_000);

    w.fake.graph.useScenario('healthy');
    await tick('instagram-sync-retry', w.t);
    expect(await countSnapshots(w.t)).toBe(1);
    const retries = await runs(w.t, 'instagram-sync-retry');
    expect(retries.filter((run) => run.outcome === 'succeeded')).toHaveLength(1);
    expect(unwrap(await w.ceo.instagram.account()).account?.last_error).toBeNull();
    const reads = w.graphCalls(READ);
    await tick('instagram-sync-retry', w.t);
    await tick('instagram-sync-retry', w.t);
    expect(w.graphCalls(READ)).toBe(reads);
    expect((await runs(w.t, 'instagram-sync-retry')).at(-1)).toMatchObject({ outcome: 'skipped' });
  });

  it('is not retried before the daily tick of the day has come', async () => {
    const { clock, tick } = testClock();
    await using w = await instagramWorld({
      clock,
      env: {
        INSTAGRAM_SCHEDULER: 'true',
        // The last second of the day: today's tick is still to come.
        INSTAGRAM_SYNC_CRON: '59 59 23 * * *',
        INSTAGRAM_SYNC_RETRY_CRON: '* * * * * *',
      },
    });
    unwrap(await w.ceo.instagram.setup({ body: DEMO_SETUP }));
    await tick('instagram-sync-retry', w.t);
    await tick('instagram-sync-retry', w.t);
    expect(await runs(w.t, 'instagram-sync-retry')).toHaveLength(2);
    expect(await countSnapshots(w.t)).toBe(0);
    expect((await runs(w.t, 'instagram-sync-retry')).at(-1)).toMatchObject({ outcome: 'skipped' });
  });

  it.skipIf(!process.env.TEST_DATABASE_URL)(
    'two instances on one PostgreSQL database run each tick once (skipped on PGlite: only one process may open it)',
    async () => {
      const env = {
        INSTAGRAM_SCHEDULER: 'true',
        INSTAGRAM_SYNC_CRON: '*/2 * * * * *',
        INSTAGRAM_SYNC_RETRY_CRON: NEVER,
        INSTAGRAM_TOKEN_RENEWAL_CRON: NEVER,
        // Both must open the token the other sealed.
        CIMS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        LOG_LEVEL: 'debug',
      };
      // One clock for both: at each tick both instances' timers fire, and both try to claim it.
      const { clock, tick } = testClock();
      await using a = await instagramWorld({ database: 'postgres', env, clock });
      await using b = await createTestApp({
        shareDatabaseWith: a.t,
        clock,
        env: { GRAPH_API_BASE_URL: a.fake.url, ...FAST_GRAPH_ENV, ...APP_ENV, ...env },
      });
      unwrap(await a.ceo.instagram.setup({ body: DEMO_SETUP }));
      const setupReads = a.graphCalls(READ);
      for (let n = 0; n < 4; n++) await tick('instagram-sync', a.t, b);
      await Promise.all([a.t.server.app.context.scheduler.stop(), b.server.app.context.scheduler.stop()]);

      const succeeded = (await runs(a.t, 'instagram-sync')).filter((run) => run.outcome === 'succeeded');
      expect(succeeded).toHaveLength(4);
      // One Graph API read per tick, whichever instance ran it, and one snapshot for the day.
      expect(a.graphCalls(READ) - setupReads).toBe(succeeded.length);
      expect(await countSnapshots(a.t)).toBe(1);
      // Both instances tried every tick: for each tick one ran it, the other found it claimed.
      const instanceOf = new Map([
        [a.t.server.app.context.scheduler.instance, a.t],
        [b.server.app.context.scheduler.instance, b],
      ]);
      const claimedElsewhere = (app: typeof b) =>
        new Set(
          app.logs
            .filter((line) => line.msg === 'Scheduled run claimed by another instance' && line.job === 'instagram-sync')
            .map((line) => String(line.slot)),
        );
      for (const run of succeeded) {
        const ranOn = instanceOf.get(String(run.instance));
        expect(ranOn, 'the run belongs to one of the two instances').toBeDefined();
        const other = ranOn === a.t ? b : a.t;
        const slot = (run.slot instanceof Date ? run.slot : new Date(String(run.slot))).toISOString();
        expect(claimedElsewhere(other).has(slot), `the other instance tried ${slot}`).toBe(true);
      }
    },
  );
});

describe('the token renewal job', () => {
  const renewalEnv = {
    INSTAGRAM_SCHEDULER: 'true',
    INSTAGRAM_TOKEN_RENEWAL_CRON: '* * * * * *',
    INSTAGRAM_SYNC_CRON: NEVER,
    INSTAGRAM_SYNC_RETRY_CRON: NEVER,
  };
  const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString();

  it('renews a token within 15 days of expiry once it is a day old; a refusal flags the account', async () => {
    const { clock, tick } = testClock();
    await using w = await instagramWorld({ env: renewalEnv, clock });
    unwrap(await w.ceo.instagram.setup({ body: { ...DEMO_SETUP, token_expires_at: inDays(10) } }));
    // Less than a day old: left alone.
    await tick('instagram-token-renewal', w.t);
    expect(w.graphCalls('/oauth/access_token')).toBe(0);
    expect((await runs(w.t, 'instagram-token-renewal')).at(-1)?.detail).toBe('The token is less than a day old');
    const [{ token_ciphertext: before } = {}] = await sql(w.t, 'select token_ciphertext from instagram_account');

    await sql(w.t, "update instagram_account set token_issued_at = now() - interval '2 days'");
    await tick('instagram-token-renewal', w.t);
    const renewed = unwrap(await w.ceo.instagram.account()).account;
    expect(Date.parse(renewed?.token_renewed_at ?? '')).toBe(clock.now());
    // The exchanged token lives 60 days from the renewal (expires_in 5 183 944 s).
    expect(Date.parse(renewed?.token_expires_at ?? '')).toBe(clock.now() + 5_183_944_000);
    expect(renewed).toMatchObject({ reconnect_required: false, last_error: null });
    const [{ token_ciphertext: after } = {}] = await sql(w.t, 'select token_ciphertext from instagram_account');
    expect(after).not.toBe(before);
    await tick('instagram-token-renewal', w.t);
    expect(w.graphCalls('/oauth/access_token')).toBe(1);
    const renewals = await runs(w.t, 'instagram-token-renewal');
    expect(renewals.filter((run) => run.outcome === 'succeeded')).toHaveLength(1);
    expect(renewals.at(-1)?.detail).toMatch(/not due yet/);
    // The new token works.
    expect((await w.ceo.instagram.sync()).status).toBe(200);

    // Due again, and the Graph API refuses the token: reconnect required, with the Graph code.
    await sql(
      w.t,
      "update instagram_account set token_expires_at = now() + interval '5 days', token_issued_at = now() - interval '2 days'",
    );
    w.fake.graph.failNext({ status: 400, code: 190, subcode: 463 });
    await tick('instagram-token-renewal', w.t);
    const refused = unwrap(await w.ceo.instagram.account()).account;
    expect(refused?.reconnect_required).toBe(true);
    expect(refused?.last_error).toMatchObject({ code: 'INSTAGRAM_RECONNECT_REQUIRED', graph_code: 190 });
    expect(refused?.last_error?.message).toMatch(/^Token renewal failed|expired or was revoked/);
    expect((await runs(w.t, 'instagram-token-renewal')).some((run) => run.outcome === 'failed')).toBe(true);
  });

  it('without app credentials the coming expiry is the last error; an expired token needs a reconnect', async () => {
    const { clock, tick } = testClock();
    await using w = await instagramWorld({ app: false, env: renewalEnv, clock });
    unwrap(await w.ceo.instagram.setup({ body: { ...DEMO_SETUP, token_expires_at: inDays(5) } }));
    await sql(w.t, "update instagram_account set token_issued_at = now() - interval '2 days'");
    await tick('instagram-token-renewal', w.t);
    const warned = unwrap(await w.ceo.instagram.account()).account;
    expect(warned?.reconnect_required).toBe(false);
    expect(warned?.last_error).toMatchObject({ code: 'INSTAGRAM_RECONNECT_REQUIRED', graph_code: null });
    expect(warned?.last_error?.message).toContain('META_APP_ID and META_APP_SECRET are not set');
    expect(w.graphCalls('/oauth/access_token')).toBe(0);

    await sql(w.t, "update instagram_account set token_expires_at = now() - interval '1 minute'");
    await tick('instagram-token-renewal', w.t);
    const account = unwrap(await w.ceo.instagram.account()).account;
    expect(account).toMatchObject({ reconnect_required: true, next_sync_at: null });
    expect(account?.last_error?.message).toMatch(/expired at/);
  });
});
