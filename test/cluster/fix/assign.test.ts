import { describe, expect, it } from 'vitest';
import type { HarnessNode } from '../../../lib/harness';
import { keyLedger, keysInSlot, loadKeys, writeKeys } from '../../../lib/harness';
import { checkUntil, findingsWith } from '../../support/check';
import { withCluster } from '../../support/cluster';
import { expectNoKeyLost, expectOkEverywhere, fix, startWriter } from '../../support/fix';

const WRITER_SLOT = 12_000;

describe('assign-uncovered-slots on real clusters', () => {
  it('empty uncovered slots go to the neighbour owner with fewest slots, contiguous, with a writer running', async () => {
    await withCluster({}, async (cluster, faults) => {
      const [a, b, c] = cluster.masters as [HarnessNode, HarnessNode, HarnessNode];
      await loadKeys(cluster, 0, keysInSlot(100, 50));
      // The end of the first master's range: neighbours are A (5399) and B (5461); A then has fewer slots.
      await faults.delSlots(5400, 5460);
      const before = await keyLedger(cluster);
      const writer = startWriter(c, WRITER_SLOT);
      let written = 0;
      const run = await fix(cluster, ['--yes', '--settle-ms', '200']).finally(async () => {
        written = await writer.stop();
      });
      expect(run.result.actions).toHaveLength(1);
      expect(run.result.actions[0]).toMatchObject({
        remedy: 'assign-uncovered-slots',
        subCase: 'no-keys',
        status: 'applied',
        slots: [[5400, 5460]],
        nodes: [a.address],
        commands: [`${a.address} CLUSTER ADDSLOTSRANGE 5400 5460`],
      });
      expect(run.status, JSON.stringify(run.result.after.findings)).toBe(0);
      await expectOkEverywhere(cluster);
      for (const node of cluster.nodes) expect((await cluster.ownerOf(5430, node))?.id).toBe(a.id);
      expect((await cluster.ownerOf(5461))?.id).toBe(b.id);
      await expectNoKeyLost(cluster, before, { slot: WRITER_SLOT, written });
    });
  });

  it('uncovered slots whose keys sit on exactly one master go back to that master', async () => {
    await withCluster({}, async (cluster, faults) => {
      const [, b] = cluster.masters as [HarnessNode, HarnessNode];
      await loadKeys(cluster, 0, keysInSlot(6050, 70));
      await faults.delSlots(6000, 6100);
      const before = await keyLedger(cluster);
      expect(before.perSlot.get(6050)).toBe(70);
      const run = await fix(cluster, ['--yes', '--settle-ms', '200']);
      expect(run.result.actions).toHaveLength(1);
      expect(run.result.actions[0]).toMatchObject({
        remedy: 'assign-uncovered-slots',
        subCase: 'keys-on-one-master',
        status: 'applied',
        slots: [[6000, 6100]],
        nodes: [b.address],
      });
      expect(run.result.actions[0]?.keysAfter).toEqual(run.result.actions[0]?.keysBefore);
      await expectOkEverywhere(cluster);
      await expectNoKeyLost(cluster, before);
      expect(await b.process.command('GET', keysInSlot(6050, 1)[0] as string)).toMatch(/^value-of-/);
    });
  });

  it('keys of an uncovered slot on two masters: escalated, nothing assigned, the empty ones still fixed', async () => {
    await withCluster({}, async (cluster, faults) => {
      const [a, , c] = cluster.masters as [HarnessNode, HarnessNode, HarnessNode];
      await loadKeys(cluster, 0, keysInSlot(200, 30));
      // Keys of slot 200 also written to C, the way an aborted import leaves them.
      await c.process.command('CLUSTER', 'SETSLOT', 200, 'IMPORTING', a.id);
      await writeKeys(c, keysInSlot(200, 5, 'strayed'), true);
      await c.process.command('CLUSTER', 'SETSLOT', 200, 'STABLE');
      await faults.delSlots(190, 210);
      const before = await keyLedger(cluster);
      const run = await fix(cluster, ['--yes', '--settle-ms', '200']);
      const byStatus = Object.fromEntries(run.result.actions.map((x) => [x.status, x]));
      expect(byStatus.escalated).toMatchObject({ slots: [[200, 200]], guard: 'known-safe' });
      expect(byStatus.escalated?.reason).toMatch(/several masters/);
      expect(byStatus.applied).toMatchObject({
        subCase: 'no-keys',
        slots: [
          [190, 199],
          [201, 210],
        ],
      });
      expect(run.status).toBe(2);
      expect(run.result.after.findings.find((f) => f.id === 'slots-uncovered')?.slots).toEqual([[200, 200]]);
      expect(await keyLedger(cluster)).toEqual(before);
    });
  });

  it('a dead replica hides no keys: uncovered slots assigned first, then a half-moved slot completed, in one run', async () => {
    await withCluster({ nodeTimeoutMs: 1000 }, async (cluster, faults) => {
      const [a, b, c] = cluster.masters as [HarnessNode, HarnessNode, HarnessNode];
      await loadKeys(cluster, 0, keysInSlot(500, 40));
      await faults.openSlot(500, a, b);
      await faults.migrateKeys(500, a, b, 10);
      await faults.delSlots(16_000, 16_383);
      const deadReplica = cluster.nodes[5] as HarnessNode;
      await faults.kill(deadReplica);
      await checkUntil(cluster, (r) =>
        findingsWith(r, 'node-failed').some((f) => f.nodes?.includes(deadReplica.address)),
      );
      const before = await keyLedger(cluster);
      const run = await fix(cluster, ['--yes', '--settle-ms', '200']);
      expect(run.result.actions.map((x) => [x.remedy, x.subCase, x.status])).toEqual([
        ['assign-uncovered-slots', 'no-keys', 'applied'],
        ['stabilize-open-slot', 'complete', 'applied'],
        ['forget-ghost-node', 'escalate', 'escalated'],
      ]);
      expect(run.result.actions[0]?.nodes).toEqual([c.address]);
      expect(run.result.after.findings.filter((f) => f.severity === 'critical')).toEqual([]);
      await expectOkEverywhere(cluster);
      await expectNoKeyLost(cluster, before);
      expect(Number(await b.process.command('CLUSTER', 'COUNTKEYSINSLOT', 500))).toBe(40);
    });
  });

  it('a lost shard (master and its replica dead) is escalated: its slots are never handed elsewhere', async () => {
    await withCluster({ nodeTimeoutMs: 1000 }, async (cluster, faults) => {
      const [a, , c] = cluster.masters as [HarnessNode, HarnessNode, HarnessNode];
      const replicaOfC = cluster.nodes[5] as HarnessNode;
      expect(String(await replicaOfC.process.command('INFO', 'replication'))).toContain(
        c.address.split(':')[1],
      );
      await loadKeys(cluster, 3000);
      const slotsOfC = (text: string) =>
        text
          .split('\n')
          .find((l) => l.startsWith(c.id))
          ?.split(' ')
          .slice(8)
          .join(' ');
      const claimed = slotsOfC(String(await a.process.command('CLUSTER', 'NODES')));
      expect(claimed).toMatch(/^\d+-16383$/);
      await faults.kill(replicaOfC);
      await faults.kill(c);
      // Until most nodes flag both, the cluster has not yet concluded the shard is lost.
      await checkUntil(
        cluster,
        (r) =>
          findingsWith(r, 'slots-owner-failed').length > 0 &&
          findingsWith(r, 'node-failed').some((f) => f.nodes?.includes(replicaOfC.address)),
      );
      const run = await fix(cluster, [
        '--yes',
        '--settle-ms',
        '200',
        '--allow',
        'stabilize-open-slot,assign-uncovered-slots,forget-ghost-node,promote-replica',
        '--ghost-min-age-ms',
        '0',
        '--failed-master-min-age-ms',
        '0',
      ]);
      expect(run.result.actions.filter((x) => x.status === 'applied')).toEqual([]);
      const commands = run.result.actions.flatMap((x) => (x.status === 'applied' ? x.commands : []));
      expect(commands.join('\n')).not.toMatch(/ADDSLOTS|FORGET|FAILOVER/);
      const forget = run.result.actions.find((x) => x.remedy === 'forget-ghost-node');
      expect(forget?.status).toBe('escalated');
      expect(forget?.reason).toMatch(/may hold the only copy of their data/);
      expect(
        run.result.after.findings.map((f) => f.id),
        JSON.stringify(run.result.after.findings.map((f) => [f.id, f.summary])),
      ).toContain('slots-owner-failed');
      expect(run.status).toBe(2);
      const nodes = String(await a.process.command('CLUSTER', 'NODES'));
      expect(slotsOfC(nodes), nodes).toBe(claimed);
    });
  });
});
