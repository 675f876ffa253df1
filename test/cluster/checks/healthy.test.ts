import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../../../lib/checks/catalog';
import { type HarnessNode, loadKeys, TestCluster } from '../../../lib/harness';
import { keySlot } from '../../../lib/topology/keyslot';
import { checkCluster } from '../../support/check';

/** Writes keys straight to their owners (no redirections) until stopped; returns how many it wrote. */
function startWriter(owners: (HarnessNode | undefined)[]): {
  written: () => number;
  stop: () => Promise<number>;
} {
  // Big enough values that replication offsets move by megabytes between two replica acks.
  const payload = 'x'.repeat(1024);
  let running = true;
  let written = 0;
  const loop = async (worker: number) => {
    for (let i = 0; running; i++) {
      const key = `writer:${worker}:${i % 5000}`;
      const owner = owners[keySlot(key)];
      if (!owner) throw new Error(`no owner for ${key}`);
      await owner.process.redis().set(key, payload);
      written++;
    }
  };
  const loops = [0, 1, 2, 3].map(loop);
  return {
    written: () => written,
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return written;
    },
  };
}

describe('every check on a healthy 3x1 cluster on one host', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await TestCluster.start({});
    await loadKeys(cluster, 2000);
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('reports status ok: the only finding is the one-host info', async () => {
    const report = await checkCluster(cluster);
    expect(report.findings.map((f) => [f.id, f.severity])).toEqual([['replica-colocated', 'info']]);
    expect(report.status).toBe('ok');
    expect(CHECKS.length).toBe(22);
  });

  // This writer keeps the offset a master last heard acknowledged several MiB behind its own (replicas
  // ack once a second): replica-lagging must not mistake that for lag.
  it('stays ok under a concurrent writer', async () => {
    const writer = startWriter(await cluster.slotOwners());
    try {
      // Three checks, each after another 400 writes (several MiB of replication stream), however
      // fast this machine is writing today.
      for (let round = 1; round <= 3; round++) {
        await cluster.waitFor(`${round * 400} writes`, async () => writer.written() >= round * 400);
        const report = await checkCluster(cluster);
        expect(report.findings.filter((f) => f.severity !== 'info')).toEqual([]);
        expect(report.status).toBe('ok');
      }
    } finally {
      expect(await writer.stop()).toBeGreaterThanOrEqual(1200);
    }
  });
});
