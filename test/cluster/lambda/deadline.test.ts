import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileLock } from '../../../lib/guard/lock';
import { DEFAULT_BUDGET, type Policy } from '../../../lib/guard/types';
import { type HarnessNode, keyLedger, keysInSlot, loadKeys } from '../../../lib/harness';
import { type FixOptions, fixCluster } from '../../../lib/remediate/fix';
import { DEFAULT_SETTINGS } from '../../../lib/remedies/types';
import { withCluster } from '../../support/cluster';

const policy: Policy = { mode: 'auto', settleMs: 100, budget: DEFAULT_BUDGET, settings: DEFAULT_SETTINGS };
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cluster-doctor-deadline-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the remediation runner and the Lambda limit', () => {
  it('past its deadline it starts no action, says why, reports, and releases the lock', async () => {
    await withCluster({ replicasPerMaster: 0 }, async (cluster, faults) => {
      const [a, b] = cluster.masters as [HarnessNode, HarnessNode];
      await faults.openSlot(900, a, b);
      const lock = new FileLock(join(dir, 'lock'));
      const result = await fixCluster([a.address], {
        observe: {},
        policy,
        lock: () => lock,
        // The time left is already spent once the settle wait is over.
        deadlineAt: Date.now() + 50,
      });
      expect(result.actions.map((x) => [x.remedy, x.status, x.guard])).toEqual([
        ['stabilize-open-slot', 'skipped', 'deadline'],
      ]);
      expect(result.actions[0]?.reason).toMatch(/out of time/);
      expect(result.after.findings.map((f) => f.id)).toContain('slot-open');
      expect(await lock.holder()).toBeUndefined();
      expect(String(await a.process.command('CLUSTER', 'NODES'))).toContain(`[900->-${b.id}]`);
    });
  });

  it('a key move that reaches the deadline stops between rounds, keeps both marks and every key, and the next run resumes it', async () => {
    await withCluster({ replicasPerMaster: 0 }, async (cluster, faults) => {
      const [a, b] = cluster.masters as [HarnessNode, HarnessNode];
      const slot = 1234;
      await loadKeys(cluster, 0, keysInSlot(slot, 5000));
      const owner = (await cluster.ownerOf(slot)) as HarnessNode;
      const target = owner === a ? b : a;
      await faults.openSlot(slot, owner, target);
      await faults.migrateKeys(slot, owner, target, 100);
      const before = await keyLedger(cluster);
      const lock = new FileLock(join(dir, 'lock'));
      // The deadline passes as the first round of MIGRATEs ends (the move reports its progress then):
      // whatever the machine's speed, the move is cut between rounds, mid-slot.
      const options: FixOptions = {
        observe: {},
        policy,
        lock: () => lock,
        progress: () => {
          options.deadlineAt = Date.now();
        },
      };
      const first = await fixCluster([owner.address], options);
      expect(first.actions.map((x) => [x.subCase, x.status, x.guard])).toEqual([
        ['complete', 'stopped', 'deadline'],
      ]);
      const [stopped] = first.actions;
      expect(stopped?.reason).toMatch(/stopped at the run's deadline after moving \d+ key\(s\)/);
      expect(stopped?.keysMoved).toBeGreaterThan(0);
      expect(stopped?.keysMoved).toBeLessThan(4900);
      expect(await lock.holder()).toBeUndefined();
      // Both marks kept, keys on both sides, none lost: the known-safe `resume`/`complete` state.
      expect(String(await owner.process.command('CLUSTER', 'NODES'))).toContain(`[${slot}->-${target.id}]`);
      expect(String(await target.process.command('CLUSTER', 'NODES'))).toContain(`[${slot}-<-${owner.id}]`);
      expect(Number(await owner.process.command('CLUSTER', 'COUNTKEYSINSLOT', slot))).toBeGreaterThan(0);
      expect((await keyLedger(cluster)).total).toBe(before.total);

      const second = await fixCluster([owner.address], { observe: {}, policy, lock: () => lock });
      expect(second.actions.map((x) => [x.subCase, x.status])).toEqual([['complete', 'applied']]);
      expect(second.after.findings.map((f) => f.id)).not.toContain('slot-open');
      for (const node of cluster.nodes)
        expect(String(await node.process.command('CLUSTER', 'NODES'))).not.toMatch(/\[\d+-[<>]-/);
      expect(Number(await target.process.command('CLUSTER', 'COUNTKEYSINSLOT', slot))).toBe(5000);
      expect((await keyLedger(cluster)).total).toBe(before.total);
      expect(await cluster.ownerOf(slot)).toBe(target);
    });
  });
});
