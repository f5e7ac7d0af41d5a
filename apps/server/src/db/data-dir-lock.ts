import { randomBytes } from 'node:crypto';
import {
  linkSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';

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

/**
 * How often the holder refreshes its lock by default. A lock that cannot be proven dead is taken over only after
 * {@link STALE_BEATS} beats without a refresh.
 */
export const DEFAULT_LOCK_HEARTBEAT_MS = 5_000;
/** How many heartbeats a holder may miss before its lock counts as abandoned. */
const STALE_BEATS = 3;
/** The longest heartbeat a lock file may declare: keeps the wait for a foreign lock bounded. */
const MAX_HEARTBEAT_MS = 60_000;
/** A takeover guard older than this was left by a process that died in the middle of one. */
const STALE_GUARD_MS = 30_000;

/** Who holds a lock: the process id, and what tells this incarnation of that id from an earlier or later one. */
interface Holder {
  pid: number;
  /** The process's start time (clock ticks after boot, from `/proc/<pid>/stat`); absent where there is no `/proc`. */
  start?: string;
  /** The kernel's boot id: a pid and start time only mean something within one boot. */
  boot?: string;
  /**
   * The pid namespace (`/proc/self/ns/pid`): two containers on one host share the boot id, but a pid (PID 1 in both)
   * only names the same process within one namespace.
   */
  pidns?: string;
  /** How often the holder refreshes the lock's modification time. */
  heartbeatMs?: number;
}

/** Where {@link lockDataDir} reports that it waits for a lock whose holder may be alive elsewhere. */
export interface LockLogger {
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface LockDataDirOptions {
  /**
   * How often the lock is refreshed while held; a lock whose holder cannot be proven dead is taken over after it has
   * not been refreshed for three of these (of the holder's, when it declares a longer one).
   * @default DEFAULT_LOCK_HEARTBEAT_MS
   */
  heartbeatMs?: number;
  logger?: LockLogger;
  /** Waits between looks at a foreign lock (tests pass one that acts between looks). */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The heartbeat thread: refreshes the lock's modification time while the lock is still ours, and reports once when it
 * is not (taken over after this process could not beat for three periods, e.g. while it was stopped).
 */
const HEARTBEAT_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const { file, mine, heartbeatMs } = workerData;
let lost = false;
setInterval(() => {
  let text;
  try { text = fs.readFileSync(file, 'utf8'); } catch {}
  if (text !== mine) {
    if (!lost) parentPort.postMessage('lost');
    lost = true;
    return;
  }
  const now = new Date();
  try { fs.utimesSync(file, now, now); } catch {}
}, heartbeatMs);
`;

/** Folders locked by this process: a second server in the same process is refused like one in another process. */
const heldHere = new Set<string>();

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The start time of a process (field 22 of `/proc/<pid>/stat`, counted after the command name, which may hold spaces). */
function startTimeOf(pid: number | 'self'): string | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

function bootId(): string | undefined {
  return readText('/proc/sys/kernel/random/boot_id')?.trim();
}

function pidNamespace(): string | undefined {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return undefined;
  }
}

function self(heartbeatMs: number): Holder {
  return { pid: process.pid, start: startTimeOf('self'), boot: bootId(), pidns: pidNamespace(), heartbeatMs };
}

/** A lock file's holder; a bare pid is what older servers wrote. Undefined: unreadable (being written, or garbage). */
function parseHolder(text: string): Holder | undefined {
  if (/^\d+$/.test(text.trim())) return { pid: Number(text.trim()) };
  try {
    const value = JSON.parse(text) as Partial<Holder>;
    if (!Number.isInteger(value.pid)) return undefined;
    const optional = (v: unknown) => (typeof v === 'string' ? v : undefined);
    return {
      pid: value.pid as number,
      start: optional(value.start),
      boot: optional(value.boot),
      pidns: optional(value.pidns),
      heartbeatMs:
        Number.isInteger(value.heartbeatMs) && (value.heartbeatMs as number) > 0 ? value.heartbeatMs : undefined,
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
 * What can be proven about a lock's holder from this process. Only within one boot and one pid namespace does a
 * pid name the same process for both of us; there:
 * - our own pid is us: the lock is ours if this process took it, else an earlier incarnation's (after `kill -9`);
 * - a pid that is gone, or now runs a process that started at another time, is dead.
 * Everywhere else (another container on the same volume, another host, a lock without those facts, no `/proc`) a
 * pid proves nothing and only the heartbeat tells.
 */
function judge(holder: Holder, dir: string): 'alive' | 'dead' | 'unknown' {
  const boot = bootId();
  const pidns = pidNamespace();
  if (holder.boot === undefined || holder.pidns === undefined || holder.boot !== boot || holder.pidns !== pidns) {
    return 'unknown';
  }
  if (holder.pid === process.pid) return heldHere.has(dir) ? 'alive' : 'dead';
  if (!pidExists(holder.pid)) return 'dead';
  if (holder.start === undefined) return 'unknown';
  const start = startTimeOf(holder.pid);
  if (start === undefined) return 'unknown';
  return start === holder.start ? 'alive' : 'dead';
}

/** What a look at the lock file saw; any change between two looks means the holder refreshed it (or it changed hands). */
interface Sight {
  text: string;
  signature: string;
}

function look(file: string): Sight | undefined {
  try {
    const stat = statSync(file);
    const text = readFileSync(file, 'utf8');
    return { text, signature: `${stat.ino}:${stat.mtimeMs}:${text}` };
  } catch {
    return undefined;
  }
}

/**
 * Creates the lock file with its whole content in one step: written aside, then hard-linked to its name, which fails
 * with EEXIST when the lock is taken. A plain `open(wx)` + `write` leaves an empty file for a moment, which a server
 * starting at that moment would read as abandoned.
 */
function create(file: string, content: string): boolean {
  const aside = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(aside, content);
  try {
    linkSync(aside, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(aside);
  }
}

/**
 * Replaces an abandoned lock with ours, under a guard folder (`mkdir` is atomic): without it two servers starting at
 * once could both judge the same lock abandoned, and the second's replacement would remove the first's fresh lock.
 *
 * @param seen the lock as it was judged abandoned; if it changed since, it is not replaced.
 * @returns whether the lock is now ours; false when the guard is busy or the lock changed (look again).
 */
function takeOver(file: string, seen: Sight, mine: string): boolean {
  const guard = `${file}.takeover`;
  try {
    mkdirSync(guard);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const age = Date.now() - (mtimeOf(guard) ?? Date.now());
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
    if (look(file)?.signature !== seen.signature) return false;
    // Written aside and renamed over the old lock: at no moment is there no lock file another server could create.
    const next = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    writeFileSync(next, mine);
    renameSync(next, file);
    return true;
  } finally {
    rmdirSync(guard);
  }
}

function mtimeOf(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * Takes the data folder for this process. PGlite does not lock its folder and two processes on one folder corrupt it,
 * so a second server must refuse to start.
 *
 * The holder refreshes the lock's modification time every `heartbeatMs`. A lock whose holder is provably gone (see
 * {@link judge}) is taken over at once; one that cannot be judged (another container on the same volume, where every
 * server is PID 1) is watched for three heartbeats: refreshed, the start is refused; untouched, it is taken over. So a
 * server restarts after a crash or `kill -9` even with the same pid, and two live servers never share a folder.
 *
 * @returns a function that stops the heartbeat and releases the lock.
 */
export async function lockDataDir(dir: string, options: LockDataDirOptions = {}): Promise<() => void> {
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_LOCK_HEARTBEAT_MS;
  const sleep = options.sleep ?? ((ms: number) => delay(ms));
  mkdirSync(dir, { recursive: true });
  const key = path.resolve(dir);
  const file = path.join(dir, 'server.lock');
  const mine = JSON.stringify(self(heartbeatMs));

  const hold = (): (() => void) => {
    heldHere.add(key);
    // The heartbeat runs on a thread of its own: opening the embedded database, migrating and seeding can block the
    // main thread for seconds (about 9 s measured on a busy 2-core machine), and a lock that stops beating while its
    // process is alive would be taken over by a server waiting in another container.
    const beat = new Worker(HEARTBEAT_SOURCE, { eval: true, workerData: { file, mine, heartbeatMs } });
    beat.unref();
    beat.on('message', () => options.logger?.error({ dir }, 'The data folder lock was taken over by another server'));
    beat.on('error', (error) => options.logger?.error({ dir, err: error }, 'The data folder lock heartbeat failed'));
    return () => {
      void beat.terminate();
      heldHere.delete(key);
      try {
        if (readFileSync(file, 'utf8') === mine) unlinkSync(file);
      } catch {
        // Already gone: nothing to release.
      }
    };
  };

  for (let attempt = 0; attempt < 20; attempt++) {
    if (create(file, mine)) return hold();
    const seen = look(file);
    if (seen === undefined) continue; // released in between: try again
    const holder = parseHolder(seen.text);
    // A second server in this process: refused whatever `/proc` can tell.
    if (heldHere.has(key)) throw new DataDirLockedError(dir, holder?.pid ?? process.pid);
    const verdict = holder ? judge(holder, key) : 'unknown';
    if (verdict === 'alive' && holder) throw new DataDirLockedError(dir, holder.pid);
    if (verdict === 'unknown') {
      // The holder's own period counts when it is longer than ours: its beats are further apart.
      const period = Math.min(Math.max(heartbeatMs, holder?.heartbeatMs ?? 0), MAX_HEARTBEAT_MS);
      options.logger?.warn(
        { dir, pid: holder?.pid, waitMs: period * STALE_BEATS },
        'The data folder is locked by a server this process cannot see (another container or host?); ' +
          'waiting to see whether it refreshes its lock',
      );
      let changed: Sight | 'gone' | undefined;
      for (let beat = 0; beat < STALE_BEATS && changed === undefined; beat++) {
        await sleep(period);
        const now = look(file);
        if (now === undefined) changed = 'gone';
        else if (now.signature !== seen.signature) changed = now;
      }
      if (changed === 'gone') continue; // released while we watched: try to create it
      if (changed !== undefined) {
        // Refreshed: a live server holds it. An unreadable lock that became readable was being written.
        throw new DataDirLockedError(dir, parseHolder(changed.text)?.pid ?? holder?.pid ?? 0);
      }
    }
    if (takeOver(file, seen, mine)) return hold();
    await sleep(50);
  }
  throw new Error(`Could not lock the data folder ${dir}: another server keeps taking it over`);
}
