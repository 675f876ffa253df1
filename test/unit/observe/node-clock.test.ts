import { describe, expect, it } from 'vitest';
import { NodeClock } from '../../../lib/observe/node-clock';

/** Keeps the thread busy (not idle) for `ms`: what parsing a thousand replies does to the event loop. */
function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy
  }
}

const turn = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('NodeClock', () => {
  it('does not charge a wait for time the event loop was busy, and expires it once it was idle long enough', async () => {
    const clock = new NodeClock(5);
    let expired = false;
    const expiry = new Promise<void>((resolve) => {
      clock.start(50, () => {
        expired = true;
        resolve();
      });
    });
    spin(300);
    await turn();
    await turn();
    expect(expired).toBe(false);
    await expiry;
    expect(expired).toBe(true);
    clock.close();
  });

  it('never expires a cancelled wait, and stops ticking when nothing waits', async () => {
    const clock = new NodeClock(5);
    let expired = false;
    const cancel = clock.start(10, () => {
      expired = true;
    });
    cancel();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(expired).toBe(false);
    // No interval is left to keep the process alive.
    expect((clock as unknown as { timer?: unknown }).timer).toBeUndefined();
  });
});
