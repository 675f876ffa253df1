import { describe, expect, it } from 'vitest';
import type { HarnessNode } from '../../../lib/harness';
import { defaultServer, keysInSlot, loadKeys } from '../../../lib/harness';
import { checkCluster, findingsWith } from '../../support/check';
import { withCluster } from '../../support/cluster';
import { expectOneSlotMap } from '../../support/fix';
import { fixWithWriter, openMarkers } from '../../support/reshard';

/**
 * The target of a move stalls past the node timeout before any key reached it, its replica is
 * promoted, and it comes back as a replica of that heir (the chaos soak met it on Redis 7.4 with a
 * failover mid-move): the source is left MIGRATING to a replica, and nothing holds a moved key.
 * It was escalated; a demoted node that proves it was replaced and holds nothing proves nothing was
 * moved, so the source's side is closed like any migrating-only mark with an empty target.
 */

const SLOT = 500; // owned by the first master
const WRITER_SLOT = 12_000; // owned by the third master
const valkey = defaultServer().family === 'valkey';

describe('the target stalls before any key moved, its replica is promoted, it returns as a replica', () => {
  it('closes the source side (Redis 7), or rolls back what Valkey re-targeted; no key moves', async () => {
    await withCluster({ nodeTimeoutMs: 700 }, async (cluster, faults) => {
      const [a, b, c] = cluster.masters as [HarnessNode, HarnessNode, HarnessNode];
      await loadKeys(cluster, 0, keysInSlot(SLOT, 300));
      await faults.openSlot(SLOT, a, b);
      const heir = await faults.stallAndFailover(b);
      if (valkey) {
        // Valkey 8.0.1 re-targets by itself: the source learns to migrate to the promoted node, which
        // kept the IMPORTING mark it copied. An ordinary rollback (no key on the target).
        await cluster.waitFor('the source migrating to the promoted node', async () =>
          (await openMarkers(a)).includes(`[${SLOT}->-${heir.id}]`),
        );
      } else {
        // Redis 7: the source still migrates to the old target, a replica now; no node imports.
        expect(await openMarkers(a)).toEqual([`[${SLOT}->-${b.id}]`]);
        expect(await openMarkers(heir)).toEqual([]);
        expect(await openMarkers(b)).toEqual([]);
        const [finding] = findingsWith(await checkCluster(cluster), 'slot-open');
        expect(finding?.summary).toContain(
          `the move's target ${b.address} (${b.id.slice(0, 8)}) is no longer a master: it is a replica of ${heir.address}`,
        );
      }
      const { action, run } = await fixWithWriter(cluster, c, WRITER_SLOT);
      expect(action?.subCase).toBe(valkey ? 'rollback' : 'migrating-only');
      expect(action?.keysBefore).toEqual({ [SLOT]: 300 });
      expect(action?.keysAfter).toEqual({ [SLOT]: 300 });
      expect(action?.keysMoved ?? 0).toBe(0);
      expect(run.result.after.findings.map((f) => f.id)).not.toContain('slot-open');
      expect(run.result.after.status).toBe('ok');
      for (const n of cluster.nodes) expect(await openMarkers(n)).toEqual([]);
      await expectOneSlotMap(cluster);
      expect(await cluster.ownerOf(SLOT, b)).toBe(a);
      expect(Number(await a.process.command('CLUSTER', 'COUNTKEYSINSLOT', SLOT))).toBe(300);
    });
  });
});
