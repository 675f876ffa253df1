import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { type HarnessNode, keyLedger, keysInSlot, loadKeys, type TestCluster } from '../../lib/harness';
import { freePort } from '../../lib/harness/ports';
import { RedisProcess, type RedisProcessOptions } from '../../lib/harness/redis-process';
import { keySlot } from '../../lib/topology/keyslot';
import { withCluster } from '../support/cluster';

type StartOn = (port: number, busPort: number, options: RedisProcessOptions) => Promise<RedisProcess>;

const nodesText = async (n: HarnessNode) => String(await n.process.command('CLUSTER', 'NODES'));
const infoText = async (n: HarnessNode) => String(await n.process.command('CLUSTER', 'INFO'));
const myLine = async (n: HarnessNode) =>
  (await nodesText(n)).split('\n').find((l) => l.includes('myself')) ?? '';

/** Waits until every live node other than `except` sees `pattern` in the line of `target`. */
async function waitSeenAs(
  cluster: TestCluster,
  target: HarnessNode,
  pattern: RegExp,
  except: HarnessNode[] = [],
) {
  await cluster.waitFor(`${target.address} seen as ${pattern}`, async () => {
    for (const n of cluster.nodes) {
      if (n === target || except.includes(n) || !n.process.alive) continue;
      const line = (await nodesText(n)).split('\n').find((l) => l.startsWith(target.id)) ?? '';
      if (!pattern.test(line)) return false;
    }
    return true;
  });
}

describe('harness cluster', () => {
  it('forms a healthy 3x1 cluster with all slots covered and replicas in sync', async () => {
    await withCluster({}, async (cluster) => {
      expect(cluster.nodes).toHaveLength(6);
      expect(new Set(cluster.nodes.map((n) => n.port)).size).toBe(6);
      for (const n of cluster.nodes) {
        const info = await infoText(n);
        expect(info).toContain('cluster_state:ok');
        expect(info).toContain('cluster_slots_assigned:16384');
        expect(info).toContain('cluster_known_nodes:6');
        expect(info).toContain('cluster_size:3');
      }
      const replicas = cluster.nodes.slice(3);
      for (const r of replicas) expect(await myLine(r)).toMatch(/myself,slave [0-9a-f]{40}/);
    });
  });

  it('a server whose port another server took first is not taken for ours', async () => {
    const taken = await RedisProcess.start({});
    try {
      const startOn = (RedisProcess as unknown as { startOn: StartOn }).startOn.bind(RedisProcess);
      // Ours dies on EADDRINUSE while the other one answers PING on the port: the start must say so.
      await expect(startOn(taken.port, await freePort(), {})).rejects.toThrow(/answered by another server/);
      expect(taken.alive).toBe(true);
    } finally {
      await taken.stop();
    }
  });

  it('loads keys and accounts for every one of them per slot', async () => {
    await withCluster({}, async (cluster) => {
      await loadKeys(cluster, 2000);
      await loadKeys(cluster, 0, keysInSlot(42, 30));
      const ledger = await keyLedger(cluster);
      expect(ledger.total).toBe(2030);
      expect(ledger.perSlot.get(42)).toBe(30 + (ledger.perSlot.get(42) ?? 0) - 30);
      const expected42 =
        30 + Array.from({ length: 2000 }, (_, i) => keySlot(`key:${i}`)).filter((s) => s === 42).length;
      expect(ledger.perSlot.get(42)).toBe(expected42);
      expect([...ledger.perNode.values()].reduce((a, b) => a + b, 0)).toBe(2030);
    });
  });
});

describe('fault helpers leave the broken state visible in CLUSTER NODES / CLUSTER INFO', () => {
  it('opens a slot on both sides, moves some keys, and finalises on one node only', async () => {
    await withCluster({}, async (cluster, faults) => {
      const [owner, target, third] = cluster.masters as [HarnessNode, HarnessNode, HarnessNode];
      const slot = 100; // owned by the first master
      expect((await cluster.ownerOf(slot))?.id).toBe(owner.id);
      await loadKeys(cluster, 0, keysInSlot(slot, 50));
      await faults.openSlot(slot, owner, target);
      expect(await myLine(owner)).toContain(`[${slot}->-${target.id}]`);
      expect(await myLine(target)).toContain(`[${slot}-<-${owner.id}]`);

      expect(await faults.migrateKeys(slot, owner, target, 20)).toBe(20);
      expect(await owner.process.command('CLUSTER', 'COUNTKEYSINSLOT', slot)).toBe(30);
      expect(await target.process.command('CLUSTER', 'COUNTKEYSINSLOT', slot)).toBe(20);
      expect((await keyLedger(cluster)).total).toBe(50);

      await faults.migrateKeys(slot, owner, target);
      await faults.setSlotOwner(slot, target, [target]);
      // The target now claims the slot; the old owner still migrates it; the third master still
      // believes the old owner (a finalisation that died half-way). Gossip's higher epoch may
      // eventually win, so the assertions read what each node says right now.
      expect(await myLine(target)).toMatch(new RegExp(`(^| )${slot}( |$)|-${slot}|${slot}-`));
      expect(await myLine(target)).not.toContain('-<-');
      expect(await myLine(owner)).toContain(`[${slot}->-${target.id}]`);
      expect(String(await third.process.command('CLUSTER', 'COUNTKEYSINSLOT', slot))).toBe('0');
      expect((await keyLedger(cluster)).perSlot.get(slot)).toBe(50);
    });
  });

  it('opens a slot on one side only (importing only, migrating only)', async () => {
    await withCluster({}, async (cluster, faults) => {
      const [a, b, c] = cluster.masters as [HarnessNode, HarnessNode, HarnessNode];
      await faults.openSlot(7, a, b, { importing: true, migrating: false });
      await faults.openSlot(6000, b, c, { importing: false, migrating: true });
      expect(await myLine(b)).toContain(`[7-<-${a.id}]`);
      expect(await myLine(a)).not.toContain('[7');
      expect(await myLine(b)).toContain(`[6000->-${c.id}]`);
      expect(await myLine(c)).not.toContain('[6000');
    });
  });

  it('DELSLOTS a range on every node: slots uncovered, cluster_state:fail', async () => {
    await withCluster({}, async (cluster, faults) => {
      await faults.delSlots(0, 99);
      for (const n of cluster.nodes) {
        const info = await infoText(n);
        expect(info).toContain('cluster_slots_assigned:16284');
        expect(info).toContain('cluster_state:fail');
      }
    });
  });

  it('kills a master: others flag it fail, and its replica is promoted', async () => {
    await withCluster({}, async (cluster, faults) => {
      const victim = cluster.masters[1] as HarnessNode;
      const replica = cluster.nodes[4] as HarnessNode;
      await faults.kill(victim);
      expect(victim.process.alive).toBe(false);
      await waitSeenAs(cluster, victim, /\bfail\b/);
      await cluster.waitFor('replica promoted', async () =>
        (await myLine(replica)).includes('myself,master'),
      );
    });
  });

  it('pauses a node (SIGSTOP): it answers nothing, others flag it; resumed, it answers again', async () => {
    await withCluster({ replicasPerMaster: 0 }, async (cluster, faults) => {
      const victim = cluster.masters[2] as HarnessNode;
      faults.pause(victim);
      await expect(victim.process.command('PING')).rejects.toThrow();
      await waitSeenAs(cluster, victim, /fail/, [victim]);
      const info = await infoText(cluster.masters[0] as HarnessNode);
      expect(info).toContain('cluster_state:fail');
      faults.resume(victim);
      victim.process.disconnect();
      await cluster.waitFor('victim answers', async () => (await victim.process.command('PING')) === 'PONG');
      await cluster.waitHealthy();
    });
  });

  it('requires a password: unauthenticated commands are refused, replication keeps working', async () => {
    await withCluster({}, async (cluster, faults) => {
      await faults.requirePassword('s3cret-pw');
      const probe = cluster.nodes[0] as HarnessNode;
      const bare = spawnSync('redis-cli', ['-p', String(probe.port), 'PING'], { encoding: 'utf8' });
      expect(bare.stdout).toMatch(/NOAUTH/);
      await loadKeys(cluster, 100);
      expect((await keyLedger(cluster)).total).toBe(100);
      await cluster.waitHealthy();
    });
  });

  it('starts a TLS-only cluster with a password and a throwaway CA', async () => {
    await withCluster({ tls: true, password: 'tls-pw', replicasPerMaster: 1 }, async (cluster) => {
      expect(cluster.certificates?.ca).toContain('BEGIN CERTIFICATE');
      const info = await infoText(cluster.nodes[0] as HarnessNode);
      expect(info).toContain('cluster_state:ok');
      const config = (await (cluster.nodes[0] as HarnessNode).process.command(
        'CONFIG',
        'GET',
        'port',
      )) as string[];
      expect(config[1]).toBe('0');
      await loadKeys(cluster, 50);
      expect((await keyLedger(cluster)).total).toBe(50);
    });
  });
});
