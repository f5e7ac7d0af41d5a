import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

/** What a measured process reports about one phase: CPU time of the whole process (every thread) and its loop lag. */
export interface ProcessStats {
  wallMs: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  eventLoopDelayP50Ms: number;
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  rssMb: number;
  /** The resident memory at the start of the phase (Linux; undefined elsewhere). */
  rssStartMb?: number;
  /** The highest resident memory during the phase: the kernel's peak (`VmHWM`), reset at its start (Linux only). */
  rssPeakMb?: number;
}

/**
 * Resets the kernel's record of this process's peak resident memory (`/proc/self/clear_refs`, value 5) and returns the
 * current resident memory in MB; undefined where that is not available. No sampling: the kernel keeps the peak.
 */
function resetPeakRss(): number | undefined {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return process.memoryUsage.rss() / 2 ** 20;
  } catch {
    return undefined;
  }
}

/** The peak resident memory since {@link resetPeakRss}, in MB (`VmHWM` of `/proc/self/status`). */
function peakRss(): number | undefined {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

/**
 * Answers the benchmark's `stats-reset` / `stats` messages over IPC. Both the server process and the baseline process
 * run this, so both pay the same (tiny) cost of the event-loop-delay histogram.
 */
export function serveProcessStats(): void {
  // If the benchmark dies without stopping us (killed, a closed pipe), do not live on as an orphan.
  process.on('disconnect', () => process.exit(0));
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let cpu = process.cpuUsage();
  let since = performance.now();
  let rssStart: number | undefined;
  // BENCH_PROFILE_DIR (an investigation aid, off by default): a CPU profile of each measured phase, named by its label.
  const profileDir = process.env.BENCH_PROFILE_DIR;
  const profiler = profileDir ? new Session() : undefined;
  profiler?.connect();
  let profiling: string | undefined;
  process.on('message', async (message: { type?: string; label?: string }) => {
    if (message?.type === 'stats-reset') {
      if (profiler && message.label) {
        await profiler.post('Profiler.enable');
        await profiler.post('Profiler.setSamplingInterval', { interval: 250 });
        await profiler.post('Profiler.start');
        profiling = message.label;
      }
      delay.reset();
      rssStart = resetPeakRss();
      cpu = process.cpuUsage();
      since = performance.now();
      process.send?.({ type: 'stats-reset-done' });
    } else if (message?.type === 'stats') {
      if (profiler && profiling && profileDir) {
        const { profile } = await profiler.post('Profiler.stop');
        writeFileSync(path.join(profileDir, `${profiling}.cpuprofile`), JSON.stringify(profile));
        profiling = undefined;
      }
      const used = process.cpuUsage(cpu);
      const stats: ProcessStats = {
        wallMs: performance.now() - since,
        cpuUserMs: used.user / 1000,
        cpuSystemMs: used.system / 1000,
        eventLoopDelayP50Ms: delay.percentile(50) / 1e6,
        eventLoopDelayP99Ms: delay.percentile(99) / 1e6,
        eventLoopDelayMaxMs: delay.max / 1e6,
        rssMb: process.memoryUsage.rss() / 2 ** 20,
        rssStartMb: rssStart,
        rssPeakMb: rssStart === undefined ? undefined : peakRss(),
      };
      process.send?.({ type: 'stats', stats });
    }
  });
}
