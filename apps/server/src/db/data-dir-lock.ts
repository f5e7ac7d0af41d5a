import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';

/** The embedded database is already used by another live process. */
export class DataDirLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(
      `The data folder ${dir} is in use by another CIMS server (pid ${pid}). ` +
        'Stop it, or start this one with another CIMS_DATA_DIR.',
    );
    this.name = 'DataDirLockedError';
  }
}

/** Who holds a lock: the process id, and what tells this incarnation of that id from an earlier or later one. */
interface Holder {
  pid: number;
  /** The process's start time (clock ticks after boot, from `/proc/<pid>/stat`); absent where there is no `/proc`. */
  start?: string;
  /** The kernel's boot id: a pid and start time only mean something within one boot. */
  boot?: string;
}

/** Folders locked by this process: a second server in the same process is refused like one in another process. */
const heldHere = new Set<string>();

/** A takeover guard older than this was left by a process that died in the middle of one. */
const STALE_GUARD_MS = 30_000;

function readProc(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The start time of a process (field 22 of `/proc/<pid>/stat`, counted after the command name, which may hold spaces). */
function startTimeOf(pid: number | 'self'): string | undefined {
  const stat = readProc(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

function bootId(): string | undefined {
  return readProc('/proc/sys/kernel/random/boot_id')?.trim();
}

function self(): Holder {
  return { pid: process.pid, start: startTimeOf('self'), boot: bootId() };
}

/** A lock file's holder; a bare pid is what servers before this format wrote. Undefined: unreadable (stale). */
function parseHolder(text: string): Holder | undefined {
  if (/^\d+$/.test(text.trim())) return { pid: Number(text.trim()) };
  try {
    const value = JSON.parse(text) as Partial<Holder>;
    if (!Number.isInteger(value.pid)) return undefined;
    return {
      pid: value.pid as number,
      start: typeof value.start === 'string' ? value.start : undefined,
      boot: typeof value.boot === 'string' ? value.boot : undefined,
    };
  } catch {
    return undefined;
  }
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the process that wrote a lock still runs. A pid alone is not enough: after `kill -9` or a crash the next
 * process may get the same pid (always PID 1 in a container), and would then wait forever for itself. So:
 * - our own pid is a live holder only when this process took the lock (it is in {@link heldHere}); otherwise the lock
 *   is an earlier incarnation's;
 * - another boot's lock is stale;
 * - a live pid whose start time differs from the recorded one is another process that got the pid since.
 */
function holderAlive(holder: Holder, dir: string): boolean {
  if (holder.pid === process.pid) return heldHere.has(dir);
  const current = bootId();
  if (holder.boot !== undefined && current !== undefined && holder.boot !== current) return false;
  if (!pidExists(holder.pid)) return false;
  if (holder.start === undefined) return true;
  const start = startTimeOf(holder.pid);
  return start === undefined || start === holder.start;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Replaces a stale lock with ours, under a guard folder (`mkdir` is atomic): without it two servers starting at once
 * could both judge the same dead lock stale, and the second's delete would remove the first's fresh lock.
 *
 * @returns whether the lock is now ours; false when the guard is busy (another server is taking over just now).
 */
function takeOver(file: string, dir: string, mine: string): boolean {
  const guard = `${file}.takeover`;
  try {
    mkdirSync(guard);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const age = Date.now() - (statSafe(guard) ?? Date.now());
    if (age > STALE_GUARD_MS) {
      try {
        rmdirSync(guard);
      } catch {
        // Another server removed it first.
      }
    }
    return false;
  }
  try {
    // Read again under the guard: the lock may have been released, or taken by a server that was faster.
    const text = readProc(file);
    const holder = text === undefined ? undefined : parseHolder(text);
    if (holder && holderAlive(holder, dir)) throw new DataDirLockedError(dir, holder.pid);
    // Written aside and renamed over the old lock: at no moment is there no lock file a `wx` open could win.
    const next = `${file}.${process.pid}.tmp`;
    writeFileSync(next, mine);
    renameSync(next, file);
    return true;
  } finally {
    rmdirSync(guard);
  }
}

function statSafe(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * Takes the data folder for this process. PGlite does not lock its folder and two processes on one folder lose
 * writes, so a second server must refuse to start. A lock whose holder is gone (see {@link holderAlive}) is taken
 * over, so a server restarts after a crash or `kill -9` even with the same pid.
 *
 * @returns a function that releases the lock.
 */
export function lockDataDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const key = path.resolve(dir);
  const file = path.join(dir, 'server.lock');
  const mine = JSON.stringify(self());
  const release = () => {
    heldHere.delete(key);
    try {
      if (readFileSync(file, 'utf8') === mine) unlinkSync(file);
    } catch {
      // Already gone: nothing to release.
    }
  };
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      try {
        writeSync(fd, mine);
      } finally {
        closeSync(fd);
      }
      heldHere.add(key);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const text = readProc(file);
    if (text === undefined) continue; // released in between: try again
    const holder = parseHolder(text);
    if (holder && holderAlive(holder, key)) throw new DataDirLockedError(dir, holder.pid);
    if (takeOver(file, key, mine)) {
      heldHere.add(key);
      return release;
    }
    sleepSync(50);
  }
  throw new Error(`Could not lock the data folder ${dir}: another server keeps taking it over`);
}
