import { describe, expect, it } from 'vitest';
import { PROGRESS_EVERY_MS, progressLine, progressReporter } from '../../../lib/cli/progress';

const at = (moved: number, elapsedMs: number) => ({ slot: 4242, moved, total: 100_000, elapsedMs });

describe('the progress line of a long fix', () => {
  it('says keys moved of total, the rate and the time left', () => {
    expect(progressLine(at(50_000, 1000))).toBe(
      'slot 4242: 50000 of 100000 keys moved (50%), 50000 keys/s, about 1 s left',
    );
    expect(progressLine(at(10_000, 60_000))).toMatch(/about 9 min 0 s left$/);
    expect(progressLine(at(0, 0))).toBe('slot 4242: 0 of 100000 keys moved (0%), 0 keys/s');
  });

  it('on a terminal rewrites one line in place and ends it when the move is done', () => {
    const written: string[] = [];
    let now = 0;
    const report = progressReporter({ write: (t) => written.push(t), tty: true, now: () => now });
    report(at(10_000, 100));
    now = 50; // within 100 ms of the last line: skipped
    report(at(20_000, 150));
    now = 200;
    report(at(100_000, 300));
    expect(written).toHaveLength(2);
    expect(written[0]?.startsWith('\r\x1b[2Kslot 4242: 10000 of 100000')).toBe(true);
    expect(written[1]).toMatch(/100000 of 100000 keys moved \(100%\).*\n$/);
  });

  it('elsewhere writes a line every few seconds and one at the end', () => {
    const written: string[] = [];
    let now = 0;
    const report = progressReporter({ write: (t) => written.push(t), tty: false, now: () => now });
    for (let moved = 1000; moved < 100_000; moved += 1000) {
      now += 100;
      report(at(moved, now));
    }
    now += 100;
    report(at(100_000, now));
    // 10 s of rounds: the first line, one every PROGRESS_EVERY_MS, and the last.
    expect(written.length).toBe(Math.floor(9_900 / PROGRESS_EVERY_MS) + 2);
    expect(written.every((line) => line.endsWith('\n') && !line.includes('\r'))).toBe(true);
    expect(written.at(-1)).toMatch(/100000 of 100000 keys moved/);
  });
});
