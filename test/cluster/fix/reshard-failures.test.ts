import { describe, expect, it } from 'vitest';
import type { HarnessNode, TestCluster } from '../../../lib/harness';
import { defaultServer, keyLedger, keysInSlot, loadKeys } from '../../../lib/harness';
import { checkCluster, checkUntil, findingsWith } from '../../support/check';
import { withCluster } from '../../support/cluster';
import { expectNoKeyLost, expectOkEverywhere, fix } from '../../support/fix';
import { awaitReplicaCopiesMark, fixWithWriter as fixWith, openMarkers } from '../../support/reshard';

const SLOT = 500; // owned by the first master
const SOURCE_SLOT = 6000; // owned by the second master
const WRITER_SLOT = 12_000; // owned by the third master
const valkey = defaultServer().family === 'valkey';
const fixWithWriter = (cluster: TestCluster, writerOn: HarnessNode) =>
  fixWith(cluster, writerOn, WRITER_SLOT);

/**
 * Case 1 on Valkey 8.0.1: the importing target claims the slot itself within a second of the source
 * naming it (the state heals without a fix); `fix` then finds nothing to do and no key is lost.
 */
async function healsOnValkey(cluster: TestCluster, target: HarnessNode) {
  const before = await keyLedger(cluster);
  await cluster.waitFor('the target owns the slot everywhere, no mark left', async () => {
    for (const n of cluster.nodes) {
      if ((await openMarkers(n)).length > 0 || (await cluster.ownerOf(SLOT, n)) !== target) return false;
    }
    return true;
  });
  const run = await fix(cluster, ['--yes', '--settle-ms', '300']);
  expect(run.result.actions).toEqual([]);
  expect(run.result.after.status).toBe('ok');
  await expectOkEverywhere(cluster);
  await expectNoKeyLost(cluster, before);
}

describe('case 1: partial finalisation (SETSLOT NODE reached some nodes, not the importing target)', () => {
  for (const told of ['the source and the third master', 'only the source'] as const) {
    it(`${told} learnt the new owner, the target still IMPORTING with every key: finalise on the target (Valkey 8: heals itself)`, async () => {
      await withCluster({}, async (cluster, faults) => {
        const [a, b, c] = cluster.masters as [HarnessNode, HarnessNode, HarnessNode];
        await loadKeys(cluster, 0, keysInSlot(SLOT, 300));
        await faults.openSlot(SLOT, a, b);
        await faults.migrateKeys(SLOT, a, b);
        // redis-cli's last step, interrupted: the source (and maybe another master) learnt the new owner.
        await faults.setSlotOwner(SLOT, b, told === 'only the source' ? [a] : [a, c]);
        if (valkey) {
          await healsOnValkey(cluster, b);
          return;
        }
        expect(await openMarkers(b)).toEqual([`[${SLOT}-<-${a.id}]`]);
        expect(await openMarkers(a)).toEqual([]);
        const [finding] = findingsWith(await checkCluster(cluster), 'slot-open');
        expect(finding?.summary).toBe(`slot ${SLOT} is open: ${b.address} importing from ${a.address}`);
        const { action, run } = await fixWithWriter(cluster, c);
        expect(action?.subCase).toBe('importer-finalise');
        expect(action?.reason).toBe('verified');
        expect(run.result.after.status).toBe('ok');
        const setslots = action?.commands ?? [];
        expect(setslots[0]).toBe(`${b.address} CLUSTER SETSLOT ${SLOT} NODE ${b.id}`);
        expect(setslots).toHaveLength(told === 'only the source' ? 3 : 2);
        expect(await cluster.ownerOf(SLOT, c)).toBe(b);
        expect(Number(await b.process.command('CLUSTER', 'COUNTKEYSINSLOT', SLOT))).toBe(300);
      });
    });
  }
});

describe('case 2: the target master dies mid-move and its replica is promoted', () => {
  it('re-targets the move to the promoted node and finishes it', async () => {
    await withCluster({ nodeTimeoutMs: 700 }, async (cluster, faults) => {
      const [a, b, c] = cluster.masters as [HarnessNode, HarnessNode, HarnessNode];
      await loadKeys(cluster, 0, keysInSlot(SLOT, 300));
      await faults.openSlot(SLOT, a, b);
      await faults.migrateKeys(SLOT, a, b, 120);
      const heir = await faults.killAndFailover(b);
      if (valkey) {
        // Valkey 8.0.1 re-targets the source's mark itself: the promoted node keeps the IMPORTING
        // mark it replicated, and the source learns to migrate to it. An ordinary `complete`.
        await cluster.waitFor('the source migrating to the promoted node', async () =>
          (await openMarkers(a)).includes(`[${SLOT}->-${heir.id}]`),
        );
        expect(await openMarkers(heir)).toEqual([`[${SLOT}-<-${a.id}]`]);
      } else {
        // Redis 7: the promoted node holds the moved keys with no mark; the source migrates to the dead id.
        expect(await openMarkers(a)).toEqual([`[${SLOT}->-${b.id}]`]);
        expect(await openMarkers(heir)).toEqual([]);
        // The heir's promotion reaches every view by gossip: on a busy host (load 12) the first look
        // still read "owns no slot now". Wait for it; if it never comes, the expectations say what was seen.
        const promoted = `${heir.address} (${heir.id.slice(0, 8)}) was promoted`;
        const report = await checkUntil(cluster, (r) =>
          (findingsWith(r, 'slot-open')[0]?.summary ?? '').includes(promoted),
        ).catch(() => checkCluster(cluster));
        const [finding] = findingsWith(report, 'slot-open');
        expect(finding?.summary).toContain(`${b.address} (${b.id.slice(0, 8)}) is down`);
        // What the checker saw of each node, should the heir still not be named (busy runs, load 12).
        expect(finding?.summary, JSON.stringify(report.nodes)).toContain(promoted);
        expect(finding?.severity).toBe('critical');
      }
      const { action } = await fixWithWriter(cluster, c);
      expect(action?.subCase).toBe(valkey ? 'complete' : 'retarget-promoted-target');
      // The ledger counts the promoted node's keys: 120 there, 180 on the source.
      expect(action?.keysBefore).toEqual({ [SLOT]: 300 });
      expect(action?.keysAfter).toEqual({ [SLOT]: 300 });
      expect(action?.keysMoved).toBe(180);
      expect(await cluster.ownerOf(SLOT, c)).toBe(heir);
      expect(Number(await heir.process.command('CLUSTER', 'COUNTKEYSINSLOT', SLOT))).toBe(300);
    });
  });
});

describe('case 3: the source master dies mid-move and its replica is promoted', () => {
  it('brings the target view back, resumes from the promoted source and finishes', async () => {
    await withCluster({ nodeTimeoutMs: 700 }, async (cluster, faults) => {
      // The source is the second master (the first is the seed every command is given, and stays up).
      const [b, a, c] = cluster.masters as [HarnessNode, HarnessNode, HarnessNode];
      await loadKeys(cluster, 0, keysInSlot(SOURCE_SLOT, 300));
      await faults.openSlot(SOURCE_SLOT, a, b);
      await faults.migrateKeys(SOURCE_SLOT, a, b, 120);
      // Valkey 8: the source's replica must hold the MIGRATING mark before the failover (see the helper).
      if (valkey) await awaitReplicaCopiesMark(cluster, faults, SOURCE_SLOT, a, b);
      const heir = await faults.killAndFailover(a);
      if (valkey) {
        // Valkey 8.0.1: the promoted node keeps the MIGRATING mark and the target re-points its
        // IMPORTING mark to it: an ordinary `complete`, every node ok.
        let seen = '';
        await cluster
          .waitFor('the target importing from the promoted node, which migrates to it', async () => {
            const [onTarget, onHeir] = [await openMarkers(b), await openMarkers(heir)];
            seen = `target ${onTarget.join() || 'none'}, promoted ${onHeir.join() || 'none'}, dead ${a.id.slice(0, 8)}, promoted ${heir.id.slice(0, 8)}`;
            return (
              onTarget.includes(`[${SOURCE_SLOT}-<-${heir.id}]`) &&
              onHeir.join() === `[${SOURCE_SLOT}->-${b.id}]`
            );
          })
          .catch((error: Error) => {
            throw new Error(`${error.message}; last seen: ${seen}`);
          });
      } else {
        // Redis 7: the importing target ignores gossip about the slot's owner: it still names the
        // dead node, says cluster_state:fail, and its shard answers CLUSTERDOWN; every other node is ok.
        expect(await openMarkers(b)).toEqual([`[${SOURCE_SLOT}-<-${a.id}]`]);
        expect(await openMarkers(heir)).toEqual([]);
        await cluster.waitFor('the target reports cluster_state:fail', async () =>
          String(await b.process.command('CLUSTER', 'INFO')).includes('cluster_state:fail'),
        );
        expect(String(await c.process.command('CLUSTER', 'INFO'))).toContain('cluster_state:ok');
        // As in case 2: the heir's promotion may reach the views a moment after the target's state.
        const promoted = `${heir.address} (${heir.id.slice(0, 8)}) was promoted`;
        const report = await checkUntil(cluster, (r) =>
          (findingsWith(r, 'slot-open')[0]?.summary ?? '').includes(promoted),
        ).catch(() => checkCluster(cluster));
        const [finding] = findingsWith(report, 'slot-open');
        expect(finding?.severity).toBe('critical');
        expect(finding?.summary).toContain(`${a.address} (${a.id.slice(0, 8)}) is down`);
        expect(finding?.summary).toContain(promoted);
        expect(finding?.summary).toContain(`${b.address}, importing, ignores gossip`);
        expect(finding?.summary).toContain('still names the dead node as owner');
        expect(finding?.summary).toContain('cluster_state:fail');
      }
      const { action } = await fixWithWriter(cluster, c);
      expect(action?.subCase).toBe(valkey ? 'complete' : 'retarget-promoted-source');
      expect(action?.keysBefore).toEqual({ [SOURCE_SLOT]: 300 });
      expect(action?.keysAfter).toEqual({ [SOURCE_SLOT]: 300 });
      expect(action?.keysMoved).toBe(180);
      expect(await cluster.ownerOf(SOURCE_SLOT, c)).toBe(b);
      expect(Number(await b.process.command('CLUSTER', 'COUNTKEYSINSLOT', SOURCE_SLOT))).toBe(300);
    });
  });
});
