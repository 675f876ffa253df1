import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../../lib/checks/run';
import { readSnapshot } from '../../../lib/cli/check-command';
import { FakeCluster } from '../../../lib/harness/fake';
import { observeCluster } from '../../../lib/observe/observe';
import { writeSnapshotFile } from '../../../lib/observe/snapshot-file';

/**
 * A cluster of 1000 nodes (500 masters with a replica each): more than this machine can run as
 * redis-servers, so fake nodes serve it (lib/harness/fake, whose replies are checked against a real
 * cluster's in test/cluster/fake-cluster.test.ts). Each test starts its own and stops it. The per-node
 * timeout is generous: a loaded machine starves the fake too, and what is shown here is correctness.
 */
const dir = mkdtempSync(join(tmpdir(), 'cluster-doctor-scale-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const OBSERVE = { timeoutMs: 150_000, nodeTimeoutMs: 10_000 };

async function withFake<T>(
  options: Parameters<typeof FakeCluster.start>[0],
  body: (fake: FakeCluster) => Promise<T>,
) {
  const fake = await FakeCluster.start(options);
  try {
    return await body(fake);
  } finally {
    await fake.stop();
  }
}

describe('1000 nodes', () => {
  it('healthy: every node reached, status ok, nothing but the one-host note', async () => {
    await withFake({ masters: 500 }, async (fake) => {
      expect(fake.nodes).toHaveLength(1000);
      const snapshot = await observeCluster([fake.seeds[0] as string], OBSERVE);
      const report = buildReport(snapshot);
      expect(report.nodes.filter((n) => n.reachable)).toHaveLength(1000);
      expect(report.nodes.filter((n) => n.role === 'master')).toHaveLength(500);
      expect(report.findings.map((f) => f.id)).toEqual(['replica-colocated']);
      expect(report.status).toBe('ok');
      // Each view lists all 1000 nodes, and the views share their lines.
      expect(snapshot.nodes.every((o) => o.clusterNodes?.length === 1000)).toBe(true);
      const distinct = new Set(snapshot.nodes.flatMap((o) => o.clusterNodes ?? []));
      expect(distinct.size).toBeLessThanOrEqual(2000);

      // Written and replayed: a file of tens of MB, the same report.
      const file = join(dir, 'thousand.json');
      writeSnapshotFile(file, snapshot);
      const replayed = buildReport(await readSnapshot(file));
      expect(replayed).toEqual(report);
    });
  });

  it('finds every injected fault, and nothing it should not', async () => {
    const faults = [
      { kind: 'slot-open' as const, slot: 100 },
      { kind: 'view-disagrees' as const, node: 700, slots: [5000, 5009] as [number, number] },
      { kind: 'stall' as const, node: 999 },
    ];
    await withFake({ masters: 500, faults }, async (fake) => {
      const address = (i: number) => fake.nodes[i]?.address;
      const report = buildReport(await observeCluster([fake.seeds[0] as string], OBSERVE));
      const byId = (id: string) => report.findings.filter((f) => f.id === id);
      expect(report.findings.map((f) => f.id).sort()).toEqual([
        'config-disagreement',
        'master-without-replica',
        'node-unreachable',
        'replica-colocated',
        'slot-open',
      ]);
      // The node that stalls, and only it, is unreachable: by its own silence.
      expect(report.nodes.filter((n) => !n.reachable).map((n) => n.address)).toEqual([address(999)]);
      expect(byId('node-unreachable')[0]?.nodes).toEqual([address(999)]);
      expect(byId('node-unreachable')[0]?.summary).toMatch(/no answer in time/);
      // Its master has no other replica.
      const master = fake.nodes[fake.nodes[999]?.master ?? -1];
      expect(byId('master-without-replica')[0]?.nodes).toEqual([master?.address, address(999)]);
      // The open slot, on its owner.
      const slotOpen = byId('slot-open')[0];
      expect(slotOpen?.slots).toEqual([[100, 100]]);
      const markers = (slotOpen?.evidence.markers ?? []) as { kind: string }[];
      expect(markers.map((m) => m.kind)).toEqual(['migrating']);
      // The view that gives ten slots to another master: it alone differs.
      const split = byId('config-disagreement')[0];
      expect(split?.slots).toEqual([[5000, 5009]]);
      expect(split?.nodes).toEqual([address(700)]);
      expect(report.status).toBe('critical');
    });
  });
});
