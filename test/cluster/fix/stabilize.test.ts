import { describe, expect, it } from 'vitest';
import type { Faults, HarnessNode, TestCluster } from '../../../lib/harness';
import { defaultServer, keyLedger, keysInSlot, loadKeys, writeKeys } from '../../../lib/harness';
import { withCluster } from '../../support/cluster';
import { expectNoKeyLost, expectOkEverywhere, fix, startWriter } from '../../support/fix';

const SLOT = 500; // owned by the first master
const WRITER_SLOT = 12_000; // owned by the third master, never touched by the remedies

type Break = (cluster: TestCluster, faults: Faults, a: HarnessNode, b: HarnessNode) => Promise<void>;

/**
 * Breaks slot 500 one way, then runs `fix --yes` while a client keeps writing to another master,
 * and checks the sub-case chosen, the commands sent, the health of every node and the key ledger.
 */
async function stabilizes(
  subCase: string,
  breakIt: Break,
  expectedCommands: RegExp[],
  secure: { password?: string; tls?: boolean } = {},
) {
  const { password } = secure;
  await withCluster(secure, async (cluster, faults) => {
    const [a, b, c] = cluster.masters as [HarnessNode, HarnessNode, HarnessNode];
    await loadKeys(cluster, 2000);
    await loadKeys(cluster, 0, keysInSlot(SLOT, 300));
    await breakIt(cluster, faults, a, b);
    const before = await keyLedger(cluster);
    const writer = startWriter(c, WRITER_SLOT);
    let written = 0;
    const run = await fix(cluster, ['--yes', '--settle-ms', '300']).finally(async () => {
      written = await writer.stop();
    });
    const [action, ...rest] = run.result.actions;
    expect(rest, JSON.stringify(run.result.actions)).toEqual([]);
    expect(action).toMatchObject({ remedy: 'stabilize-open-slot', subCase, status: 'applied' });
    expect(action?.slots).toEqual([[SLOT, SLOT]]);
    expect(action?.commands).toHaveLength(expectedCommands.length);
    expectedCommands.forEach((pattern, i) => {
      expect(action?.commands[i]).toMatch(pattern);
    });
    expect(action?.keysAfter).toEqual(action?.keysBefore);
    expect(run.result.after.status).toBe('ok');
    expect(run.status).toBe(0);
    expect(written).toBeGreaterThan(0);
    await expectOkEverywhere(cluster);
    await expectNoKeyLost(cluster, before, { slot: WRITER_SLOT, written });
    if (password) expect(JSON.stringify(run.result) + run.stderr).not.toContain(password);
  });
}

describe('fix --yes closes every known-safe open-slot sub-case, with a writer running and no key lost', () => {
  it('importing-only: the importer holds no key of the slot, STABLE on it', async () => {
    await stabilizes(
      'importing-only',
      async (_c, faults, a, b) => faults.openSlot(SLOT, a, b, { importing: true, migrating: false }),
      [new RegExp(`CLUSTER SETSLOT ${SLOT} STABLE$`)],
    );
  });

  it('migrating-only: the owner migrates to a node that is not importing, STABLE on the owner', async () => {
    await stabilizes(
      'migrating-only',
      async (_c, faults, a, b) => faults.openSlot(SLOT, a, b, { migrating: true, importing: false }),
      [new RegExp(`CLUSTER SETSLOT ${SLOT} STABLE$`)],
    );
  });

  it('rollback: both sides open, no key reached the target, STABLE on the target then the owner', async () => {
    await stabilizes('rollback', async (_c, faults, a, b) => faults.openSlot(SLOT, a, b), [
      new RegExp(`CLUSTER SETSLOT ${SLOT} STABLE$`),
      new RegExp(`CLUSTER SETSLOT ${SLOT} STABLE$`),
    ]);
  });

  it('complete: keys on both sides, MIGRATE the rest (never REPLACE) then SETSLOT NODE everywhere, with a password', async () => {
    await stabilizes(
      'complete',
      async (_c, faults, a, b) => {
        await faults.openSlot(SLOT, a, b);
        await faults.migrateKeys(SLOT, a, b, 120);
      },
      [
        /MIGRATE 127\.0\.0\.1 \d+ "" 0 10000 KEYS <100 keys>$/,
        /MIGRATE 127\.0\.0\.1 \d+ "" 0 10000 KEYS <80 keys>$/,
        new RegExp(`CLUSTER SETSLOT ${SLOT} NODE [0-9a-f]{40}$`),
        new RegExp(`CLUSTER SETSLOT ${SLOT} NODE [0-9a-f]{40}$`),
        new RegExp(`CLUSTER SETSLOT ${SLOT} NODE [0-9a-f]{40}$`),
      ],
      { password: 'fix-test-pw' },
    );
  });

  it('complete on a TLS-only cluster with a password (as managed services run): MIGRATE over TLS', async () => {
    await stabilizes(
      'complete',
      async (_c, faults, a, b) => {
        await faults.openSlot(SLOT, a, b);
        await faults.migrateKeys(SLOT, a, b, 250);
      },
      [
        /MIGRATE 127\.0\.0\.1 \d+ "" 0 10000 KEYS <50 keys>$/,
        new RegExp(`CLUSTER SETSLOT ${SLOT} NODE [0-9a-f]{40}$`),
        new RegExp(`CLUSTER SETSLOT ${SLOT} NODE [0-9a-f]{40}$`),
        new RegExp(`CLUSTER SETSLOT ${SLOT} NODE [0-9a-f]{40}$`),
      ],
      { password: 'tls-fix-pw', tls: true },
    );
  });

  it('finalise: every key already on the target, SETSLOT NODE on the target, the owner and the third master', async () => {
    await stabilizes(
      'finalise',
      async (_c, faults, a, b) => {
        await faults.openSlot(SLOT, a, b);
        await faults.migrateKeys(SLOT, a, b);
      },
      [
        new RegExp(`CLUSTER SETSLOT ${SLOT} NODE [0-9a-f]{40}$`),
        new RegExp(`CLUSTER SETSLOT ${SLOT} NODE [0-9a-f]{40}$`),
        new RegExp(`CLUSTER SETSLOT ${SLOT} NODE [0-9a-f]{40}$`),
      ],
    );
  });

  it('owner-finalise: the target already owns the slot, the old owner is still migrating (on Valkey 8 it heals itself)', async () => {
    const breakIt: Break = async (cluster, faults, a, b) => {
      await faults.openSlot(SLOT, a, b);
      await faults.migrateKeys(SLOT, a, b);
      await faults.setSlotOwner(SLOT, b, [b]);
      // Wait until the other masters have taken B's claim from gossip, as after a real interruption.
      const third = cluster.masters[2] as HarnessNode;
      await cluster.waitFor(
        'the third master to follow B',
        async () => (await cluster.ownerOf(SLOT, third)) === b,
      );
    };
    if (defaultServer().family === 'valkey') {
      // Valkey 8.0.1: the old owner drops its MIGRATING mark as soon as gossip tells it the slot is
      // B's, so this state does not last and there is nothing to fix.
      await withCluster({}, async (cluster, faults) => {
        const [a, b] = cluster.masters as [HarnessNode, HarnessNode];
        await loadKeys(cluster, 0, keysInSlot(SLOT, 300));
        const before = await keyLedger(cluster);
        await breakIt(cluster, faults, a, b);
        await cluster.waitFor('no node has the slot open', async () => {
          const views = await Promise.all(cluster.nodes.map((n) => n.process.command('CLUSTER', 'NODES')));
          return views.every((v) => !String(v).includes(`[${SLOT}->-`));
        });
        const run = await fix(cluster, ['--yes', '--settle-ms', '300']);
        expect(run.result.actions).toEqual([]);
        expect(run.result.after.status).toBe('ok');
        await expectOkEverywhere(cluster);
        await expectNoKeyLost(cluster, before);
      });
      return;
    }
    await stabilizes('owner-finalise', breakIt, [new RegExp(`CLUSTER SETSLOT ${SLOT} NODE [0-9a-f]{40}$`)]);
  });
});

describe('open slots that are not a known-safe case are left alone', () => {
  it('a migration still in progress (keys moving between the two observations) is refused by persistence and left open', async () => {
    await withCluster({}, async (cluster, faults) => {
      const [a, b] = cluster.masters as [HarnessNode, HarnessNode];
      await loadKeys(cluster, 0, keysInSlot(SLOT, 400));
      await faults.openSlot(SLOT, a, b);
      await faults.migrateKeys(SLOT, a, b, 10);
      let moving = true;
      const reshard = (async () => {
        while (moving) {
          await faults.migrateKeys(SLOT, a, b, 2);
          await new Promise((resolve) => setTimeout(resolve, 40));
        }
      })();
      const run = await fix(cluster, ['--yes', '--settle-ms', '400']).finally(async () => {
        moving = false;
        await reshard;
      });
      const [action] = run.result.actions;
      expect(action).toMatchObject({
        remedy: 'stabilize-open-slot',
        status: 'refused',
        guard: 'persistence',
      });
      expect(action?.keysMoved).toBeUndefined();
      expect(run.status).not.toBe(0);
      const nodesA = String(await a.process.command('CLUSTER', 'NODES'));
      const nodesB = String(await b.process.command('CLUSTER', 'NODES'));
      expect(nodesA).toContain(`[${SLOT}->-${b.id}]`);
      expect(nodesB).toContain(`[${SLOT}-<-${a.id}]`);
      expect((await keyLedger(cluster)).perSlot.get(SLOT)).toBe(400);
    });
  });

  it('keys of the slot on a third node: escalated with a runbook, nothing written', async () => {
    await withCluster({}, async (cluster, faults) => {
      const [a, b, c] = cluster.masters as [HarnessNode, HarnessNode, HarnessNode];
      await loadKeys(cluster, 0, keysInSlot(SLOT, 50));
      await faults.openSlot(SLOT, a, b);
      await faults.migrateKeys(SLOT, a, b, 10);
      // A stray key of the slot on the third master (written there while it was importing, then closed).
      await c.process.command('CLUSTER', 'SETSLOT', SLOT, 'IMPORTING', a.id);
      await writeKeys(c, keysInSlot(SLOT, 1, 'stray'), true);
      await c.process.command('CLUSTER', 'SETSLOT', SLOT, 'STABLE');
      const before = await keyLedger(cluster);
      const run = await fix(cluster, ['--yes', '--settle-ms', '200']);
      const action = run.result.actions.find((x) => x.remedy === 'stabilize-open-slot');
      expect(action?.status).toBe('escalated');
      expect(action?.reason).toMatch(/third node/);
      expect(action?.runbook?.join('\n')).toContain(`CLUSTER COUNTKEYSINSLOT ${SLOT}`);
      expect(run.status).toBe(2);
      expect(await keyLedger(cluster)).toEqual(before);
      expect(String(await a.process.command('CLUSTER', 'NODES'))).toContain(`[${SLOT}->-${b.id}]`);
    });
  });
});
