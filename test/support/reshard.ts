import { expect } from 'vitest';
import type { Faults, HarnessNode, TestCluster } from '../../lib/harness';
import { keyLedger } from '../../lib/harness';
import type { FixResult } from '../../lib/remediate/fix';
import { expectNoKeyLost, expectOkEverywhere, fix, startWriter } from './fix';

/** The migration marks a node prints on its own line, e.g. `[500->-<id>]`, sorted. */
export const openMarkers = async (node: HarnessNode): Promise<string[]> =>
  (String(await node.process.command('CLUSTER', 'NODES')).match(/\[\d+-[<>]-[0-9a-f]+\]/g) ?? []).sort();

/** The one stabilize action of a fix run, with the plan entry that allowed it. */
export function stabilizeOf(result: FixResult) {
  const actions = result.actions.filter((a) => a.remedy === 'stabilize-open-slot');
  expect(actions, JSON.stringify(result.actions)).toHaveLength(1);
  const entry = result.plan.entries.find((e) => e.action.key === actions[0]?.key);
  return { action: actions[0], entry };
}

/**
 * `fix --yes` with a writer into `writerSlot` on `writerOn`, then the proofs every case shares: the
 * action applied, 0 keys and 0 acknowledged writes lost, `cluster_state:ok` on every live node.
 */
export async function fixWithWriter(cluster: TestCluster, writerOn: HarnessNode, writerSlot: number) {
  const before = await keyLedger(cluster);
  const writer = startWriter(writerOn, writerSlot);
  let written = 0;
  const run = await fix(cluster, ['--yes', '--settle-ms', '300']).finally(async () => {
    written = await writer.stop();
  });
  const { action, entry } = stabilizeOf(run.result);
  expect(action?.status, JSON.stringify(action)).toBe('applied');
  // The plan names each guard's verdict: every one passed.
  expect(entry?.verdicts?.map((v) => `${v.guard}:${v.status}`)).toEqual([
    'known-safe:pass',
    'failed-before:pass',
    'managed-service:pass',
    'allow-list:pass',
    'persistence:pass',
    'agreement:pass',
    'budget:pass',
    'mode:pass',
  ]);
  expect(written).toBeGreaterThan(0);
  await expectOkEverywhere(cluster);
  await expectNoKeyLost(cluster, before, { slot: writerSlot, written });
  return { run, action, before };
}

/**
 * Valkey 8 copies a MIGRATING mark to the source's replica, but not through the replication stream a
 * failover waits for: waits for the copy, or the heir may take over without it (then the case is
 * `resume`, not the one under test; a full run at a load of 14 once got there first). Once the copy
 * never came (a full run waited 20 s; the cause is not known), so the source is told again every 2 s
 * until its replica has the mark, as a reshard tool that retries would.
 */
export async function awaitReplicaCopiesMark(
  cluster: TestCluster,
  faults: Faults,
  slot: number,
  source: HarnessNode,
  target: HarnessNode,
): Promise<void> {
  let markedAt = Date.now();
  await cluster.waitFor(
    "the source's replica copies its MIGRATING mark",
    async () => {
      for (const n of cluster.nodes.filter((x) => x !== source && x.process.alive)) {
        const nodes = String(await n.process.command('CLUSTER', 'NODES'));
        const self = nodes.split('\n').find((l) => l.includes('myself')) ?? '';
        if (self.split(' ')[3] !== source.id || self.includes(`[${slot}->-${target.id}]`)) continue;
        if (Date.now() - markedAt > 2_000) {
          markedAt = Date.now();
          await faults.openSlot(slot, source, target, { migrating: true, importing: false });
        }
        return false;
      }
      return true;
    },
    60_000,
  );
}
