import { describe, expect, it } from 'vitest';
import { configDisagreement } from '../../lib/checks/config-disagreement';
import { disagreementOutside } from '../../lib/guard/agreement';
import { type HarnessNode, keysInSlot } from '../../lib/harness';
import { ClusterView } from '../../lib/model/view';
import { observeCluster } from '../../lib/observe';
import { SLOT_COUNT } from '../../lib/topology/types';
import { withCluster } from '../support/cluster';

/** slot -> owner id by the node's own routing table (`CLUSTER SLOTS`: where it sends clients). */
async function routingTable(node: HarnessNode): Promise<(string | undefined)[]> {
  const table = new Array<string | undefined>(SLOT_COUNT).fill(undefined);
  const reply = (await node.process.command('CLUSTER', 'SLOTS')) as [
    number,
    number,
    [string, number, string],
  ][];
  for (const [first, last, [, , id]] of reply) table.fill(id, first, last + 1);
  return table;
}

/**
 * Guards, checks and remedies read one owner table (`ClusterView.ownersIn`). Before, the agreement
 * guard kept its own, where the last line claiming a slot won, while the view let the first win. On
 * a real, lasting disagreement (a node importing slots keeps their old owner while the others moved
 * on) this shows why the tie rule never decides anything on real output, and what makes the table
 * right: a node prints each slot under exactly one line (it has one owner per slot), and the table
 * built from that text is, slot for slot, the node's own routing (`CLUSTER SLOTS`, and the MOVED
 * it answers). A slot listed twice can only come from damaged text; the first line then wins.
 * Redis 7 only (the default server): Valkey 8.0.1 does not keep such a split (its importing node
 * claims the slots itself; see test/cluster/checks/slots.test.ts).
 */
describe('one owner table, checked against the nodes on a real disagreement', () => {
  it("each view's table is that node's own routing; guard and check see the same split", async () => {
    await withCluster({ replicasPerMaster: 0 }, async (cluster) => {
      // Epochs 1, 2, 3 in master order: y's claim beats a's in gossip, but x, importing the slots,
      // ignores every claim on them and keeps a.
      const [a, x, y] = cluster.masters as [HarnessNode, HarnessNode, HarnessNode];
      for (const slot of [100, 101]) {
        await x.process.command('CLUSTER', 'SETSLOT', slot, 'IMPORTING', a.id);
        await y.process.command('CLUSTER', 'SETSLOT', slot, 'NODE', y.id);
      }
      await cluster.waitFor('a routes slot 101 to y', async () => (await routingTable(a))[101] === y.id);
      const snapshot = await observeCluster([a.address]);
      const view = new ClusterView(snapshot);
      expect(view.observers).toHaveLength(3);

      for (const { observation } of view.observers) {
        // One line per slot in every real view: first-claim and last-claim cannot differ here.
        const claims = new Array<number>(SLOT_COUNT).fill(0);
        for (const entry of observation.clusterNodes ?? [])
          for (const [first, last] of entry.slots)
            for (let s = first; s <= last; s++) claims[s] = (claims[s] ?? 0) + 1;
        expect(Math.max(...claims), observation.address).toBe(1);
        // The table is the node's routing, slot for slot.
        const node = cluster.masters.find((m) => m.address === observation.address) as HarnessNode;
        expect(view.ownersIn(observation), observation.address).toEqual(await routingTable(node));
      }
      const ownerBy = (node: HarnessNode) => {
        const observation = view.nodes.get(node.id)?.observation;
        return observation && view.ownerIn(observation, 100);
      };
      expect([ownerBy(a), ownerBy(x), ownerBy(y)]).toEqual([y.id, a.id, y.id]);
      // What a client is told: x sends it to a, a sends it to y.
      const [key] = keysInSlot(100, 1) as [string];
      await expect(x.process.command('GET', key)).rejects.toThrow(`MOVED 100 127.0.0.1:${a.port}`);
      await expect(a.process.command('GET', key)).rejects.toThrow(`MOVED 100 127.0.0.1:${y.port}`);

      // The guard and the check read that same table and agree on the split and its extent.
      const split = disagreementOutside(view, []);
      expect(split?.slot).toBe(100);
      expect([split?.a, split?.b]).toContain(x.address);
      expect(disagreementOutside(view, [[100, 101]])).toBeUndefined();
      expect(view.majorityOwner(100)).toBe(y.id);
      const [finding] = configDisagreement.run(snapshot);
      expect(finding?.slots).toEqual([[100, 101]]);
      expect(finding?.nodes).toEqual([x.address]);
    });
  });
});
