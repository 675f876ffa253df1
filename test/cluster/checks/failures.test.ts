import { describe, expect, it } from 'vitest';
import type { HarnessNode } from '../../../lib/harness';
import { checkUntil, findingsWith } from '../../support/check';
import { withCluster } from '../../support/cluster';

const has = (id: string) => (r: { findings: { id: string }[] }) => r.findings.some((f) => f.id === id);

describe('slots-owner-failed, node-failed, node-pfail, node-handshake', () => {
  it('a killed master without replicas: its slots are critical, the node is failed', async () => {
    await withCluster({ replicasPerMaster: 0, nodeTimeoutMs: 500 }, async (cluster, faults) => {
      const [a, victim, c] = cluster.masters as [HarnessNode, HarnessNode, HarnessNode];
      await faults.kill(victim);
      const report = await checkUntil(cluster, has('slots-owner-failed'));
      const [owner] = findingsWith(report, 'slots-owner-failed');
      expect(owner?.severity).toBe('critical');
      expect(owner?.slots).toEqual([[5461, 10921]]);
      expect(owner?.nodes).toEqual([victim.address]);
      expect(owner?.evidence.master).toEqual({ id: victim.id, address: victim.address });
      expect(owner?.evidence.replicas).toEqual([]);
      expect(owner?.remedy).toBeUndefined();
      expect(owner?.runbook?.join('\n')).toContain(`-p ${a.port} CLUSTER FORGET ${victim.id}`);

      const [failed] = findingsWith(report, 'node-failed');
      expect(failed?.severity).toBe('warning');
      expect(failed?.nodes).toEqual([victim.address]);
      expect(failed?.evidence).toMatchObject({ id: victim.id, role: 'master', reachableFromChecker: false });
      expect(failed?.evidence.flaggedFailBy).toContain(a.address);
      expect(failed?.evidence.observersListingIt).toEqual(expect.arrayContaining([a.address, c.address]));
      expect(findingsWith(report, 'node-pfail')).toEqual([]);
      // The survivors have no replica; the dead master is slots-owner-failed's, not counted twice.
      expect(findingsWith(report, 'master-without-replica').flatMap((f) => f.nodes)).toEqual(
        expect.arrayContaining([a.address, c.address]),
      );
      expect(findingsWith(report, 'master-without-replica')).toHaveLength(2);
      expect(report.status).toBe('critical');
    });
  });

  it('a failed master whose replica has nofailover: remedy promote-replica', async () => {
    await withCluster({ replicasPerMaster: 1, nodeTimeoutMs: 500 }, async (cluster, faults) => {
      // Not nodes[0]: that is the seed the check starts from.
      const victim = cluster.masters[1] as HarnessNode;
      const replica = cluster.nodes[4] as HarnessNode;
      await replica.process.command('CONFIG', 'SET', 'cluster-replica-no-failover', 'yes');
      await checkUntil(cluster, (r) =>
        findingsWith(r, 'master-without-replica').some((f) => f.nodes?.[0] === victim.address),
      );
      await faults.kill(victim);
      const report = await checkUntil(cluster, has('slots-owner-failed'));
      const [owner] = findingsWith(report, 'slots-owner-failed');
      expect(owner?.slots).toEqual([[5461, 10921]]);
      expect(owner?.nodes).toEqual([victim.address, replica.address]);
      expect(owner?.remedy).toBe('promote-replica');
      expect(owner?.summary).toContain(`nofailover on ${replica.address}`);
      expect(owner?.evidence.replicas).toEqual([
        expect.objectContaining({ id: replica.id, address: replica.address, reachable: true }),
      ]);
      expect(owner?.runbook?.[0]).toContain(`-p ${replica.port} CLUSTER FAILOVER FORCE`);
    });
  });

  it('node-pfail: a paused master that too few masters can vote out stays fail?', async () => {
    // Two masters: a failure needs two reports, and only one master is left to give one.
    await withCluster({ masters: 2, replicasPerMaster: 0, nodeTimeoutMs: 500 }, async (cluster, faults) => {
      const [observer, victim] = cluster.masters as [HarnessNode, HarnessNode];
      faults.pause(victim);
      try {
        // Info while failure detection may still be under way, a warning past 4 node timeouts (2 s).
        const report = await checkUntil(
          cluster,
          (r) => findingsWith(r, 'node-pfail').some((f) => f.severity === 'warning'),
          { timeoutMs: 2000 },
        );
        const [pfail] = findingsWith(report, 'node-pfail');
        expect(pfail?.summary).toMatch(/no answer for \d+ s/);
        expect(pfail?.evidence.transition).toMatchObject({ state: 'failure detection', boundSeconds: 2 });
        expect(pfail?.nodes).toEqual([victim.address]);
        expect(pfail?.evidence).toMatchObject({
          id: victim.id,
          flaggedPfailBy: [observer.address],
          reachableFromChecker: false,
        });
        expect(findingsWith(report, 'node-failed')).toEqual([]);
        expect(findingsWith(report, 'slots-owner-failed')).toEqual([]);
      } finally {
        faults.resume(victim);
      }
    });
  });

  it('node-handshake: a MEET to an address where nothing listens', async () => {
    // The handshake entry lives for cluster-node-timeout: long enough to look at.
    await withCluster({ replicasPerMaster: 0, nodeTimeoutMs: 15_000 }, async (cluster, faults) => {
      const meeting = cluster.masters[1] as HarnessNode;
      const nowhere = await faults.meetNowhere(meeting);
      const report = await checkUntil(cluster, has('node-handshake'));
      const [ghost] = findingsWith(report, 'node-handshake');
      // A handshake is a transition: info, with the bound past which the scheduled runs make it a warning.
      expect(ghost?.severity).toBe('info');
      expect(ghost?.evidence.transition).toEqual({ state: 'handshake', boundSeconds: 60 });
      expect(ghost?.nodes).toEqual([nowhere]);
      // A handshake expires by itself (its id is temporary): nothing to forget.
      expect(ghost?.remedy).toBeUndefined();
      expect(ghost?.evidence.kind).toBe('handshake');
      expect(Object.keys(ghost?.evidence.seenBy as object)).toEqual([meeting.address]);
      expect(ghost?.runbook?.join('\n')).toContain(`-p ${meeting.port} CLUSTER NODES`);
    });
  });

  it('node-handshake: a dead replica nobody forgot, once silent for 20 node timeouts', async () => {
    await withCluster({ replicasPerMaster: 1, nodeTimeoutMs: 400 }, async (cluster, faults) => {
      const victim = cluster.nodes[5] as HarnessNode;
      await faults.kill(victim);
      const failed = await checkUntil(cluster, has('node-failed'));
      // Failed but not silent for long yet: not a ghost.
      expect(findingsWith(failed, 'node-handshake')).toEqual([]);
      const report = await checkUntil(cluster, has('node-handshake'), {}, 25_000);
      const [ghost] = findingsWith(report, 'node-handshake');
      expect(ghost?.nodes).toEqual([victim.address]);
      expect(ghost?.evidence).toMatchObject({ kind: 'dead', id: victim.id, address: victim.address });
      expect(ghost?.evidence.silentForMs).toBeGreaterThan(20 * 400);
      expect(ghost?.remedy).toBe('forget-ghost-node');
      expect(findingsWith(report, 'node-failed')[0]?.nodes).toEqual([victim.address]);
    });
  });
});
