import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { CEO } from '../auth/helpers.js';
import { serverBuild } from '../cli.js';
import { postgresTemplate } from '../database-template.js';
import { createFreshDatabase } from '../fresh-database.js';
import { startS3Server } from '../s3-server.js';

const serverDir = fileURLToPath(new URL('../..', import.meta.url));
const adminUrl = process.env.TEST_DATABASE_URL;
/** A hang guard only: every wait below ends on a condition (a line printed, a process exited, a response). */
const TIMEOUT = 600_000;

/** One server process: the compiled `server.ts` (test/server-build.ts), as the lifecycle tests run it. */
interface Replica {
  name: string;
  url: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

const READY = /CIMS server ready at (http:\/\/\S+)/;

async function startReplica(name: string, env: Record<string, string>): Promise<Replica> {
  const child = spawn(process.execPath, [serverBuild().server], {
    cwd: serverDir,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const append = (chunk: unknown) => {
    text += String(chunk);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let done = false;
  void exited.then(() => {
    done = true;
  });
  for (;;) {
    const match = text.match(READY);
    if (match?.[1]) return { name, url: match[1], child, output: () => text, exited };
    if (done) throw new Error(`Replica ${name} exited before it was ready:\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Whether a fetch failed before any response: the connection was refused, reset or closed under the request. */
function beforeResponse(error: unknown): boolean {
  const code = (error as { cause?: { code?: string } }).cause?.code;
  return ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET'].includes(code ?? '');
}

/**
 * What a load balancer does in front of the replicas: round robin over those whose `/readyz` answers 200; a request
 * goes to the other replica only when the first one is not ready or its connection failed before any response (so a
 * request that reached a server is never sent twice). Any HTTP response is final.
 */
function balancer(replicas: () => Replica[]) {
  let turn = 0;
  const stats = { rerouted: 0 };
  async function ready(replica: Replica): Promise<boolean> {
    try {
      return (await fetch(`${replica.url}/readyz`)).status === 200;
    } catch (error) {
      if (beforeResponse(error)) return false;
      throw error;
    }
  }
  async function send(pathAndQuery: string, init: RequestInit = {}): Promise<Response> {
    const order = replicas();
    turn += 1;
    const first = turn % order.length;
    const candidates = [...order.slice(first), ...order.slice(0, first)];
    for (const [index, replica] of candidates.entries()) {
      if (index > 0) stats.rerouted += 1;
      if (!(await ready(replica))) continue;
      try {
        return await fetch(`${replica.url}${pathAndQuery}`, init);
      } catch (error) {
        if (!beforeResponse(error)) throw error;
      }
    }
    throw new Error(`No replica could take ${pathAndQuery}`);
  }
  return { send, stats };
}

function loginForm(email: string, password: string): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: email, password, grant_type: 'password' }).toString(),
  };
}

async function json(res: Response): Promise<Record<string, unknown>> {
  const text = await res.text();
  return text ? JSON.parse(text) : {};
}

/** A small but well-formed MP3 (an ID3v2.4 header, then MPEG frames), with a body large enough to be streamed. */
function recording(): Uint8Array<ArrayBuffer> {
  const id3 = [0x49, 0x44, 0x33, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];
  const frame = [0xff, 0xfb, 0x90, 0x64, ...Array(28).fill(0)];
  return new Uint8Array([...id3, ...frame, ...frame, ...Array.from({ length: 50_000 }, (_, i) => i % 251)]);
}

function customerForm(name: string, audio?: Uint8Array<ArrayBuffer>): FormData {
  const form = new FormData();
  form.append('full_name', name);
  form.append('platform', 'telegram');
  form.append('phone_number', `+99890${String(Math.floor(Math.random() * 10_000_000)).padStart(7, '0')}`);
  form.append('status', 'need_to_call');
  if (audio) form.append('audio', new Blob([audio], { type: 'audio/mpeg' }), 'call.mp3');
  return form;
}

/** The `Scheduled run finished` log lines of a process: which instance ran which tick of which job. */
function finishedRuns(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg?: string; job?: string; slot?: string })
    .filter((line) => line.msg === 'Scheduled run finished' || line.msg === 'Scheduled run failed')
    .map((line) => `${line.job} ${line.slot}`);
}

/** Shown in the title when the suite is skipped: why it did not run. */
const SKIPPED = adminUrl
  ? ''
  : ' (skipped: needs PostgreSQL, set TEST_DATABASE_URL; the PostgreSQL pass of CI sets it)';

describe.skipIf(!adminUrl)(`two replicas on one PostgreSQL database and one object store${SKIPPED}`, () => {
  it('share sessions, files, rate limits and scheduled jobs, and restart one at a time without losing a write', {
    timeout: TIMEOUT,
  }, async () => {
    if (!adminUrl) return;
    await using s3 = await startS3Server();
    const database = await createFreshDatabase(adminUrl, 'cims_replicas', {
      template: await postgresTemplate(adminUrl),
    });
    const dirs = [0, 1].map(() => mkdtempSync(path.join(tmpdir(), 'cims-replica-')));
    const running: Replica[] = [];
    try {
      const shared = {
        ...s3.env,
        NODE_ENV: 'test',
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: database.url,
        JWT_SECRET: randomBytes(32).toString('base64url'),
        CIMS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        BCRYPT_COST: '4',
        RATE_LIMIT_ACCOUNT_MAX: '3',
        // Every job ticks every second on both replicas: each tick must still run once.
        INSTAGRAM_SCHEDULER: 'true',
        INSTAGRAM_SYNC_CRON: '* * * * * *',
        INSTAGRAM_SYNC_RETRY_CRON: '* * * * * *',
        INSTAGRAM_TOKEN_RENEWAL_CRON: '* * * * * *',
        // Readiness fails at once on SIGTERM, while the listener still serves for a second.
        SHUTDOWN_DRAIN_MS: '1000',
        DB_LOCK_TIMEOUT_MS: '60000',
        DB_STATEMENT_TIMEOUT_MS: '120000',
        DB_POOL_ACQUIRE_TIMEOUT_MS: '60000',
      };
      const envA = { ...shared, CIMS_DATA_DIR: dirs[0] as string, CIMS_DEMO_DATA: 'true' };
      const envB = { ...shared, CIMS_DATA_DIR: dirs[1] as string, CIMS_DEMO_DATA: 'false' };
      // One after the other: the first seeds the accounts.
      const a = await startReplica('a', envA);
      running.push(a);
      let b = await startReplica('b', envB);
      running.push(b);
      const outputs: string[] = [];

      // A session issued by one replica is refreshed on the other and used on both.
      const issued = await json(await fetch(`${a.url}/auth/login`, loginForm(CEO.email, CEO.password)));
      expect(issued.access_token).toEqual(expect.any(String));
      const refreshed = await fetch(`${b.url}/auth/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: issued.refresh_token }),
      });
      expect(refreshed.status).toBe(200);
      const pair = (await json(refreshed)) as { access_token: string; refresh_token: string };
      const auth = { authorization: `Bearer ${pair.access_token}` };
      for (const replica of [a, b]) {
        const me = await fetch(`${replica.url}/auth/me`, { headers: auth });
        expect(me.status).toBe(200);
        expect(await json(me)).toMatchObject({ email: CEO.email });
      }
      // The rotated one goes on rotating on the first.
      const again = await fetch(`${a.url}/auth/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: pair.refresh_token }),
      });
      expect(again.status).toBe(200);

      // A recording uploaded through one plays through the other, whole and in part.
      const bytes = recording();
      const created = await fetch(`${a.url}/crm/customers`, {
        method: 'POST',
        headers: auth,
        body: customerForm('Replica recording', bytes),
      });
      expect(created.status, `${JSON.stringify(await created.clone().json())}\n${a.output().slice(-2000)}`).toBe(201);
      const { id } = (await json(created)) as { id: number };
      const detail = (await json(await fetch(`${b.url}/crm/detail/${id}`, { headers: auth }))) as {
        audio_url: string;
      };
      const played = await fetch(`${b.url}${detail.audio_url}`);
      expect(played.status).toBe(200);
      expect(new Uint8Array(await played.arrayBuffer())).toEqual(bytes);
      const part = await fetch(`${a.url}${detail.audio_url}`, { headers: { range: 'bytes=40000-40099' } });
      expect(part.status).toBe(206);
      expect(new Uint8Array(await part.arrayBuffer())).toEqual(bytes.slice(40_000, 40_100));

      // Failed sign-ins through both count together: the fourth, on either, is refused by the shared limit.
      const wrong = [];
      for (const replica of [a, b, a, b]) {
        wrong.push((await fetch(`${replica.url}/auth/login`, loginForm('sales1@cims.local', 'wrong-password'))).status);
      }
      expect(wrong).toEqual([401, 401, 401, 429]);

      // A rolling restart of b under a steady load of writes through the balancer.
      const lb = balancer(() => running);
      const acknowledged: string[] = [];
      const failures: string[] = [];
      let stopLoad = false;
      let sequence = 0;
      const worker = async () => {
        while (!stopLoad) {
          sequence += 1;
          const name = `Load ${sequence} ${randomBytes(3).toString('hex')}`;
          const res = await lb.send('/crm/customers', { method: 'POST', headers: auth, body: customerForm(name) });
          const text = await res.text();
          if (res.status === 201) acknowledged.push(name);
          else failures.push(`${res.status} ${text}`);
        }
      };
      const workers = [worker(), worker()];
      const until = async (condition: () => boolean) => {
        while (!condition() && failures.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      };
      await until(() => acknowledged.length >= 10);
      b.child.kill('SIGTERM');
      expect(await b.exited).toBe(0);
      outputs.push(b.output());
      const before = acknowledged.length;
      // While b is away, a keeps taking every write.
      await until(() => acknowledged.length >= before + 5);
      running.splice(running.indexOf(b), 1);
      b = await startReplica('b', { ...envB, PORT: String(new URL(b.url).port) });
      running.push(b);
      const restarted = acknowledged.length;
      await until(() => acknowledged.length >= restarted + 10);
      stopLoad = true;
      await Promise.all(workers);
      expect(failures).toEqual([]);
      expect(lb.stats.rerouted).toBeGreaterThan(0);

      // Every acknowledged write is in the database, once.
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        const rows = await client.query<{ full_name: string; n: string }>(
          'select full_name, count(*) as n from customer where full_name like $1 group by full_name',
          ['Load %'],
        );
        const stored = new Map(rows.rows.map((row) => [row.full_name, Number(row.n)]));
        expect(acknowledged.filter((name) => stored.get(name) !== 1)).toEqual([]);

        // Stop both, so every run they began has finished, then compare the runs with the claims.
        for (const replica of running) replica.child.kill('SIGTERM');
        for (const replica of running) expect(await replica.exited).toBe(0);
        outputs.push(...running.map((replica) => replica.output()));
        running.length = 0;
        const runs = outputs.flatMap(finishedRuns);
        expect(runs.length).toBeGreaterThan(0);
        // No tick ran twice: not on one replica, not on both.
        expect(runs.length).toBe(new Set(runs).size);
        const claims = await client.query<{ n: string }>(
          'select count(*) as n from scheduled_job_run where finished_at is not null',
        );
        expect(Number(claims.rows[0]?.n)).toBe(runs.length);
      } finally {
        await client.end();
      }
    } finally {
      for (const replica of running) {
        if (replica.child.exitCode === null && replica.child.signalCode === null) replica.child.kill('SIGKILL');
      }
      await Promise.all(running.map((replica) => replica.exited));
      await database.drop();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  });
});
