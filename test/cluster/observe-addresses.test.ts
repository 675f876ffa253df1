import { describe, expect, it } from 'vitest';
import type { HarnessNode } from '../../lib/harness';
import { freePortOutsideEphemeral } from '../../lib/harness/ports';
import { checkCluster, findingsWith } from '../support/check';
import { withCluster } from '../support/cluster';

describe('announced addresses', () => {
  it('a node announcing an address the checker cannot reach is unreachable, and --map fixes it; seeds are not counted twice', async () => {
    await withCluster({ replicasPerMaster: 0 }, async (cluster) => {
      const natted = cluster.masters[2] as HarnessNode;
      // Outside the range where the harness, moto and the emulator bind: nothing of another test
      // running beside this one can come to answer there.
      const announced = await freePortOutsideEphemeral();
      await natted.process.command('CONFIG', 'SET', 'cluster-announce-port', announced);
      await cluster.waitFor('others see the announced port', async () => {
        const text = String(await (cluster.masters[0] as HarnessNode).process.command('CLUSTER', 'NODES'));
        return text.includes(`127.0.0.1:${announced}@`);
      });

      const blind = await checkCluster(cluster, { timeoutMs: 3000 });
      expect(findingsWith(blind, 'node-unreachable').map((f) => f.nodes)).toEqual([
        [`127.0.0.1:${announced}`],
      ]);

      const mapped = await checkCluster(cluster, {
        addressMap: { [`127.0.0.1:${announced}`]: natted.address },
      });
      expect(findingsWith(mapped, 'node-unreachable')).toEqual([]);
      expect(mapped.nodes.map((n) => n.address).sort()).toEqual(cluster.seeds.slice().sort());

      // Every seed given, one of them by its real address while it announces another: still 3 nodes.
      const { observeCluster } = await import('../../lib/observe');
      const snapshot = await observeCluster(cluster.seeds, {});
      expect(snapshot.nodes.filter((n) => n.id === natted.id)).toHaveLength(1);
      expect(snapshot.nodes).toHaveLength(3);
    });
  });
});
