import { describe, expect, it } from 'vitest';
import { HostileServer } from '../../lib/harness/hostile-server';
import { observeCluster } from '../../lib/observe/observe';
import { withCluster } from '../support/cluster';

/** Keeps the thread busy for `ms`, as parsing a thousand replies does. */
function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy
  }
}

describe('a node is timed by its own silence, not by the checker being busy', () => {
  it('nodes that answered while the checker was busy are reached; one that never answers times out', async () => {
    await withCluster({}, async (cluster) => {
      const silent = await HostileServer.start('silent');
      // The checker is busy for 400 ms at a time, over and over, for about two seconds: each busy spell
      // is longer than the per-node timeout, so a wall-clock timer would expire every wait it overlaps.
      let busy = true;
      const spells = (async () => {
        const end = performance.now() + 2000;
        while (busy && performance.now() < end) {
          spin(400);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })();
      try {
        const snapshot = await observeCluster([...cluster.seeds, silent.address], {
          timeoutMs: 60_000,
          nodeTimeoutMs: 300,
        });
        busy = false;
        await spells;
        const byAddress = new Map(snapshot.nodes.map((n) => [n.address, n]));
        for (const seed of cluster.seeds) {
          expect(byAddress.get(seed)?.reachable, seed).toBe(true);
          expect(byAddress.get(seed)?.error, seed).toBeUndefined();
        }
        expect(byAddress.get(silent.address)?.reachable).toBe(false);
        expect(byAddress.get(silent.address)?.error?.kind).toBe('timeout');
        expect(snapshot.deadlineHit).toBe(false);
      } finally {
        busy = false;
        await spells;
        await silent.stop();
      }
    });
  });
});
