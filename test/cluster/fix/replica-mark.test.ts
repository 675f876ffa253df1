import { describe, expect, it } from 'vitest';
import type { HarnessNode } from '../../../lib/harness';
import { defaultServer, keyLedger, keysInSlot, loadKeys } from '../../../lib/harness';
import { checkCluster, findingsWith } from '../../support/check';
import { withCluster } from '../../support/cluster';
import { expectNoKeyLost, expectOkEverywhere, fix } from '../../support/fix';

const SLOT = 500; // owned by the first master
const ownMarks = async (node: HarnessNode): Promise<string[]> =>
  String(await node.process.command('CLUSTER', 'NODES'))
    .split('\n')
    .find((l) => l.includes('myself'))
    ?.match(/\[\d+-[<>]-[0-9a-f]+\]/g) ?? [];

describe('case 6: a replica left with a migration mark its primary does not have', () => {
  it('Valkey 8: a full resync keeps the stale copy; found, and cleared by STABLE on the primary (replicated). Redis 7: replicas never copy marks', async () => {
    await withCluster({}, async (cluster, faults) => {
      const [a, b] = cluster.masters as [HarnessNode, HarnessNode];
      const replica = cluster.nodes[3] as HarnessNode; // the first master's
      await loadKeys(cluster, 0, keysInSlot(SLOT, 50));
      await faults.openSlot(SLOT, a, b, { migrating: true, importing: false });
      if (defaultServer().family !== 'valkey') {
        // Redis 7 does not replicate SETSLOT: the replica has no copy, so there is nothing stale to find.
        expect(await ownMarks(replica)).toEqual([]);
        expect(findingsWith(await checkCluster(cluster), 'replica-mark-stale')).toEqual([]);
        await faults.stabilize(SLOT, [a]);
        return;
      }
      // Valkey 8.0.1 copies the mark; the replica then misses the primary's STABLE: its link is down,
      // and the primary's backlog overflows, so it comes back by a full resync, which carries no marks.
      await cluster.waitFor(
        'the replica copies the mark',
        async () => (await ownMarks(replica)).length === 1,
      );
      await a.process.command('CONFIG', 'SET', 'repl-backlog-size', 16_384);
      await faults.breakReplicationAuth(replica);
      await cluster.waitFor('the replica link down', async () =>
        String(await replica.process.command('INFO', 'replication')).includes('master_link_status:down'),
      );
      await faults.stabilize(SLOT, [a]);
      await loadKeys(cluster, 0, keysInSlot(100, 3000, 'pad'));
      await replica.process.command('CONFIG', 'SET', 'masterauth', '');
      await cluster.waitFor('the replica in sync again', async () => {
        const info = String(await replica.process.command('INFO', 'replication'));
        return info.includes('master_link_status:up') && info.includes('master_sync_in_progress:0');
      });
      expect(await ownMarks(replica)).toEqual([`[${SLOT}->-${b.id}]`]);
      expect(await ownMarks(a)).toEqual([]);
      const [finding] = findingsWith(await checkCluster(cluster), 'replica-mark-stale');
      expect(finding?.summary).toBe(
        `replica ${replica.address} shows slot ${SLOT} migrating to ${b.address}; its primary ${a.address} has no mark on that slot: a failover would promote a phantom open slot`,
      );
      const before = await keyLedger(cluster);
      const run = await fix(cluster, ['--yes', '--settle-ms', '300']);
      expect(run.result.actions).toHaveLength(1);
      expect(run.result.actions[0]).toMatchObject({
        remedy: 'stabilize-open-slot',
        key: `stabilize-open-slot:replica-mark:${SLOT}`,
        subCase: 'replica-mark',
        status: 'applied',
        commands: [`${a.address} CLUSTER SETSLOT ${SLOT} STABLE`],
      });
      expect(await ownMarks(replica)).toEqual([]);
      expect(run.result.after.findings.map((f) => f.id)).not.toContain('replica-mark-stale');
      await expectOkEverywhere(cluster);
      await expectNoKeyLost(cluster, before);
    });
  });
});
