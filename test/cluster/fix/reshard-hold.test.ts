import { describe, expect, it } from 'vitest';
import type { HarnessNode, TestCluster } from '../../../lib/harness';
import { keyLedger, keysInSlot, loadKeys, RedisProcess } from '../../../lib/harness';
import { flagsOf } from '../../../lib/harness/faults';
import { checkCluster, findingsWith } from '../../support/check';
import { withCluster } from '../../support/cluster';
import { expectNoKeyLost, expectOkEverywhere, fix, startWriter } from '../../support/fix';

const SLOT = 500; // owned by the first master, the seed every command is given
const WRITER_SLOT = 12_000; // owned by the third master

const openMarkers = async (node: HarnessNode): Promise<string[]> =>
  (String(await node.process.command('CLUSTER', 'NODES')).match(/\[\d+-[<>]-[0-9a-f]+\]/g) ?? []).sort();

const ownerIds = async (cluster: TestCluster, asking: HarnessNode) =>
  (await cluster.slotOwners(asking)).map((n) => n?.id ?? null);

/** Every live node says cluster_state:ok. */
const waitOk = (cluster: TestCluster) =>
  cluster.waitFor('every live node ok', async () => {
    for (const n of cluster.nodes.filter((x) => x.process.alive)) {
      if (!String(await n.process.command('CLUSTER', 'INFO')).includes('cluster_state:ok')) return false;
    }
    return true;
  });

describe('case 4: the target shard dies mid-move (master and replica)', () => {
  it('holds (slot still MIGRATING, no slot reassigned); once the node is back, a second fix finishes the move', async () => {
    await withCluster({ nodeTimeoutMs: 700 }, async (cluster, faults) => {
      const [a, b, c] = cluster.masters as [HarnessNode, HarnessNode, HarnessNode];
      await loadKeys(cluster, 0, keysInSlot(SLOT, 300));
      await faults.openSlot(SLOT, a, b);
      await faults.migrateKeys(SLOT, a, b, 120);
      // Its data is on disk when the hosts go (the harness runs without automatic saves).
      // The harness makes nodes[4] the second master's replica.
      for (const n of [b, cluster.nodes[4] as HarnessNode]) await n.process.command('SAVE');
      const shard = await faults.killShard(b);
      expect(shard).toHaveLength(2);
      const owners = await ownerIds(cluster, a);
      const [finding] = findingsWith(await checkCluster(cluster), 'slot-open');
      expect(finding?.severity).toBe('critical');
      expect(finding?.summary).toContain(`the move's target ${b.address} (${b.id.slice(0, 8)}) is down`);
      expect(finding?.summary).toContain('no replica took over, the keys it holds exist only there');

      const held = await fix(cluster, ['--yes', '--settle-ms', '300']);
      const stabilize = held.result.actions.find((x) => x.remedy === 'stabilize-open-slot');
      expect(stabilize).toMatchObject({ status: 'escalated', guard: 'known-safe' });
      expect(stabilize?.reason).toMatch(/^hold: the move's target .* is down with its whole shard/);
      expect(stabilize?.runbook?.join('\n')).toContain(`cluster-doctor fix ${a.address} --yes`);
      expect(held.result.actions.filter((x) => x.status === 'applied')).toEqual([]);
      expect(held.status).toBe(2);
      // Nothing changed: still MIGRATING, no slot reassigned, the source's keys where they were.
      expect(await openMarkers(a)).toEqual([`[${SLOT}->-${b.id}]`]);
      expect(await ownerIds(cluster, a)).toEqual(owners);
      expect(Number(await a.process.command('CLUSTER', 'COUNTKEYSINSLOT', SLOT))).toBe(180);

      // The hosts come back with their disks: same ports, nodes.conf and RDB.
      for (const n of shard) await n.process.restart();
      await waitOk(cluster);
      await cluster.waitFor(
        'the target back with its keys',
        async () => Number(await b.process.command('CLUSTER', 'COUNTKEYSINSLOT', SLOT)) === 120,
      );
      const before = await keyLedger(cluster);
      const writer = startWriter(c, WRITER_SLOT);
      let written = 0;
      const run = await fix(cluster, ['--yes', '--settle-ms', '300']).finally(async () => {
        written = await writer.stop();
      });
      const done = run.result.actions.find((x) => x.remedy === 'stabilize-open-slot');
      expect(done, JSON.stringify(run.result.actions)).toMatchObject({
        subCase: 'complete',
        status: 'applied',
      });
      expect(done?.keysBefore).toEqual({ [SLOT]: 300 });
      expect(done?.keysAfter).toEqual({ [SLOT]: 300 });
      await expectOkEverywhere(cluster);
      await expectNoKeyLost(cluster, before, { slot: WRITER_SLOT, written });
      expect(await cluster.ownerOf(SLOT, c)).toBe(b);
    });
  });
});

describe('case 5: a dead node named by a migration mark is never forgotten while the mark stands', () => {
  it('a node added for a rebalance dies mid-move: forget-ghost-node and stabilize both hold; back, the move finishes', async () => {
    await withCluster({ nodeTimeoutMs: 700 }, async (cluster, faults) => {
      const [a, , c] = cluster.masters as [HarnessNode, HarnessNode, HarnessNode];
      // A new, empty master joins (what a rebalance onto a new node starts with).
      const process = await RedisProcess.start({ server: cluster.server, nodeTimeoutMs: 700 });
      try {
        const e: HarnessNode = {
          process,
          id: String(await process.command('CLUSTER', 'MYID')),
          port: process.port,
          address: process.address,
        };
        await process.command('CLUSTER', 'MEET', '127.0.0.1', a.port, a.process.busPort);
        const everyone = [...cluster.nodes, e];
        await cluster.waitFor('every node knows the new one', async () => {
          for (const n of everyone) {
            const text = String(await n.process.command('CLUSTER', 'NODES'));
            if (!text.includes(e.id) || /handshake|noaddr/.test(text) || text.trim().split('\n').length !== 7)
              return false;
          }
          return String(await process.command('CLUSTER', 'INFO')).includes('cluster_state:ok');
        });
        await loadKeys(cluster, 0, keysInSlot(SLOT, 300));
        await faults.openSlot(SLOT, a, e);
        await faults.migrateKeys(SLOT, a, e, 120);
        await process.command('SAVE');
        await process.kill();
        await cluster.waitFor('every live node flags the new node fail', async () => {
          for (const n of cluster.nodes) {
            const line = String(await n.process.command('CLUSTER', 'NODES'))
              .split('\n')
              .find((l) => l.startsWith(e.id));
            if (!flagsOf(line ?? '').includes('fail')) return false;
          }
          return true;
        });
        const before = await keyLedger(cluster);
        const run = await fix(cluster, [
          '--yes',
          '--settle-ms',
          '300',
          '--allow',
          'forget-ghost-node,stabilize-open-slot',
          '--ghost-min-age-ms',
          '0',
        ]);
        const forget = run.result.actions.find((x) => x.remedy === 'forget-ghost-node');
        expect(forget).toMatchObject({ status: 'escalated', guard: 'known-safe' });
        expect(forget?.reason).toContain(`${a.address} migrates slot ${SLOT} to it`);
        // On Valkey 8 the source's replica has a copy of the mark too: "those marks".
        expect(forget?.reason).toMatch(/forgetting it would clear (that mark|those marks)/);
        const stabilize = run.result.actions.find((x) => x.remedy === 'stabilize-open-slot');
        expect(stabilize).toMatchObject({ status: 'escalated' });
        expect(stabilize?.reason).toMatch(
          /^hold: .*owns no slot now and no live node holds or imports a key/,
        );
        // Still known everywhere, the mark still there, no key gone.
        for (const n of cluster.nodes)
          expect(String(await n.process.command('CLUSTER', 'NODES'))).toContain(e.id);
        expect(await openMarkers(a)).toEqual([`[${SLOT}->-${e.id}]`]);
        expect(await keyLedger(cluster)).toEqual(before);

        // Back with its data: the move finishes.
        await process.restart();
        await waitOk(cluster);
        await cluster.waitFor('every node sees the new node back', async () => {
          for (const n of cluster.nodes) {
            const line = String(await n.process.command('CLUSTER', 'NODES'))
              .split('\n')
              .find((l) => l.startsWith(e.id));
            if (!line || flagsOf(line).some((f) => f.startsWith('fail'))) return false;
          }
          return String(await process.command('CLUSTER', 'INFO')).includes('cluster_state:ok');
        });
        const ledger = await keyLedger(cluster);
        const writer = startWriter(c, WRITER_SLOT);
        let written = 0;
        const again = await fix(cluster, ['--yes', '--settle-ms', '300']).finally(async () => {
          written = await writer.stop();
        });
        const finished = again.result.actions.find((x) => x.remedy === 'stabilize-open-slot');
        expect(finished, JSON.stringify(finished)).toMatchObject({
          subCase: 'complete',
          status: 'applied',
        });
        await expectOkEverywhere(cluster);
        // The new node is not one of the harness's own: its keys are counted here, the rest by the ledger.
        expect(Number(await process.command('CLUSTER', 'COUNTKEYSINSLOT', SLOT))).toBe(300);
        expect(Number(await a.process.command('CLUSTER', 'COUNTKEYSINSLOT', SLOT))).toBe(0);
        const after = await keyLedger(cluster);
        const expected = new Map(ledger.perSlot);
        expected.delete(SLOT);
        expected.set(WRITER_SLOT, (expected.get(WRITER_SLOT) ?? 0) + written);
        expect(after.perSlot).toEqual(expected);
        expect(written).toBeGreaterThan(0);
      } finally {
        await process.stop();
      }
    });
  });
});
