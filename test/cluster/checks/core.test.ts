import { describe, expect, it } from 'vitest';
import { type HarnessNode, keysInSlot, loadKeys } from '../../../lib/harness';
import { checkCluster, checkUntil, findingsWith } from '../../support/check';
import { withCluster } from '../../support/cluster';

describe('cluster-state-fail, slots-uncovered, slot-open, node-unreachable', () => {
  it('say nothing about a healthy cluster: status ok', async () => {
    await withCluster({}, async (cluster) => {
      await loadKeys(cluster, 500);
      const report = await checkCluster(cluster);
      expect(report.findings.filter((f) => f.severity !== 'info')).toEqual([]);
      expect(report.status).toBe('ok');
      expect(report.nodes).toHaveLength(6);
    });
  });

  it('uncovered slots: critical, ranges merged, keys located, cluster_state:fail', async () => {
    await withCluster({ replicasPerMaster: 0 }, async (cluster, faults) => {
      await faults.delSlots(10, 19);
      await faults.delSlots(20, 29);
      await faults.delSlots(9000, 9000);
      const report = await checkCluster(cluster);
      const [uncovered] = findingsWith(report, 'slots-uncovered');
      expect(uncovered?.severity).toBe('critical');
      expect(uncovered?.slots).toEqual([
        [10, 29],
        [9000, 9000],
      ]);
      expect(uncovered?.evidence.keysInUncoveredSlotsByNode).toEqual({});
      expect(uncovered?.remedy).toBe('assign-uncovered-slots');
      expect(findingsWith(report, 'cluster-state-fail')).toHaveLength(1);
      expect(report.status).toBe('critical');
    });
  });

  it('slot-open: both sides with their key counts', async () => {
    await withCluster({ replicasPerMaster: 0 }, async (cluster, faults) => {
      const [owner, target] = cluster.masters as [HarnessNode, HarnessNode];
      await loadKeys(cluster, 0, keysInSlot(300, 40));
      await faults.openSlot(300, owner, target);
      await faults.migrateKeys(300, owner, target, 15);
      const report = await checkCluster(cluster);
      const [open] = findingsWith(report, 'slot-open');
      expect(open?.slots).toEqual([[300, 300]]);
      expect(open?.evidence.keysByNode).toEqual({ [owner.address]: 25, [target.address]: 15 });
      expect(open?.evidence.owner).toEqual({ id: owner.id, address: owner.address });
      expect(open?.runbook?.join('\n')).toContain(`-p ${target.port} CLUSTER SETSLOT 300 STABLE`);
      expect(report.status).toBe('warning');
    });
  });

  it('node-unreachable: a node paused with SIGSTOP, and the check still returns within its deadline', async () => {
    await withCluster({}, async (cluster, faults) => {
      const victim = cluster.nodes[4] as HarnessNode;
      faults.pause(victim);
      try {
        const started = Date.now();
        const report = await checkCluster(cluster, { timeoutMs: 3000 });
        const elapsed = Date.now() - started;
        const [unreachable] = findingsWith(report, 'node-unreachable');
        expect(unreachable?.nodes).toEqual([victim.address]);
        expect((unreachable?.evidence.error as { kind: string } | undefined)?.kind).toBe('timeout');
        // The deadline is the contract: a hung node must not hold the check past it (plus slack for close).
        expect(elapsed).toBeLessThan(3000 + 2000);
      } finally {
        faults.resume(victim);
      }
    });
  });

  it('node-unreachable: a killed node, once the others know it', async () => {
    await withCluster({}, async (cluster, faults) => {
      const victim = cluster.nodes[5] as HarnessNode;
      await faults.kill(victim);
      const report = await checkUntil(cluster, (r) => findingsWith(r, 'node-unreachable').length > 0);
      const [unreachable] = findingsWith(report, 'node-unreachable');
      expect(unreachable?.nodes).toEqual([victim.address]);
      expect((unreachable?.evidence.error as { kind: string } | undefined)?.kind).toBe('refused');
    });
  });
});
