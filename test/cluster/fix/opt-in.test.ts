import { describe, expect, it } from 'vitest';
import type { HarnessNode } from '../../../lib/harness';
import { keyLedger, loadKeys, sleep } from '../../../lib/harness';
import { checkUntil, findingsWith } from '../../support/check';
import { withCluster } from '../../support/cluster';
import { expectOkEverywhere, fix } from '../../support/fix';

const has = (id: string) => (r: Parameters<typeof findingsWith>[0]) => findingsWith(r, id).length > 0;

describe('opt-in remedies act only when named in --allow', () => {
  it('forget-ghost-node: a dead replica is forgotten by every node at once', async () => {
    await withCluster({ replicasPerMaster: 1, nodeTimeoutMs: 400 }, async (cluster, faults) => {
      const victim = cluster.nodes[5] as HarnessNode;
      await faults.kill(victim);
      // Every node flags it fail before fix looks twice: a flag still spreading between the two looks
      // is progress, which the persistence guard refuses (a busy run, load 12, on 7.4.1).
      await faults.awaitFlaggedFail(victim);
      await checkUntil(cluster, has('node-failed'));

      const refused = await fix(cluster, ['--yes', '--settle-ms', '200', '--ghost-min-age-ms', '0']);
      expect(refused.result.actions.map((x) => [x.remedy, x.status, x.guard])).toEqual([
        ['forget-ghost-node', 'refused', 'allow-list'],
      ]);

      const run = await fix(cluster, [
        '--yes',
        '--settle-ms',
        '200',
        '--allow',
        'forget-ghost-node',
        '--ghost-min-age-ms',
        '0',
      ]);
      const [action] = run.result.actions;
      expect(action, `${action?.guard}: ${action?.reason}`).toMatchObject({
        remedy: 'forget-ghost-node',
        status: 'applied',
      });
      const live = cluster.nodes.filter((n) => n.process.alive);
      expect(action?.commands.sort()).toEqual(
        live.map((n) => `${n.address} CLUSTER FORGET ${victim.id}`).sort(),
      );
      for (const node of live)
        expect(String(await node.process.command('CLUSTER', 'NODES')), node.address).not.toContain(victim.id);
      // The ban window holds: gossip does not bring it back a moment later.
      await sleep(1500);
      for (const node of live)
        expect(String(await node.process.command('CLUSTER', 'NODES'))).not.toContain(victim.id);
      expect(run.result.after.findings.map((f) => f.id)).not.toContain('node-failed');
      // Its master now has no replica: still worth a warning, not something to "fix" by guessing.
      expect(run.result.after.findings.map((f) => f.id)).toContain('master-without-replica');
    });
  });

  it('promote-replica: FAILOVER FORCE on the replica of a failed master that would not fail over by itself', async () => {
    await withCluster({ replicasPerMaster: 1, nodeTimeoutMs: 500 }, async (cluster, faults) => {
      const victim = cluster.masters[1] as HarnessNode;
      const replica = cluster.nodes[4] as HarnessNode;
      await replica.process.command('CONFIG', 'SET', 'cluster-replica-no-failover', 'yes');
      await loadKeys(cluster, 3000);
      for (const m of cluster.masters) expect(await m.process.command('WAIT', 1, 5000)).toBe(1);
      const before = await keyLedger(cluster);
      await checkUntil(cluster, (r) =>
        findingsWith(r, 'master-without-replica').some((f) => f.nodes?.[0] === victim.address),
      );
      await faults.kill(victim);
      await checkUntil(cluster, has('slots-owner-failed'));

      const promote = ['--settle-ms', '200', '--allow', 'promote-replica', '--failed-master-min-age-ms', '0'];
      const dry = await fix(cluster, promote);
      expect(dry.result.actions.map((x) => [x.remedy, x.status, x.commands])).toEqual([
        [
          'promote-replica',
          'skipped',
          [`${cluster.server.client} -h 127.0.0.1 -p ${replica.port} CLUSTER FAILOVER FORCE`],
        ],
      ]);

      const run = await fix(cluster, ['--yes', ...promote]);
      expect(run.result.actions).toHaveLength(1);
      expect(run.result.actions[0]).toMatchObject({
        remedy: 'promote-replica',
        subCase: 'force',
        status: 'applied',
      });
      expect(run.result.actions[0]?.commands).toEqual([`${replica.address} CLUSTER FAILOVER FORCE`]);
      expect(String(await replica.process.command('INFO', 'replication'))).toContain('role:master');
      await cluster.waitFor('every live node ok', async () => {
        for (const n of cluster.nodes.filter((x) => x.process.alive))
          if (!String(await n.process.command('CLUSTER', 'INFO')).includes('cluster_state:ok')) return false;
        return true;
      });
      await expectOkEverywhere(cluster);
      expect((await keyLedger(cluster)).perSlot).toEqual(before.perSlot);
      expect(run.result.after.findings.map((f) => f.id)).not.toContain('slots-owner-failed');
    });
  });
});
