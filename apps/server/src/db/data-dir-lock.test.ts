import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirLockedError, lockDataDir } from './data-dir-lock.js';

const temps: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cims-lock-'));
  temps.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const hasProc = existsSync('/proc/self/ns/pid') && existsSync('/proc/sys/kernel/random/boot_id');
const boot = hasProc ? readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() : undefined;
const pidns = hasProc ? readlinkSync('/proc/self/ns/pid') : undefined;

/** A lock as a server in another container on the same volume writes it: same boot, its own pid namespace. */
function otherContainer(pid = process.pid): string {
  return JSON.stringify({ pid, start: '1', boot, pidns: 'pid:[1]', heartbeatMs: 20 });
}

/** Stands in for the waits between looks at a foreign lock: counts them and lets the test act in each. */
function steps(act: (n: number) => void = () => {}): { sleep: (ms: number) => Promise<void>; count: () => number } {
  let n = 0;
  return {
    sleep: async () => {
      n += 1;
      act(n);
    },
    count: () => n,
  };
}

function logs() {
  const lines: string[] = [];
  return {
    lines,
    logger: {
      warn: (_: object, msg: string) => lines.push(`warn ${msg}`),
      error: (_: object, msg: string) => lines.push(`error ${msg}`),
    },
  };
}

// The embedded database's folder, the same in either pass: the PostgreSQL pass (TEST_DATABASE_URL) skips it.
describe.skipIf(Boolean(process.env.TEST_DATABASE_URL))('the data folder lock', () => {
  it('regression: a refreshed lock with our own pid from another container (PID 1 in both) is refused', async () => {
    // Two containers on one volume during a rolling update: both PID 1, one boot id. The other one is alive because
    // it keeps refreshing its lock, so this one must not open the database.
    const dir = tempDir();
    const file = path.join(dir, 'server.lock');
    const left = otherContainer();
    writeFileSync(file, left);
    let beat = 0;
    const wait = steps(() => {
      beat += 1;
      utimesSync(file, new Date(), new Date(Date.UTC(2030, 0, 1, 0, 0, beat)));
    });
    const { lines, logger } = logs();
    await expect(lockDataDir(dir, { heartbeatMs: 20, sleep: wait.sleep, logger })).rejects.toBeInstanceOf(
      DataDirLockedError,
    );
    expect(readFileSync(file, 'utf8')).toBe(left);
    expect(wait.count()).toBe(1);
    expect(lines).toEqual([expect.stringMatching(/^warn .*waiting to see whether it refreshes its lock/)]);
  });

  it('the same lock, no longer refreshed for three heartbeats, is taken over (kill -9, then a new container)', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'server.lock');
    writeFileSync(file, otherContainer());
    const wait = steps();
    const { lines, logger } = logs();
    const release = await lockDataDir(dir, { heartbeatMs: 20, sleep: wait.sleep, logger });
    expect(wait.count()).toBe(3);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid, heartbeatMs: 20 });
    release();
    expect(existsSync(file)).toBe(false);
  });

  it('waits for three of the holder’s heartbeats when it declares a longer one than ours', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'server.lock'), JSON.stringify({ pid: process.pid, boot, heartbeatMs: 7_000 }));
    const waited: number[] = [];
    const release = await lockDataDir(dir, {
      heartbeatMs: 20,
      sleep: async (ms) => {
        waited.push(ms);
      },
    });
    expect(waited).toEqual([7_000, 7_000, 7_000]);
    release();
  });

  it('a lock released while it is watched is created at once', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'server.lock');
    writeFileSync(file, otherContainer());
    const wait = steps(() => rmSync(file));
    const release = await lockDataDir(dir, { heartbeatMs: 20, sleep: wait.sleep });
    expect(wait.count()).toBe(1);
    expect(JSON.parse(readFileSync(file, 'utf8')).pid).toBe(process.pid);
    release();
  });

  it('regression: a lock file caught empty while its holder writes it is not taken over', async () => {
    // Between creating the file and writing into it, a lock is empty; a server starting at that moment used to read
    // it as abandoned and replace it, and both servers then opened the database.
    const dir = tempDir();
    const file = path.join(dir, 'server.lock');
    writeFileSync(file, '');
    const wait = steps(() => writeFileSync(file, otherContainer(4242)));
    const error = await lockDataDir(dir, { heartbeatMs: 20, sleep: wait.sleep }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataDirLockedError);
    expect((error as DataDirLockedError).pid).toBe(4242);
    expect(JSON.parse(readFileSync(file, 'utf8')).pid).toBe(4242);
  });

  it('an unreadable lock that nobody touches for three heartbeats is taken over', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'server.lock'), '');
    const wait = steps();
    const release = await lockDataDir(dir, { heartbeatMs: 20, sleep: wait.sleep });
    expect(wait.count()).toBe(3);
    release();
  });

  it.runIf(hasProc)(
    'a lock of an earlier incarnation with our pid, in our pid namespace, is taken over at once',
    async () => {
      const dir = tempDir();
      writeFileSync(path.join(dir, 'server.lock'), JSON.stringify({ pid: process.pid, start: '1', boot, pidns }));
      const wait = steps();
      const release = await lockDataDir(dir, { sleep: wait.sleep });
      expect(wait.count()).toBe(0);
      release();
    },
  );

  it.runIf(hasProc)('a lock whose pid is gone on this host is taken over at once', async () => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    const pid = child.pid as number;
    await new Promise((resolve) => child.on('exit', resolve));
    const dir = tempDir();
    writeFileSync(path.join(dir, 'server.lock'), JSON.stringify({ pid, start: '1', boot, pidns }));
    const wait = steps();
    const release = await lockDataDir(dir, { sleep: wait.sleep });
    expect(wait.count()).toBe(0);
    release();
  });

  it('a second lock in the same process is refused at once', async () => {
    const dir = tempDir();
    const release = await lockDataDir(dir, { heartbeatMs: 20 });
    try {
      const wait = steps();
      await expect(lockDataDir(dir, { heartbeatMs: 20, sleep: wait.sleep })).rejects.toBeInstanceOf(DataDirLockedError);
      expect(wait.count()).toBe(0);
    } finally {
      release();
    }
  });

  it('regression: the holder refreshes its lock even while its main thread is blocked (opening the database)', async () => {
    // Opening, migrating and seeding the embedded database can block the main thread for seconds; a heartbeat on
    // that thread would stop, and a server waiting in another container would take the live lock over.
    const dir = tempDir();
    const file = path.join(dir, 'server.lock');
    const release = await lockDataDir(dir, { heartbeatMs: 10 });
    const old = new Date(Date.UTC(2001, 0, 1));
    utimesSync(file, old, old);
    // Looks without ever giving the main thread back (a bounded number of looks, each a short blocking wait).
    const pause = new Int32Array(new SharedArrayBuffer(4));
    let refreshed = false;
    for (let i = 0; i < 1_000 && !refreshed; i++) {
      Atomics.wait(pause, 0, 0, 10);
      refreshed = statSync(file).mtimeMs !== old.getTime();
    }
    release();
    expect(refreshed).toBe(true);
    expect(existsSync(file)).toBe(false);
  });
});
