import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import type { ProcessStats } from './child-stats.js';

/** A measured HTTP process (the server or the baseline), started by {@link startChild}. */
export interface Child {
  name: string;
  url: string;
  process: ChildProcess;
  /** Starts a measured phase: resets the process's CPU and event-loop counters (`label` names its CPU profile). */
  resetStats(label?: string): Promise<void>;
  /** CPU and event-loop figures since the last {@link resetStats}. */
  stats(): Promise<ProcessStats>;
  stop(): Promise<void>;
}

function nextMessage<T>(child: ChildProcess, type: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`No '${type}' message from the child within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (message: { type?: string }) => {
      if (message?.type !== type) return;
      cleanup();
      resolve(message as T);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`The child exited (code ${code}) before sending '${type}'`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/**
 * Starts `entry` as a child process under tsx with the `source` condition (exactly how `pnpm cims` runs the server),
 * with an IPC channel; resolves once it reports `ready`. Both measured processes are started by this one function, so
 * they run under the same Node flags and the same environment apart from what `env` sets (`nodeArgs`: extra Node
 * flags for experiments, such as `--cpu-prof`).
 */
export async function startChild(
  name: string,
  entry: string,
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<Child> {
  const child = fork(entry, [], {
    execArgv: ['--conditions=source', '--import', 'tsx', ...nodeArgs],
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const prefix = (chunk: Buffer) =>
    String(chunk)
      .split('\n')
      .filter(Boolean)
      .map((line) => `  [${name}] ${line}\n`)
      .join('');
  child.stdout?.on('data', (chunk: Buffer) => process.stderr.write(prefix(chunk)));
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(prefix(chunk)));
  const { url } = await nextMessage<{ url: string }>(child, 'ready', 120_000);
  return {
    name,
    url,
    process: child,
    async resetStats(label) {
      const done = nextMessage(child, 'stats-reset-done', 10_000);
      child.send({ type: 'stats-reset', label });
      await done;
    },
    async stats() {
      const reply = nextMessage<{ stats: ProcessStats }>(child, 'stats', 10_000);
      child.send({ type: 'stats' });
      return (await reply).stats;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.send({ type: 'stop' });
      const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(kill);
    },
  };
}
