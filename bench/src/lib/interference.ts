import { readdirSync, readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc reports CPU time in these ticks (100 on every common Linux build). */
const TICKS_PER_SECOND = 100;

interface Snapshot {
  at: number;
  /** user + nice + system ticks of the whole machine, and steal (CPU the hypervisor gave to someone else). */
  machineBusy: number;
  steal: number;
  /** user + system ticks of each of the benchmark's own processes and of each PostgreSQL process, by pid. */
  ours: Map<number, number>;
}

function readTicks(pid: number, reapedChildren = false): { comm: string; ticks: number } | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = line.lastIndexOf(')');
    const fields = line.slice(close + 2).split(' ');
    // Fields 14 and 15 of /proc/<pid>/stat (utime, stime), and 16 and 17 (cutime, cstime: the children it has waited
    // for); `fields` starts at field 3.
    const children = reapedChildren ? Number(fields[13]) + Number(fields[14]) : 0;
    return {
      comm: line.slice(line.indexOf('(') + 1, close),
      ticks: Number(fields[11]) + Number(fields[12]) + children,
    };
  } catch {
    return undefined;
  }
}

function snapshot(ourPids: number[], reapedChildren: boolean): Snapshot | undefined {
  try {
    const cpu = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    const ours = new Map<number, number>();
    for (const pid of ourPids) {
      const proc = readTicks(pid, reapedChildren && pid === process.pid);
      // One of ours unreadable would count its CPU time as somebody else's: no answer is better.
      if (!proc) return undefined;
      ours.set(pid, proc.ticks);
    }
    for (const entry of readdirSync('/proc')) {
      const pid = Number(entry);
      if (!Number.isInteger(pid) || ourPids.includes(pid)) continue;
      const other = readTicks(pid);
      if (other?.comm === 'postgres') ours.set(pid, other.ticks);
    }
    return {
      at: performance.now(),
      machineBusy: (cpu[0] ?? 0) + (cpu[1] ?? 0) + (cpu[2] ?? 0),
      steal: cpu[7] ?? 0,
      ours,
    };
  } catch {
    return undefined;
  }
}

/**
 * Watches how much CPU went to OTHER work on the machine (anything but the benchmark's processes and PostgreSQL, plus
 * hypervisor steal) while a phase ran, in cores: on a shared 2-core machine, a phase with 0.5 cores of other load is
 * not comparable with a quiet one. Linux only (undefined elsewhere). Approximate: a PostgreSQL process that is not
 * ours would count as ours, the CPU of a backend that exits during the phase counts as other, and kernel time not
 * charged to any process (softirq) is left out.
 *
 * Options, for a phase that is a whole child process with connections of its own (`import.bench.ts`):
 * - `reapedChildren`: this process's children that exit during the phase count as ours (Linux adds the CPU time of a
 *   child to its parent's once the parent has waited for it). Leave the child's pid out of `ourPids`: it is gone by
 *   the time the phase ends.
 * - `sampleEveryMs`: looks at the processes this often, so that a PostgreSQL backend that exits during the phase (the
 *   child's connection, closed at its end) counts as ours up to its last sample instead of as other load.
 */
export function watchInterference(
  ourPids: number[],
  options: { reapedChildren?: boolean; sampleEveryMs?: number } = {},
): () => number | undefined {
  const reaped = options.reapedChildren ?? false;
  const start = snapshot(ourPids, reaped);
  const lastSeen = new Map<number, number>();
  const sampler = options.sampleEveryMs
    ? setInterval(() => {
        for (const [pid, ticks] of snapshot(ourPids, reaped)?.ours ?? []) lastSeen.set(pid, ticks);
      }, options.sampleEveryMs)
    : undefined;
  sampler?.unref();
  return () => {
    clearInterval(sampler);
    const end = snapshot(ourPids, reaped);
    if (!start || !end) return undefined;
    for (const [pid, ticks] of lastSeen) if (!end.ours.has(pid)) end.ours.set(pid, ticks);
    const seconds = (end.at - start.at) / 1000;
    // Per process: a PostgreSQL backend that exits meanwhile (an idle pool connection closed) must not take its
    // whole history with it, and one that starts meanwhile counts from zero.
    let ours = 0;
    for (const [pid, ticks] of end.ours) ours += ticks - (start.ours.get(pid) ?? 0);
    const others = Math.max(0, end.machineBusy - start.machineBusy - ours);
    return (others + (end.steal - start.steal)) / TICKS_PER_SECOND / seconds;
  };
}
