import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { HarnessNode, TestCluster } from '../../../lib/harness';
import { Faults, keyLedger, keysInSlot, loadKeys } from '../../../lib/harness';
import type { ActionResult } from '../../../lib/remediate/fix';
import { tagForSlot } from '../../../lib/topology/keyslot';
import { withCluster } from '../../support/cluster';
import { expectNoKeyLost, expectOkEverywhere, fix } from '../../support/fix';

const BIG_SLOT = 600; // owned by the first master
const MIXED_SLOT = 700; // owned by the first master

/**
 * Every key of the slot on `node` and its content, whatever its type, with its TTL. Not `DUMP`:
 * Valkey 8 may serialise the same hash or set in another order after RESTORE.
 */
async function dumps(node: HarnessNode, slot: number, asking = false): Promise<Map<string, string>> {
  const client = node.process.redis();
  const keys = (await client.call('CLUSTER', 'GETKEYSINSLOT', slot, 100_000)) as string[];
  const out = new Map<string, string>();
  const ask = async () => {
    if (asking) await client.call('ASKING');
  };
  for (const key of keys) {
    await ask();
    const type = await client.type(key);
    await ask();
    const content =
      type === 'string'
        ? (await client.getBuffer(key))?.toString('base64')
        : type === 'hash'
          ? Object.entries(await client.hgetall(key))
              .sort()
              .join()
          : type === 'list'
            ? (await client.lrange(key, 0, -1)).join()
            : type === 'set'
              ? (await client.smembers(key)).sort().join()
              : ((await client.call('ZRANGE', key, 0, -1, 'WITHSCORES')) as string[]).join();
    await ask();
    const ttl = (await client.ttl(key)) > 0 ? 'expires' : 'persistent';
    out.set(key, `${type} ${ttl} ${content}`);
  }
  return out;
}

/** Both sides' keys of the slot, as a half-done move leaves them. */
async function bothSides(a: HarnessNode, b: HarnessNode, slot: number): Promise<Map<string, string>> {
  return new Map([...(await dumps(a, slot)), ...(await dumps(b, slot, true))]);
}

/**
 * Opens the slot from `a` to `b` and moves `premoved` keys, like a reshard that died; runs `onBroken`
 * on the broken cluster, then `fix --yes`, and asserts the move finished whole: one action, applied,
 * moving every key left on the source; the source empty, every node ok, no key lost.
 */
async function fixHalfMovedSlot(
  cluster: TestCluster,
  a: HarnessNode,
  b: HarnessNode,
  slot: number,
  premoved: number,
  onBroken: () => Promise<void> = async () => {},
): Promise<ActionResult | undefined> {
  const faults = new Faults(cluster);
  await faults.openSlot(slot, a, b);
  await faults.migrateKeys(slot, a, b, premoved);
  await cluster.waitHealthy();
  const before = await keyLedger(cluster);
  await onBroken();
  const onSource = Number(await a.process.command('CLUSTER', 'COUNTKEYSINSLOT', slot));
  const run = await fix(cluster, ['--yes', '--settle-ms', '300']);
  const [action, ...rest] = run.result.actions;
  expect(rest, JSON.stringify(run.result.actions)).toEqual([]);
  expect(action).toMatchObject({ subCase: 'complete', status: 'applied', keysMoved: onSource });
  expect(
    run.result.after.status,
    JSON.stringify(run.result.after.findings.map((f) => [f.id, f.summary])),
  ).toBe('ok');
  expect(Number(await a.process.command('CLUSTER', 'COUNTKEYSINSLOT', slot))).toBe(0);
  await expectOkEverywhere(cluster);
  await expectNoKeyLost(cluster, before);
  return action;
}

/** {@link fixHalfMovedSlot} of 20 pre-moved keys; every key arrives whole. Returns the MIGRATE batch sizes. */
async function breakAndFix(cluster: TestCluster, a: HarnessNode, b: HarnessNode, slot: number) {
  let values = new Map<string, string>();
  const action = await fixHalfMovedSlot(cluster, a, b, slot, 20, async () => {
    values = await bothSides(a, b, slot);
  });
  // Every key reached the target whole: same type, content and expiry, none missing, none extra.
  expect(await dumps(b, slot)).toEqual(values);
  const batches = (action?.commands ?? []).flatMap((c) => {
    const m = / KEYS <(\d+) keys>$/.exec(c);
    return m ? [Number(m[1])] : [];
  });
  expect(batches.reduce((n, k) => n + k, 0)).toBe(action?.keysMoved);
  return batches;
}

describe('fix --yes moves a slot of big and mixed-size keys completely, in batches bounded by bytes', () => {
  it('64 KB values go at most 16 to a MIGRATE (1 MiB); a slot of every type and size arrives whole', async () => {
    await withCluster({}, async (cluster) => {
      const [a, b] = cluster.masters as [HarnessNode, HarnessNode];
      await loadKeys(cluster, 1000);
      const client = a.process.redis();

      // 200 incompressible 64 KB strings: 12.8 MB, which one unbounded batch of 1000 keys would carry.
      const big = keysInSlot(BIG_SLOT, 200, 'big');
      for (const key of big) await client.call('SET', key, randomBytes(64 * 1024));
      const bigBatches = await breakAndFix(cluster, a, b, BIG_SLOT);
      expect(Math.max(...bigBatches)).toBeLessThanOrEqual(16);

      // Small strings around large ones and every aggregate type, in one slot.
      const tag = tagForSlot(MIXED_SLOT);
      const pipeline = client.pipeline();
      for (const key of keysInSlot(MIXED_SLOT, 1500, 'small')) pipeline.set(key, `v-${key}`);
      for (let i = 0; i < 4; i++) pipeline.set(`${tag}:huge:${i}`, randomBytes(2 * 1024 * 1024));
      for (let i = 0; i < 20; i++) pipeline.set(`${tag}:mid:${i}`, randomBytes(100 * 1024));
      const fields = Array.from({ length: 3000 }, (_, i) => [`f${i}`, `v${i}`]).flat();
      pipeline.hset(`${tag}:hash`, ...fields);
      pipeline.rpush(`${tag}:list`, ...Array.from({ length: 3000 }, (_, i) => `e${i}`));
      pipeline.sadd(`${tag}:set`, ...Array.from({ length: 3000 }, (_, i) => `m${i}`));
      pipeline.zadd(`${tag}:zset`, ...Array.from({ length: 3000 }, (_, i) => [i, `z${i}`]).flat());
      pipeline.set(`${tag}:ttl`, 'expires later', 'EX', 3600);
      for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
      const mixedBatches = await breakAndFix(cluster, a, b, MIXED_SLOT);
      expect(Math.max(...mixedBatches)).toBeLessThanOrEqual(1000);
      expect(Number(await b.process.command('TTL', `${tag}:ttl`))).toBeGreaterThan(3000);
    });
  });
});

describe('fix --yes moves keys whose names are not UTF-8', () => {
  it('binary names, including two that read alike as text, arrive byte for byte; nothing lost', async () => {
    await withCluster({}, async (cluster) => {
      const [a, b] = cluster.masters as [HarnessNode, HarnessNode];
      const tag = Buffer.from(`${tagForSlot(MIXED_SLOT)}:`);
      // 0xff and 0xfe each decode to U+FFFD as UTF-8: read as text, these two are one name.
      const binary = [[0xff], [0xfe], [0xff, 0xfe, 0x00], [0xc3], [0xe2, 0x82]].map((b, i) => ({
        name: Buffer.concat([tag, Buffer.from(b)]),
        value: Buffer.from([i, 0xff, 0x80, i]),
      }));
      const client = a.process.redis();
      for (const { name, value } of binary) await client.set(name, value);
      for (const key of keysInSlot(MIXED_SLOT, 50, 'small')) await client.set(key, 'v');
      await fixHalfMovedSlot(cluster, a, b, MIXED_SLOT, 10);
      const target = b.process.redis();
      for (const { name, value } of binary)
        expect(await target.getBuffer(name), name.toString('hex')).toEqual(value);
    });
  });
});
