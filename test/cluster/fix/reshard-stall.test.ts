import { describe, expect, it } from 'vitest';
import type { HarnessNode } from '../../../lib/harness';
import { defaultServer, keysInSlot, loadKeys } from '../../../lib/harness';
import { checkCluster, findingsWith } from '../../support/check';
import { withCluster } from '../../support/cluster';
import { expectOneSlotMap } from '../../support/fix';
import { awaitReplicaCopiesMark, fixWithWriter, openMarkers } from '../../support/reshard';

/**
 * A node of a move stalls past the node timeout (SIGSTOP here; a long MIGRATE of a big key, a fork
 * or a paused VM in production), its replica is promoted, and the old node comes back as a replica
 * of it (issue 23). Unlike a death, the node a mark names answers: it is just no longer a master.
 */

const SLOT = 500; // owned by the first master
const SOURCE_SLOT = 6000; // owned by the second master
const WRITER_SLOT = 12_000; // owned by the third master
const valkey = defaultServer().family === 'valkey';
const redis70 = defaultServer().label === 'redis-7.0.15';

/** No node flagged failed, every master with a replica: what is left after the repair is `ok`. */
async function expectRepaired(after: { status: string; findings: { id: string }[] }) {
  expect(after.findings.map((f) => f.id)).not.toContain('slot-open');
  expect(after.status, JSON.stringify(after.findings.map((f) => f.id))).toBe('ok');
}

describe('the target master stalls mid-move, its replica is promoted, it returns as a replica', () => {
  it('re-targets the move to the promoted node and finishes it', async () => {
    await withCluster({ nodeTimeoutMs: 700 }, async (cluster, faults) => {
      const [a, b, c] = cluster.masters as [HarnessNode, HarnessNode, HarnessNode];
      await loadKeys(cluster, 0, keysInSlot(SLOT, 300));
      await faults.openSlot(SLOT, a, b);
      await faults.migrateKeys(SLOT, a, b, 120);
      const heir = await faults.stallAndFailover(b);
      if (valkey) {
        // Valkey 8.0.1 re-targets by itself: the promoted node keeps the IMPORTING mark it copied and
        // the source learns to migrate to it; the demoted node copies its new primary's mark. An
        // ordinary `complete`.
        await cluster.waitFor('the source migrating to the promoted node', async () =>
          (await openMarkers(a)).includes(`[${SLOT}->-${heir.id}]`),
        );
        expect(await openMarkers(heir)).toEqual([`[${SLOT}-<-${a.id}]`]);
      } else {
        // Redis 7: the source still migrates to the old target, a replica now (its demotion cleared
        // its own mark); the promoted node holds the moved keys with no mark, out of clients' reach.
        expect(await openMarkers(a)).toEqual([`[${SLOT}->-${b.id}]`]);
        expect(await openMarkers(heir)).toEqual([]);
        expect(await openMarkers(b)).toEqual([]);
        const report = await checkCluster(cluster);
        const [finding] = findingsWith(report, 'slot-open');
        expect(finding?.severity).toBe('critical');
        expect(finding?.summary).toContain(
          `the move's target ${b.address} (${b.id.slice(0, 8)}) is no longer a master: it is a replica of ${heir.address}`,
        );
        expect(finding?.summary).toContain(`${heir.address} (${heir.id.slice(0, 8)}) was promoted`);
        expect(finding?.evidence.replacedPeers).toEqual([
          { id: b.id, address: b.address, state: 'demoted', replicaOf: heir.address },
        ]);
        // The 120 moved keys are invisible to clients: the heir holds them in a slot it does not own.
        const [stranded] = findingsWith(report, 'keys-in-unowned-slot');
        expect(stranded?.severity).toBe('critical');
        expect(stranded?.nodes).toContain(heir.address);
      }
      const { action, run } = await fixWithWriter(cluster, c, WRITER_SLOT);
      expect(action?.subCase).toBe(valkey ? 'complete' : 'retarget-promoted-target');
      // The ledger counts the promoted node's keys: 120 there, 180 on the source.
      expect(action?.keysBefore).toEqual({ [SLOT]: 300 });
      expect(action?.keysAfter).toEqual({ [SLOT]: 300 });
      expect(action?.keysMoved).toBe(180);
      await expectRepaired(run.result.after);
      await expectOneSlotMap(cluster);
      expect(await cluster.ownerOf(SLOT, b)).toBe(heir);
      expect(Number(await heir.process.command('CLUSTER', 'COUNTKEYSINSLOT', SLOT))).toBe(300);
    });
  });
});

describe('the source master stalls mid-move, its replica is promoted, it returns as a replica', () => {
  it('gives the target its view back, resumes from the promoted source and finishes', async () => {
    await withCluster({ nodeTimeoutMs: 700 }, async (cluster, faults) => {
      // The source is the second master (the first is the seed every command is given, and stays up).
      const [b, a, c] = cluster.masters as [HarnessNode, HarnessNode, HarnessNode];
      await loadKeys(cluster, 0, keysInSlot(SOURCE_SLOT, 300));
      await faults.openSlot(SOURCE_SLOT, a, b);
      await faults.migrateKeys(SOURCE_SLOT, a, b, 120);
      if (valkey) await awaitReplicaCopiesMark(cluster, faults, SOURCE_SLOT, a, b);
      const heir = await faults.stallAndFailover(a);
      if (valkey) {
        // Valkey 8.0.1 re-targets by itself: the promoted node keeps the MIGRATING mark it copied and
        // the target re-points its IMPORTING mark to it. An ordinary `complete`.
        await cluster.waitFor(
          'the target importing from the promoted node, which migrates to it',
          async () => {
            const [onTarget, onHeir] = [await openMarkers(b), await openMarkers(heir)];
            return (
              onTarget.includes(`[${SOURCE_SLOT}-<-${heir.id}]`) &&
              onHeir.join() === `[${SOURCE_SLOT}->-${b.id}]`
            );
          },
        );
      } else {
        // Redis 7: the target still imports from the old source, a replica now. On 7.0 it dropped the
        // slot from its table when the source turned replica and, importing, ignores the gossip naming
        // the heir: it names no owner, says cluster_state:fail, and its shard answers CLUSTERDOWN.
        expect(await openMarkers(b)).toEqual([`[${SOURCE_SLOT}-<-${a.id}]`]);
        expect(await openMarkers(heir)).toEqual([]);
        if (redis70)
          await cluster.waitFor('the target reports cluster_state:fail', async () =>
            String(await b.process.command('CLUSTER', 'INFO')).includes('cluster_state:fail'),
          );
        const report = await checkCluster(cluster);
        const [finding] = findingsWith(report, 'slot-open');
        expect(finding?.severity).toBe('critical');
        expect(finding?.summary).toContain(
          `the move's source ${a.address} (${a.id.slice(0, 8)}) is no longer a master: it is a replica of ${heir.address}`,
        );
        expect(finding?.summary).toContain(`${heir.address} (${heir.id.slice(0, 8)}) was promoted`);
        if (redis70)
          expect(finding?.summary).toContain(
            `${b.address}, importing, ignores gossip about the slot: it names no owner for it (cluster_state:fail: its shard answers CLUSTERDOWN)`,
          );
      }
      const { action, run } = await fixWithWriter(cluster, c, WRITER_SLOT);
      expect(action?.subCase).toBe(valkey ? 'complete' : 'retarget-promoted-source');
      expect(action?.keysBefore).toEqual({ [SOURCE_SLOT]: 300 });
      expect(action?.keysAfter).toEqual({ [SOURCE_SLOT]: 300 });
      expect(action?.keysMoved).toBe(180);
      await expectRepaired(run.result.after);
      await expectOneSlotMap(cluster);
      expect(await cluster.ownerOf(SOURCE_SLOT, a)).toBe(b);
      expect(Number(await b.process.command('CLUSTER', 'COUNTKEYSINSLOT', SOURCE_SLOT))).toBe(300);
    });
  });
});
