/**
 * EXPERIMENT (not the benchmark): compares server builds by CPU per request, which moves less than throughput when
 * other work shares the machine. Each build is a checkout of this repository (a git worktree with its dependencies
 * installed); every one runs as a server child exactly as the CRM benchmark starts it, on the seeded database of
 * `--size` customers, beside the baseline (`crm-baseline.ts` of this checkout). They take turns answering a fixed
 * number of requests of one route at 16 connections, for `--rounds` rounds (the order reversed every other round),
 * and it prints per target the median over the rounds of: the child's CPU per answered request (every thread), the
 * CPU of every `postgres` process of the machine per request (so only meaningful when nothing else uses PostgreSQL),
 * and this process's own CPU per request (the load generator).
 *
 *   pnpm --filter @cims/bench exec tsx --conditions=source src/experiments/compare-builds.ts \
 *     --route=/crm/stats --requests=3000 --rounds=8 --size=100000 \
 *     before=../cims-before after=. [--env=after:BENCH_WITHOUT=request-log]
 *
 * A build named `.` is this checkout. The database must have been seeded (`bench:crm:seed --customers=<size>`).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type Child, startChild } from '../lib/children.js';
import { crmServerEnv, crmSharedEnv } from '../lib/crm-children.js';
import { crmDatabaseUrl, parseCount } from '../lib/crm-seeding.js';
import { cannon } from '../lib/load.js';
import { median } from '../lib/rounds.js';

const HERE = fileURLToPath(new URL('..', import.meta.url));
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    route: { type: 'string', default: '/crm/stats' },
    requests: { type: 'string', default: '3000' },
    rounds: { type: 'string', default: '8' },
    size: { type: 'string', default: '100000' },
    env: { type: 'string', multiple: true, default: [] },
  },
});
const requests = parseCount(String(values.requests));
const rounds = parseCount(String(values.rounds));
const databaseUrl = crmDatabaseUrl(parseCount(String(values.size)));

/** Extra environment per build: `--env=<build>:NAME=value`. */
const extraEnv = new Map<string, Record<string, string>>();
for (const spec of values.env ?? []) {
  const match = /^([^:]+):([A-Z0-9_]+)=(.*)$/.exec(spec);
  if (!match) throw new Error(`--env takes <build>:NAME=value, not ${spec}`);
  const [, build = '', name = '', value = ''] = match;
  extraEnv.set(build, { ...extraEnv.get(build), [name]: value });
}

// The CRM benchmark's settings, so that a build answers as it does there.
const shared = crmSharedEnv(databaseUrl);

interface Target {
  name: string;
  child: Child;
}
const targets: Target[] = [];
const dataDirs: string[] = [];
try {
  for (const spec of positionals) {
    const [name = '', dir = ''] = spec.split('=');
    if (!name || !dir) throw new Error(`A build is <name>=<checkout>, not ${spec}`);
    const entry = path.join(
      dir === '.' ? path.resolve(HERE, '../..') : path.resolve(dir),
      'bench/src/server-process.ts',
    );
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cims-compare-'));
    dataDirs.push(dataDir);
    const child = await startChild(name, entry, {
      ...shared,
      ...crmServerEnv({ dataDir, logLevel: 'warn', bcryptCost: 12 }),
      ...extraEnv.get(name),
    });
    targets.push({ name, child });
  }
  if (targets.length === 0) throw new Error('Name at least one build: <name>=<checkout>');
  targets.push({ name: 'baseline', child: await startChild('baseline', path.join(HERE, 'crm-baseline.ts'), shared) });

  const signedIn = await fetch(`${targets[0]?.child.url}/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: 'sales1@cims.local', password: 'sales-demo-password' }),
  });
  const token = ((await signedIn.json()) as { access_token?: string }).access_token;
  if (!token) throw new Error('Cannot sign in as sales1');
  const headers = { authorization: `Bearer ${token}` };

  const measured = new Map<string, { own: number[]; postgres: number[]; client: number[] }>();
  for (const target of targets) {
    measured.set(target.name, { own: [], postgres: [], client: [] });
    await cannon({ url: target.child.url + values.route, connections: 16, amount: requests / 2, headers });
  }
  for (let round = 0; round < rounds; round++) {
    for (const target of round % 2 === 0 ? targets : [...targets].reverse()) {
      await target.child.resetStats(`round ${round}`);
      const postgresBefore = postgresCpuMs();
      const clientBefore = process.cpuUsage();
      const result = await cannon({ url: target.child.url + values.route, connections: 16, amount: requests, headers });
      const client = process.cpuUsage(clientBefore);
      const stats = await target.child.stats();
      if (result.ok !== requests) throw new Error(`${target.name}: ${result.ok} of ${requests} answered 2xx`);
      const perRequest = (ms: number) => (ms * 1000) / result.ok;
      const series = measured.get(target.name);
      series?.own.push(perRequest(stats.cpuUserMs + stats.cpuSystemMs));
      series?.postgres.push(perRequest(postgresCpuMs() - postgresBefore));
      series?.client.push(perRequest((client.user + client.system) / 1000));
    }
  }
  console.log(`${values.route}, ${requests} requests × ${rounds} rounds per target; CPU µs per request, medians:`);
  console.log(
    `${'target'.padEnd(14)} ${'own'.padStart(6)} ${'postgres'.padStart(9)} ${'client'.padStart(7)}   own per round`,
  );
  for (const [name, series] of measured) {
    const cells = [median(series.own), median(series.postgres), median(series.client)].map((v) => v.toFixed(0));
    console.log(
      `${name.padEnd(14)} ${cells[0]?.padStart(6)} ${cells[1]?.padStart(9)} ${cells[2]?.padStart(7)}   ${series.own.map((v) => v.toFixed(0)).join(' ')}`,
    );
  }
} finally {
  for (const target of targets) await target.child.stop();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
}

/** The CPU time of every `postgres` process of the machine so far, in ms (Linux `/proc`, clock ticks of 10 ms). */
function postgresCpuMs(): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process ended meanwhile.
    }
  }
  return ticks * 10;
}
