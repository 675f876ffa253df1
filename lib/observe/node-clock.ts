import { performance } from 'node:perf_hooks';

/** A node used up its own time: it did not answer while the checker was waiting for it. */
export class NodeTimeoutError extends Error {
  override name = 'NodeTimeoutError';
  readonly code = 'ETIMEDOUT';
}

interface Wait {
  /** The event loop's idle time (ms) when the wait began. */
  idleAtStart: number;
  limitMs: number;
  expire: () => void;
}

/**
 * Times each node by its own silence, not by the clock on the wall. One Node process asks every node at
 * once; while it parses a thousand replies its single thread is busy, and a wall-clock timer would
 * blame the nodes whose answers wait, unread, in the socket buffers. A wait here is charged only the
 * time the event loop sat idle (`performance.eventLoopUtilization().idle`): time in which any answer
 * that had arrived would have been read. A node that stays silent through `limitMs` of that is timed
 * out; one whose answer was queued behind other work is not. The observation's deadline stays on the
 * wall clock: the whole run still ends when promised.
 *
 * @example
 * const clock = new NodeClock();
 * const cancel = clock.start(2500, () => client.close());
 * await work; cancel();
 */
export class NodeClock {
  private readonly waits = new Set<Wait>();
  private timer?: NodeJS.Timeout;

  /** How often waits are looked at, ms: a node is timed out at most this late. */
  constructor(private readonly tickMs = 20) {}

  /** Starts charging a wait; `expire` runs once if it outlasts `limitMs` of idle time. Returns a cancel. */
  start(limitMs: number, expire: () => void): () => void {
    const wait: Wait = { idleAtStart: idleMs(), limitMs, expire };
    this.waits.add(wait);
    this.timer ??= setInterval(() => this.tick(), this.tickMs);
    return () => this.cancel(wait);
  }

  /** Cancels every wait without expiring it. */
  close(): void {
    this.waits.clear();
    this.stop();
  }

  private cancel(wait: Wait): void {
    this.waits.delete(wait);
    if (this.waits.size === 0) this.stop();
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    const idle = idleMs();
    for (const wait of this.waits) {
      if (idle - wait.idleAtStart < wait.limitMs) continue;
      this.cancel(wait);
      wait.expire();
    }
  }
}

/** Time the event loop has spent waiting for events since the process started, ms. */
function idleMs(): number {
  return performance.eventLoopUtilization().idle;
}
