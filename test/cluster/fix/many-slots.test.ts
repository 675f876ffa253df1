import { describe, expect, it } from 'vitest';
import type { HarnessNode, TestCluster } from '../../../lib/harness';
import { keyLedger, keysInSlot, loadKeys } from '../../../lib/harness';
import { withCluster } from '../../support/cluster';
import { expectNoKeyLost, expectOkEverywhere, fix, startWriter } from '../../support/fix';

const SLOTS = 1000; // slots 0-999, owned by the first master (Redis's own 21-many-slot-migration test leaves 1000)
const KEYS_PER_SLOT = 10;
const MOVED_PER_SLOT = 4;
const WRITER_SLOT = 12_000; // owned by the third master

/**
 * An interrupted rebalance: slots 0-999 open between the same two masters (IMPORTING on the target,
 * MIGRATING on the source, redis-cli's order), 4 of each slot's 10 keys already moved.
 */
async function breakMany(cluster: TestCluster, a: HarnessNode, b: HarnessNode): Promise<void> {
  const slots = Array.from({ length: SLOTS }, (_, s) => s);
  await loadKeys(
    cluster,
    0,
    slots.flatMap((s) => keysInSlot(s, KEYS_PER_SLOT)),
  );
  // In pipelines of 100: on Valkey 8 each SETSLOT waits for the primary's replicas to apply it.
  const send = async (node: HarnessNode, commands: string[][]) => {
    for (let i = 0; i < commands.length; i += 100) {
      const pipeline = node.process.redis().pipeline();
      for (const [name, ...args] of commands.slice(i, i + 100)) pipeline.call(name as string, ...args);
      for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
    }
  };
  await send(
    b,
    slots.map((s) => ['CLUSTER', 'SETSLOT', String(s), 'IMPORTING', a.id]),
  );
  await send(
    a,
    slots.map((s) => ['CLUSTER', 'SETSLOT', String(s), 'MIGRATING', b.id]),
  );
  await send(
    a,
    slots.map((s) => [
      'MIGRATE',
      '127.0.0.1',
      String(b.port),
      '',
      '0',
      '5000',
      'KEYS',
      ...keysInSlot(s, MOVED_PER_SLOT),
    ]),
  );
}

describe('case 7: many slots open between the same two nodes', () => {
  it('1000 open slots with keys on both sides are closed in one run, as one action', async () => {
    await withCluster({}, async (cluster) => {
      const [a, b, c] = cluster.masters as [HarnessNode, HarnessNode, HarnessNode];
      await breakMany(cluster, a, b);
      const before = await keyLedger(cluster);
      const writer = startWriter(c, WRITER_SLOT);
      let written = 0;
      const run = await fix(cluster, ['--yes', '--settle-ms', '300']).finally(async () => {
        written = await writer.stop();
      });
      expect(run.result.actions).toHaveLength(1);
      const [action] = run.result.actions;
      expect(action).toMatchObject({
        remedy: 'stabilize-open-slot',
        subCase: 'complete',
        status: 'applied',
        slots: [[0, SLOTS - 1]],
        keysMoved: SLOTS * (KEYS_PER_SLOT - MOVED_PER_SLOT),
      });
      const entry = run.result.plan.entries[0];
      expect(entry?.action.summary).toMatch(/^1000 slots \(0-999\), each like slot 0: keys on both sides/);
      expect(Object.values(action?.keysBefore ?? {}).every((n) => n === KEYS_PER_SLOT)).toBe(true);
      expect(action?.keysAfter).toEqual(action?.keysBefore);
      expect(run.result.after.status).toBe('ok');
      expect(written).toBeGreaterThan(0);
      await expectOkEverywhere(cluster);
      await expectNoKeyLost(cluster, before, { slot: WRITER_SLOT, written });
      const owners = await cluster.slotOwners(c);
      expect(owners.slice(0, SLOTS).every((o) => o === b)).toBe(true);
    });
  }, 180_000);
});
