/** Where the import tells how far it is. */
export interface Progress {
  /** A step with a known number of rows begins. */
  start(label: string, total: number): void;
  /** `n` more rows of the current step are done. */
  advance(n: number): void;
  /** The current step is done. */
  done(): void;
  /** A line of text between steps. */
  note(text: string): void;
}

/** No output (tests, `--quiet`). */
export const silentProgress: Progress = { start() {}, advance() {}, done() {}, note() {} };

const BAR = 24;

const clock = (seconds: number) => {
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
};

/**
 * A progress bar on a terminal (redrawn in place, at most every 100 ms) with counts, rate and the time left; on
 * anything else (a log file, CI) one line per step and one every 10 s, so logs stay readable.
 */
export function streamProgress(stream: NodeJS.WriteStream, now: () => number = Date.now): Progress {
  const tty = stream.isTTY === true;
  let label = '';
  let total = 0;
  let doneRows = 0;
  let started = 0;
  let drawn = 0;
  const text = () => {
    const elapsed = (now() - started) / 1000;
    const rate = elapsed > 0 ? doneRows / elapsed : 0;
    const left = rate > 0 ? (total - doneRows) / rate : Number.NaN;
    const share = total > 0 ? Math.min(1, doneRows / total) : 1;
    const filled = Math.round(share * BAR);
    return (
      `${label.padEnd(28)} [${'█'.repeat(filled)}${'·'.repeat(BAR - filled)}] ${doneRows}/${total}` +
      ` ${Math.round(share * 100)}%  ${Math.round(rate)}/s  ${Number.isFinite(left) ? `~${clock(left)} left` : ''}`
    );
  };
  const draw = (force: boolean) => {
    const t = now();
    if (!force && t - drawn < (tty ? 100 : 10_000)) return;
    drawn = t;
    if (tty) stream.write(`\r\u001b[2K${text()}`);
    else stream.write(`${text()}\n`);
  };
  return {
    start(name, count) {
      label = name;
      total = count;
      doneRows = 0;
      started = now();
      drawn = started;
      if (tty) draw(true);
    },
    advance(n) {
      doneRows += n;
      draw(false);
    },
    done() {
      if (tty) stream.write(`\r\u001b[2K${label.padEnd(28)} ${doneRows} rows in ${clock((now() - started) / 1000)}\n`);
      else stream.write(`${label}: ${doneRows} rows in ${clock((now() - started) / 1000)}\n`);
    },
    note(line) {
      stream.write(`${line}\n`);
    },
  };
}
