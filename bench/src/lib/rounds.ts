/**
 * Measured phases and interleaved rounds, for `crm.bench.ts`: the same method as `auth.bench.ts` (which keeps its own
 * copy): a phase resets the measured process's CPU and event-loop counters, runs the load, and records what other
 * work on the machine used meanwhile; a comparison runs the targets in rounds, alternating which one goes first, and
 * sums the rounds.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProcessStats } from './child-stats.js';
import type { Child } from './children.js';
import { watchInterference } from './interference.js';
import type { LoadResult } from './load.js';
import { fixed } from './report.js';

export interface Measured {
  scenario: string;
  target: 'server' | 'baseline';
  load: LoadResult;
  process?: ProcessStats;
  notes?: Record<string, unknown>;
  /** Cores' worth of CPU that OTHER work on the machine used meanwhile (see interference.ts). */
  otherLoadCores?: number;
  /** The rounds this entry sums up. */
  rounds?: Measured[];
}

let phase = 0;

/** Runs one phase of `scenario` against `target`; `ours` are the pids whose CPU is not "other load". */
export async function measure(
  scenario: string,
  target: Child,
  ours: () => number[],
  run: () => Promise<LoadResult>,
  log: (line: string) => void,
): Promise<Measured> {
  const label = `${scenario}-${target.name}-${++phase}`.replace(/[^\w.-]+/g, '_');
  await target.resetStats(label);
  const interference = watchInterference(ours());
  const load = await run();
  const otherLoadCores = interference();
  const stats = await target.stats();
  const bad = load.non2xx + load.errors;
  log(
    `  ${scenario.padEnd(40)} ${target.name.padEnd(8)} ${fixed(load.okPerSecond).padStart(6)} ok/s  ` +
      `p50 ${fixed(load.latencyMs.p50, 1)} ms  p99 ${fixed(load.latencyMs.p99, 1)} ms  ` +
      `other load ${fixed(otherLoadCores ?? Number.NaN, 2)}` +
      (bad > 0 ? `  ${bad} FAILED REQUESTS ${JSON.stringify(load.statusCodes)}` : ''),
  );
  return {
    scenario,
    target: target.name as Measured['target'],
    load,
    process: stats,
    otherLoadCores,
  };
}

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/** Sums rounds of one scenario and target: counts and CPU add up, latency percentiles are the median of the rounds. */
export function aggregate(rounds: Measured[]): Measured {
  const first = rounds[0] as Measured;
  const sum = (pick: (m: Measured) => number) => rounds.reduce((n, m) => n + pick(m), 0);
  const statusCodes: Record<string, number> = {};
  for (const round of rounds) {
    for (const [code, count] of Object.entries(round.load.statusCodes))
      statusCodes[code] = (statusCodes[code] ?? 0) + count;
  }
  const seconds = sum((m) => m.load.seconds);
  const ok = sum((m) => m.load.ok);
  const lat = (key: keyof LoadResult['latencyMs']) => median(rounds.map((m) => m.load.latencyMs[key]));
  const withStats = rounds.filter((m) => m.process);
  return {
    scenario: first.scenario,
    target: first.target,
    load: {
      seconds,
      requests: sum((m) => m.load.requests),
      ok,
      non2xx: sum((m) => m.load.non2xx),
      errors: sum((m) => m.load.errors),
      timeouts: sum((m) => m.load.timeouts),
      okPerSecond: ok / seconds,
      latencyMs: {
        mean: lat('mean'),
        p50: lat('p50'),
        p90: lat('p90'),
        p99: lat('p99'),
        p999: lat('p999'),
        max: Math.max(...rounds.map((m) => m.load.latencyMs.max)),
      },
      statusCodes,
    },
    process:
      withStats.length === rounds.length
        ? {
            wallMs: sum((m) => m.process?.wallMs ?? 0),
            cpuUserMs: sum((m) => m.process?.cpuUserMs ?? 0),
            cpuSystemMs: sum((m) => m.process?.cpuSystemMs ?? 0),
            eventLoopDelayP50Ms: median(rounds.map((m) => m.process?.eventLoopDelayP50Ms ?? 0)),
            eventLoopDelayP99Ms: median(rounds.map((m) => m.process?.eventLoopDelayP99Ms ?? 0)),
            eventLoopDelayMaxMs: Math.max(...rounds.map((m) => m.process?.eventLoopDelayMaxMs ?? 0)),
            rssMb: Math.max(...rounds.map((m) => m.process?.rssMb ?? 0)),
            ...(rounds.every((m) => m.process?.rssPeakMb !== undefined)
              ? {
                  rssStartMb: Math.min(...rounds.map((m) => m.process?.rssStartMb ?? Number.POSITIVE_INFINITY)),
                  rssPeakMb: Math.max(...rounds.map((m) => m.process?.rssPeakMb ?? 0)),
                }
              : {}),
          }
        : undefined,
    otherLoadCores: rounds.every((m) => m.otherLoadCores !== undefined)
      ? sum((m) => (m.otherLoadCores ?? 0) * m.load.seconds) / seconds
      : undefined,
    rounds,
  };
}

/**
 * Measures a scenario on every target in `rounds` rounds, alternating which goes first (baseline, server | server,
 * baseline | …) so that a drift of the machine during the run favours neither; returns the sums per target.
 */
export async function compare(
  targets: Child[],
  rounds: number,
  run: (target: Child) => Promise<Measured>,
): Promise<Map<string, Measured>> {
  const perTarget = new Map<string, Measured[]>();
  for (let round = 0; round < rounds; round++) {
    for (const target of round % 2 === 0 ? targets : [...targets].reverse()) {
      const entry = await run(target);
      perTarget.set(target.name, [...(perTarget.get(target.name) ?? []), entry]);
    }
  }
  return new Map(targets.map((target) => [target.name, aggregate(perTarget.get(target.name) ?? [])]));
}

/** The share of the machine's CPU time that was busy over `ms` (Linux /proc/stat; undefined elsewhere). */
export async function machineBusy(ms: number): Promise<number | undefined> {
  const read = () => {
    try {
      const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
      const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
      return { idle, total: fields.reduce((a, b) => a + b, 0) };
    } catch {
      return undefined;
    }
  };
  const before = read();
  await sleep(ms);
  const after = read();
  if (!before || !after || after.total === before.total) return undefined;
  return 1 - (after.idle - before.idle) / (after.total - before.total);
}

/** CPU time of the measured process per request, in ms. */
export const cpuPerRequest = (m: Measured) =>
  m.process && m.load.requests > 0 ? (m.process.cpuUserMs + m.process.cpuSystemMs) / m.load.requests : Number.NaN;
