import { describe, expect, it } from 'vitest';
import { type HarnessNode, keysInSlot } from '../../../lib/harness';
import { checkCluster, checkUntil, findingsWith } from '../../support/check';
import { withCluster } from '../../support/cluster';

describe('master-without-replica, replica-link-down, replica-lagging, replica-colocated', () => {
  it('master-without-replica: its only replica was killed', async () => {
    await withCluster({}, async (cluster, faults) => {
      const master = cluster.masters[2] as HarnessNode;
      const replica = cluster.nodes[5] as HarnessNode;
      await faults.kill(replica);
      const report = await checkUntil(cluster, (r) => findingsWith(r, 'master-without-replica').length > 0);
      const found = findingsWith(report, 'master-without-replica');
      expect(found).toHaveLength(1);
      expect(found[0]?.severity).toBe('warning');
      expect(found[0]?.slots).toEqual([[10922, 16383]]);
      expect(found[0]?.nodes).toEqual([master.address, replica.address]);
      expect(found[0]?.evidence.master).toEqual({
        id: master.id,
        address: master.address,
        slots: '10922-16383',
      });
      expect(found[0]?.evidence.replicas).toEqual([
        { id: replica.id, address: replica.address, problem: expect.stringMatching(/fail|not reachable/) },
      ]);
    });
  });

  it('replica-link-down: a replica whose masterauth is wrong (and its master is then without replica)', async () => {
    await withCluster({}, async (cluster, faults) => {
      const master = cluster.masters[0] as HarnessNode;
      const replica = cluster.nodes[3] as HarnessNode;
      await faults.breakReplicationAuth(replica);
      const report = await checkUntil(cluster, (r) => findingsWith(r, 'replica-link-down').length > 0);
      const found = findingsWith(report, 'replica-link-down');
      expect(found).toHaveLength(1);
      expect(found[0]?.severity).toBe('warning');
      expect(found[0]?.nodes).toEqual([replica.address, master.address]);
      expect(found[0]?.evidence).toMatchObject({
        replica: { id: replica.id, address: replica.address },
        master: { id: master.id, address: master.address },
        master_link_status: 'down',
        master_sync_in_progress: '0',
      });
      // Runbooks name the cluster's own client: valkey-cli on Valkey.
      expect(found[0]?.runbook?.[0]).toBe(
        `${cluster.server.client} -h 127.0.0.1 -p ${replica.port} INFO replication`,
      );
      const [orphan] = findingsWith(report, 'master-without-replica');
      expect(orphan?.nodes).toEqual([master.address, replica.address]);
      expect(orphan?.evidence.replicas).toEqual([
        { id: replica.id, address: replica.address, problem: 'has its replication link down' },
      ]);
    });
  });

  it('replica-lagging: a paused replica while its master takes 2 MiB of writes', async () => {
    await withCluster({}, async (cluster, faults) => {
      const master = cluster.masters[1] as HarnessNode;
      const replica = cluster.nodes[4] as HarnessNode;
      faults.pause(replica);
      try {
        const pipeline = master.process.redis().pipeline();
        for (const key of keysInSlot(6000, 256, 'lag')) pipeline.set(key, 'v'.repeat(8192));
        await pipeline.exec();
        const report = await checkCluster(cluster, { timeoutMs: 3000, nodeTimeoutMs: 800 });
        const found = findingsWith(report, 'replica-lagging');
        expect(found).toHaveLength(1);
        expect(found[0]?.severity).toBe('warning');
        expect(found[0]?.nodes).toEqual([replica.address, master.address]);
        expect(found[0]?.evidence).toMatchObject({
          master: { id: master.id, address: master.address },
          replica: { id: replica.id, address: replica.address, state: 'online' },
          replicaOwnOffset: null,
        });
        expect(found[0]?.evidence.bytesBehind).toBeGreaterThan(2 * 1024 * 1024);
      } finally {
        faults.resume(replica);
      }
    });
  });

  it('replica-colocated: a warning once the cluster spans two hosts, for the master still sharing one', async () => {
    // 127.0.0.2 is a second loopback "host": two replicas move there, one pair stays on 127.0.0.1.
    await withCluster({ extraArgs: ['--bind', '127.0.0.1', '127.0.0.2'] }, async (cluster) => {
      const [m0] = cluster.masters as [HarnessNode];
      const sameHost = cluster.nodes[3] as HarnessNode;
      for (const node of cluster.nodes.slice(4)) {
        await node.process.command('CONFIG', 'SET', 'cluster-announce-ip', '127.0.0.2');
      }
      const moved = cluster.nodes.slice(4).map((n) => `127.0.0.2:${n.port}`);
      // Until gossip spreads the new address, the seed still lists the moved nodes at 127.0.0.1.
      const report = await checkUntil(cluster, (r) =>
        moved.every((address) => r.nodes.some((n) => n.address === address && n.reachable)),
      );
      const found = findingsWith(report, 'replica-colocated');
      expect(found).toHaveLength(1);
      expect(found[0]?.severity).toBe('warning');
      expect(found[0]?.nodes).toEqual([m0.address, sameHost.address]);
      expect(found[0]?.evidence).toMatchObject({
        host: '127.0.0.1',
        master: { id: m0.id, address: m0.address },
        replicas: [{ id: sameHost.id, address: sameHost.address }],
      });
      expect(report.status).toBe('warning');
    });
  });
});
