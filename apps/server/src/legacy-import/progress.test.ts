import { describe, expect, it } from 'vitest';
import { streamProgress } from './progress.js';

/** A stream that records what is written, with a clock the test moves. */
function recorder(isTTY: boolean) {
  const written: string[] = [];
  const stream = { isTTY, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream;
  let now = 0;
  const clock = { advance: (ms: number) => (now += ms) };
  return { written, progress: streamProgress(stream, () => now), clock };
}

describe('streamProgress', () => {
  it('draws a bar in place on a terminal, with counts, rate and the time left', () => {
    const { written, progress, clock } = recorder(true);
    progress.start('customers', 1000);
    clock.advance(2000);
    progress.advance(250);
    const line = written.at(-1) ?? '';
    expect(line.startsWith('\r\u001b[2K')).toBe(true);
    expect(line).toContain('250/1000');
    expect(line).toContain('25%');
    expect(line).toContain('125/s');
    // 750 rows left at 125 a second.
    expect(line).toContain('~6s left');
    progress.done();
    expect(written.at(-1)).toMatch(/customers\s+250 rows in 2s\n$/);
  });

  it('writes a line per step and one every 10 seconds elsewhere (a log, CI)', () => {
    const { written, progress, clock } = recorder(false);
    progress.start('customer notes', 300_000);
    clock.advance(5000);
    progress.advance(100_000);
    expect(written).toEqual([]);
    clock.advance(5000);
    progress.advance(50_000);
    expect(written).toHaveLength(1);
    expect(written[0]).toContain('150000/300000');
    expect(written[0]).toContain('~10s left');
    expect(written[0]?.endsWith('\n')).toBe(true);
    progress.done();
    expect(written.at(-1)).toBe('customer notes: 150000 rows in 10s\n');
  });
});
