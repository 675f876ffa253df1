import { describe, expect, it } from 'vitest';
import type { HarnessNode } from '../../../lib/harness';
import { keyLedger, keysInSlot, loadKeys, writeKeys } from '../../../lib/harness';
import { observeCluster } from '../../../lib/observe';
import { checkCluster, findingsWith } from '../../support/check';
import { withCluster } from '../../support/cluster';

describe('key counts per slot', () => {
  it('the same counts in one scripted round trip and, where scripts are refused, from a pipeline', async () => {
    await withCluster({ replicasPerMaster: 0 }, async (cluster, faults) => {
      const [a, b, c] = cluster.masters as [HarnessNode, HarnessNode, HarnessNode];
      await loadKeys(cluster, 5000);
      await loadKeys(cluster, 0, keysInSlot(300, 40));
      await faults.openSlot(300, a, b);
      await faults.migrateKeys(300, a, b, 15);
      // Only the importing side open (a reshard that died before MIGRATING was set): A owns 301 and has no mark.
      await loadKeys(cluster, 0, keysInSlot(301, 7));
      await b.process.command('CLUSTER', 'SETSLOT', 301, 'IMPORTING', a.id);
      // Keys C holds in a slot it does not own (written while importing, then closed): a deep scan finds them.
      await c.process.command('CLUSTER', 'SETSLOT', 77, 'IMPORTING', a.id);
      await writeKeys(c, keysInSlot(77, 3, 'stray'), true);
      await c.process.command('CLUSTER', 'SETSLOT', 77, 'STABLE');
      await faults.aclUserWithout('noscripts', 'noscripts-pw', '-@scripting');

      for (const node of [a, c]) await node.process.command('CONFIG', 'RESETSTAT');
      const scripted = await observeCluster([a.address], {});
      // The deep scan of a master is one script call, in the pipeline that asks for its view (itself a
      // script call: the view summarized on the node, lib/observe/view-summary.ts), not thousands of
      // commands. A is asked once more, for 301: the one slot that matters which it owns and has not
      // marked open, so its survey counted it only in a sum.
      const evals = async (node: HarnessNode) =>
        /cmdstat_eval:calls=(\d+),/.exec(String(await node.process.command('INFO', 'commandstats')))?.[1];
      expect(await evals(c)).toBe('2');
      expect(await evals(a)).toBe('3');
      const piped = await observeCluster([a.address], { username: 'noscripts', password: 'noscripts-pw' });
      const counts = (s: typeof scripted) =>
        Object.fromEntries(s.nodes.map((n) => [n.address, [n.slotKeyCounts, n.info?.keyspace?.dbsize]]));
      expect(counts(piped)).toEqual(counts(scripted));

      const ledger = await keyLedger(cluster);
      const onA = scripted.nodes.find((n) => n.address === a.address);
      const onB = scripted.nodes.find((n) => n.address === b.address);
      const onC = scripted.nodes.find((n) => n.address === c.address);
      expect(onA?.slotKeyCounts?.['300']).toBe(25);
      expect(onB?.slotKeyCounts?.['300']).toBe(15);
      expect(onA?.slotKeyCounts?.['301']).toBe(7);
      expect(onB?.slotKeyCounts?.['301']).toBe(0);
      expect(onC?.slotKeyCounts).toEqual({ '77': 3, '300': 0, '301': 0 });
      expect(Number(onA?.info?.keyspace?.dbsize)).toBe(ledger.perNode.get(a.address));

      for (const options of [{}, { username: 'noscripts', password: 'noscripts-pw' }]) {
        const report = await checkCluster(cluster, options);
        expect(findingsWith(report, 'keys-in-unowned-slot')[0]?.slots).toEqual([[77, 77]]);
      }
    });
  });
});
