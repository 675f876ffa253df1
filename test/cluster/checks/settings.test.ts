import { describe, expect, it } from 'vitest';
import type { HarnessNode } from '../../../lib/harness';
import { infoNumber, parseInfo } from '../../../lib/topology/info';
import { checkCluster, findingsWith } from '../../support/check';
import { withCluster } from '../../support/cluster';

const usedMemory = async (node: HarnessNode): Promise<number> =>
  infoNumber(parseInfo(String(await node.process.command('INFO', 'memory'))), 'memory', 'used_memory') ?? 0;

describe('config-drift, memory-headroom-low, managed-service', () => {
  it('config-drift: one node with another cluster-node-timeout, one master with another maxmemory', async () => {
    await withCluster({ replicasPerMaster: 0 }, async (cluster) => {
      const [m0, m1, m2] = cluster.masters as [HarnessNode, HarnessNode, HarnessNode];
      await m2.process.command('CONFIG', 'SET', 'cluster-node-timeout', 5000);
      await m1.process.command('CONFIG', 'SET', 'maxmemory', 104857600);
      const report = await checkCluster(cluster);
      const found = findingsWith(report, 'config-drift');
      expect(found).toHaveLength(1);
      expect(found[0]?.severity).toBe('warning');
      expect(found[0]?.nodes).toEqual([m2.address, m1.address]);
      const sorted = (nodes: HarnessNode[]) => nodes.map((n) => n.address).sort();
      expect(found[0]?.evidence.settings).toEqual({
        'cluster-node-timeout': { 2000: sorted([m0, m1]), 5000: [m2.address] },
        maxmemory: { 0: sorted([m0, m2]), 104857600: [m1.address] },
      });
      const runbook = found[0]?.runbook?.join('\n') ?? '';
      expect(runbook).toContain(`-p ${m2.port} CONFIG SET cluster-node-timeout 2000`);
      expect(runbook).toContain(`-p ${m1.port} CONFIG SET maxmemory 0`);
      expect(findingsWith(report, 'memory-headroom-low')).toEqual([]);
    });
  });

  it('memory-headroom-low: maxmemory set just above used_memory (warning; info under allkeys-lru)', async () => {
    await withCluster({ replicasPerMaster: 0 }, async (cluster) => {
      const full = cluster.masters[1] as HarnessNode;
      await full.process.command('CONFIG', 'SET', 'maxmemory', Math.floor((await usedMemory(full)) * 1.05));
      const report = await checkCluster(cluster);
      const found = findingsWith(report, 'memory-headroom-low');
      expect(found).toHaveLength(1);
      expect(found[0]?.severity).toBe('warning');
      expect(found[0]?.nodes).toEqual([full.address]);
      expect(found[0]?.evidence).toMatchObject({
        id: full.id,
        maxmemory_policy: 'noeviction',
        threshold: 0.9,
      });
      expect(found[0]?.evidence.ratio).toBeGreaterThan(0.9);
      expect(found[0]?.summary).toContain('OOM');

      await full.process.command('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru');
      const [evicting] = findingsWith(await checkCluster(cluster), 'memory-headroom-low');
      expect(evicting?.severity).toBe('info');
      expect(evicting?.evidence.maxmemory_policy).toBe('allkeys-lru');
    });
  });

  it('managed-service: CONFIG renamed away, as ElastiCache does: info, and the cluster is still ok', async () => {
    await withCluster({ extraArgs: ['--rename-command', 'CONFIG', ''] }, async (cluster) => {
      const report = await checkCluster(cluster);
      const found = findingsWith(report, 'managed-service');
      expect(found).toHaveLength(1);
      expect(found[0]?.severity).toBe('info');
      expect(found[0]?.nodes?.sort()).toEqual(cluster.seeds.sort());
      expect(found[0]?.evidence.restrictedCommands).toEqual(
        Object.fromEntries(cluster.seeds.map((address) => [address, ['CONFIG']])),
      );
      expect(findingsWith(report, 'config-drift')).toEqual([]);
      expect(report.status).toBe('ok');
    });
  });
});
