import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Faults, HarnessNode, TestCluster } from '../../../lib/harness';
import { defaultServer, keyLedger, keysInSlot, loadKeys } from '../../../lib/harness';
import { withCluster } from '../../support/cluster';
import { expectNoKeyLost, expectOkEverywhere, expectOneSlotMap, fix, startWriter } from '../../support/fix';
import { BUNDLE, killFixWhen } from '../../support/fix-process';
import { awaitReplicaCopiesMark } from '../../support/reshard';

/**
 * A node of a move stalled past the node timeout and came back as a replica of its promoted replica
 * (issue 23); `fix` is SIGKILLed as it starts applying (around the re-targeting SETSLOTs on Redis 7)
 * and again in the middle of the move. Every step is derived from what is observed: a re-run
 * converges, whatever the kills left.
 */

const SLOT = 500; // owned by the first master, the seed
const SOURCE_SLOT = 6000; // owned by the second master
const WRITER_SLOT = 12_000; // owned by the third master
const KEYS = 20_000;
const valkey = defaultServer().family === 'valkey';

const countOn = async (node: HarnessNode, slot: number) =>
  Number(await node.process.command('CLUSTER', 'COUNTKEYSINSLOT', slot));

/**
 * With a writer on the third master: kill `fix` as it starts applying, kill it again once `target`
 * holds 8000 keys of `slot`, then run it to the end. Asserts what the last run did and the repair.
 */
async function killTwiceThenFix(
  cluster: TestCluster,
  c: HarnessNode,
  slot: number,
  target: HarnessNode,
  source: HarnessNode,
  expected: string[],
) {
  const before = await keyLedger(cluster);
  const writer = startWriter(c, WRITER_SLOT);
  let written = 0;
  try {
    expect(await killFixWhen(cluster, async (err) => err.includes('applying'))).toBe(true);
    const killedMidMove = await killFixWhen(cluster, async () => (await countOn(target, slot)) >= 8000);
    // Between the kills, no key of the slot is lost or doubled.
    expect((await countOn(source, slot)) + (await countOn(target, slot))).toBe(KEYS);
    const last = await fix(cluster, ['--yes', '--settle-ms', '200']);
    const action = last.result.actions.find((x) => x.remedy === 'stabilize-open-slot');
    expect(action?.status, JSON.stringify({ killedMidMove, action })).toBe('applied');
    expect(expected).toContain(action?.subCase);
    // Nothing is dead: every master has its replica (the demoted node replicates the heir), so the
    // report after the repair is `ok`, not a milder status.
    const left = last.result.after.findings.map((f) => f.id);
    expect(left).not.toContain('slot-open');
    expect(last.result.after.status, JSON.stringify(left)).toBe('ok');
  } finally {
    written = await writer.stop();
  }
  expect(written).toBeGreaterThan(0);
  await expectOkEverywhere(cluster);
  await expectOneSlotMap(cluster);
  await expectNoKeyLost(cluster, before, { slot: WRITER_SLOT, written });
  expect(await countOn(target, slot)).toBe(KEYS);
  expect(await cluster.ownerOf(slot, c)).toBe(target);
}

/** `KEYS` keys in `slot` on `source`, 500 of them moved to `target`, the slot open on both. */
async function halfMoved(
  cluster: TestCluster,
  faults: Faults,
  slot: number,
  source: HarnessNode,
  target: HarnessNode,
) {
  await loadKeys(cluster, 0, keysInSlot(slot, KEYS));
  await faults.openSlot(slot, source, target);
  await faults.migrateKeys(slot, source, target, 500);
}

describe('a stalled node of a move, with the fix run killed (SIGKILL) mid-remedy', () => {
  it('the target stalled and returned as a replica of its promoted replica; fix killed while re-targeting and mid-move; a re-run converges', async () => {
    expect(existsSync(BUNDLE), 'run `npm run build` first').toBe(true);
    await withCluster({ nodeTimeoutMs: 700 }, async (cluster, faults) => {
      const [a, b, c] = cluster.masters as [HarnessNode, HarnessNode, HarnessNode];
      await halfMoved(cluster, faults, SLOT, a, b);
      const heir = await faults.stallAndFailover(b);
      // Killed before the source was re-targeted, the re-run re-targets; after, it is an ordinary
      // move. Valkey 8.0.1 re-targets by itself (the heir keeps its copied IMPORTING mark, the source
      // re-points its MIGRATING mark): always an ordinary move there.
      const expected = valkey ? ['complete'] : ['retarget-promoted-target', 'complete'];
      await killTwiceThenFix(cluster, c, SLOT, heir, a, expected);
    });
  });

  it('the source stalled and returned as a replica of its promoted replica; fix killed while re-targeting and mid-move; a re-run converges', async () => {
    expect(existsSync(BUNDLE), 'run `npm run build` first').toBe(true);
    await withCluster({ nodeTimeoutMs: 700 }, async (cluster, faults) => {
      // The source is the second master (the first is the seed every command is given, and stays up).
      const [b, a, c] = cluster.masters as [HarnessNode, HarnessNode, HarnessNode];
      await halfMoved(cluster, faults, SOURCE_SLOT, a, b);
      if (valkey) await awaitReplicaCopiesMark(cluster, faults, SOURCE_SLOT, a, b);
      const heir = await faults.stallAndFailover(a);
      // Killed after the target was given the heir as owner and source but before the heir migrates,
      // the re-run resumes; after, it is an ordinary move. Valkey 8.0.1 re-targets by itself.
      const expected = valkey ? ['complete'] : ['retarget-promoted-source', 'resume', 'complete'];
      await killTwiceThenFix(cluster, c, SOURCE_SLOT, b, heir, expected);
    });
  });
});
