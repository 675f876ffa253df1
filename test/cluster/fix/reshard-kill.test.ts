import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { HarnessNode } from '../../../lib/harness';
import { defaultServer, keyLedger, keysInSlot, loadKeys } from '../../../lib/harness';
import { withCluster } from '../../support/cluster';
import { expectNoKeyLost, expectOkEverywhere, fix, startWriter } from '../../support/fix';
import { BUNDLE, killFixWhen } from '../../support/fix-process';

const SLOT = 500; // owned by the first master, the seed
const WRITER_SLOT = 12_000; // owned by the third master

describe('case 2 with the fix run killed (SIGKILL) mid-remedy', () => {
  it('the target died and its replica was promoted; fix is killed while re-targeting and while moving keys; a re-run converges', async () => {
    expect(existsSync(BUNDLE), 'run `npm run build` first').toBe(true);
    await withCluster({ nodeTimeoutMs: 700 }, async (cluster, faults) => {
      const [a, b, c] = cluster.masters as [HarnessNode, HarnessNode, HarnessNode];
      await loadKeys(cluster, 0, keysInSlot(SLOT, 20_000));
      await faults.openSlot(SLOT, a, b);
      await faults.migrateKeys(SLOT, a, b, 500);
      const heir = await faults.killAndFailover(b);
      const before = await keyLedger(cluster);
      const onHeir = async () => Number(await heir.process.command('CLUSTER', 'COUNTKEYSINSLOT', SLOT));
      const onA = async () => Number(await a.process.command('CLUSTER', 'COUNTKEYSINSLOT', SLOT));
      const writer = startWriter(c, WRITER_SLOT);
      let written = 0;
      try {
        // 1. Just as it starts applying: on Redis 7 around the re-targeting SETSLOTs.
        expect(await killFixWhen(cluster, async (err) => err.includes('applying'))).toBe(true);
        // 2. In the middle of moving keys to the promoted node.
        const killedMidMove = await killFixWhen(cluster, async () => (await onHeir()) >= 8000);
        expect((await onA()) + (await onHeir())).toBe(20_000);
        // Whatever the kills left, every step is derived from what is observed: a re-run finishes.
        const last = await fix(cluster, ['--yes', '--settle-ms', '200']);
        const action = last.result.actions.find((x) => x.remedy === 'stabilize-open-slot');
        expect(action?.status, JSON.stringify({ killedMidMove, action })).toBe('applied');
        // Killed before the source was re-targeted, the re-run re-targets; after, it is an ordinary move.
        // Valkey 8.0.1 re-targets by itself: always an ordinary move there.
        const expected =
          defaultServer().family === 'valkey' ? ['complete'] : ['retarget-promoted-target', 'complete'];
        expect(expected).toContain(action?.subCase);
        // What is left is the dead node itself (failed, unreachable, its heir without a replica).
        const left = last.result.after.findings.map((f) => f.id);
        expect(left).not.toContain('slot-open');
        expect(last.result.after.status).toBe('warning');
        expect(
          left.filter(
            (id) =>
              ![
                'node-failed',
                'node-unreachable',
                'node-handshake',
                'master-without-replica',
                'replica-colocated',
              ].includes(id),
          ),
        ).toEqual([]);
      } finally {
        written = await writer.stop();
      }
      expect(written).toBeGreaterThan(0);
      await expectOkEverywhere(cluster);
      await expectNoKeyLost(cluster, before, { slot: WRITER_SLOT, written });
      expect(await onHeir()).toBe(20_000);
      expect(await cluster.ownerOf(SLOT, c)).toBe(heir);
    });
  });
});
