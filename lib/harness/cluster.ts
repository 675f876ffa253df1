import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SLOT_COUNT } from '../topology/types';
import { startProcesses } from './pool';
import type { RedisProcess, RedisProcessOptions } from './redis-process';
import { sleep } from './redis-process';
import { defaultServer, type ServerSpec } from './servers';
import { makeTestCertificates, type TestCertificates } from './tls';

export interface ClusterOptions {
  masters?: number;
  replicasPerMaster?: number;
  password?: string;
  /** Start TLS-only nodes (plain port 0) with a throwaway CA. */
  tls?: boolean;
  nodeTimeoutMs?: number;
  extraArgs?: string[];
  /** Which build every node runs (default: `defaultServer()`). */
  server?: ServerSpec;
  /** Another build for the replicas only, as in a rolling upgrade (default: `server`). */
  replicaServer?: ServerSpec;
}

/** What a test needs to know about one node. */
export interface HarnessNode {
  process: RedisProcess;
  id: string;
  port: number;
  address: string;
}

/**
 * A real Redis Cluster of `redis-server` processes on free loopback ports, formed directly with
 * `ADDSLOTSRANGE`/`MEET`/`REPLICATE` (faster than `redis-cli --cluster create`). Always `stop()` it.
 */
export class TestCluster {
  private constructor(
    readonly nodes: HarnessNode[],
    readonly masters: HarnessNode[],
    readonly options: ClusterOptions,
    readonly certificates?: TestCertificates,
    private readonly certDir?: string,
  ) {}

  static async start(options: ClusterOptions = {}): Promise<TestCluster> {
    const masterCount = options.masters ?? 3;
    const replicas = options.replicasPerMaster ?? 1;
    const certDir = options.tls ? mkdtempSync(join(tmpdir(), 'cluster-doctor-tls-')) : undefined;
    const certificates = certDir ? makeTestCertificates(certDir) : undefined;
    const processOptions: RedisProcessOptions = {
      password: options.password,
      tls: certificates,
      nodeTimeoutMs: options.nodeTimeoutMs,
      extraArgs: options.extraArgs,
      server: options.server ?? defaultServer(),
    };
    const total = masterCount * (1 + replicas);
    const replicaOptions = options.replicaServer
      ? { ...processOptions, server: options.replicaServer }
      : undefined;
    const started = await Promise.allSettled(
      replicaOptions
        ? [
            ...startProcesses(processOptions, masterCount),
            ...startProcesses(replicaOptions, total - masterCount),
          ]
        : startProcesses(processOptions, total),
    );
    const processes = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) {
      await Promise.all(processes.map((p) => p.stop()));
      if (certDir) rmSync(certDir, { recursive: true, force: true });
      throw (failed as PromiseRejectedResult).reason;
    }
    const nodes: HarnessNode[] = await Promise.all(
      processes.map(async (p) => ({
        process: p,
        id: String(await p.command('CLUSTER', 'MYID')),
        port: p.port,
        address: p.address,
      })),
    );
    const cluster = new TestCluster(nodes, nodes.slice(0, masterCount), options, certificates, certDir);
    try {
      await cluster.form(replicas);
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  private async form(replicas: number): Promise<void> {
    const masterCount = this.masters.length;
    await Promise.all(
      this.masters.map((m, i) => {
        const first = Math.floor((i * SLOT_COUNT) / masterCount);
        const last = Math.floor(((i + 1) * SLOT_COUNT) / masterCount) - 1;
        return m.process.command('CLUSTER', 'ADDSLOTSRANGE', first, last);
      }),
    );
    // Distinct epochs up front, so no epoch collision has to be resolved by gossip.
    await Promise.all(this.nodes.map((n, i) => n.process.command('CLUSTER', 'SET-CONFIG-EPOCH', i + 1)));
    // A master that saw itself in a minority while the others were being met waits one node timeout
    // (at least 500 ms) before it says ok: form with the shortest, then restore the node timeout the
    // test asked for. With pooled processes (lib/harness/pool.ts) that makes forming take well under
    // a second instead of two.
    // Nodes started with CONFIG renamed away (a managed service's restrictions) form at the usual pace.
    const timeouts = await Promise.all(
      this.nodes.map((n) =>
        (n.process.command('CONFIG', 'GET', 'cluster-node-timeout') as Promise<string[]>).catch(
          () => undefined,
        ),
      ),
    );
    // Not for a large cluster: a hundred nodes on two cores miss 500 ms deadlines, and the failure
    // reports that follow keep it from ever settling.
    const quick = this.nodes.length <= 24 && timeouts.every((t) => t?.[1] !== undefined);
    if (quick)
      await Promise.all(
        this.nodes.map((n) => n.process.command('CONFIG', 'SET', 'cluster-node-timeout', 500)),
      );
    const first = this.nodes[0] as HarnessNode;
    // Gossip reaches every node in a time that grows with the node count: 20 s is ample for the tests'
    // 6-12 nodes; the bench's 100-node cluster, on a busy machine, needed more.
    const formMs = Math.max(20_000, this.nodes.length * 600);
    await Promise.all(
      this.nodes
        .slice(1)
        .map((n) => n.process.command('CLUSTER', 'MEET', '127.0.0.1', first.port, first.process.busPort)),
    );
    await this.waitFor(
      'every node knows every other',
      async () => {
        const views = await Promise.all(this.nodes.map((n) => n.process.command('CLUSTER', 'NODES')));
        return views.every((v) => {
          const lines = String(v).trim().split('\n');
          return lines.length === this.nodes.length && !lines.some((l) => /handshake|noaddr/.test(l));
        });
      },
      formMs,
    );
    const replicaNodes = this.nodes.slice(masterCount);
    await Promise.all(
      replicaNodes.map((r, i) => {
        const master = this.masters[Math.floor(i / replicas)] as HarnessNode;
        return r.process.command('CLUSTER', 'REPLICATE', master.id);
      }),
    );
    await this.waitHealthy(formMs);
    if (quick)
      await Promise.all(
        this.nodes.map((n, i) =>
          n.process.command('CONFIG', 'SET', 'cluster-node-timeout', timeouts[i]?.[1] ?? 2000),
        ),
      );
  }

  /** Waits until every live node says `cluster_state:ok`, agrees on roles, and every replica is in sync. */
  async waitHealthy(timeoutMs = 20_000): Promise<void> {
    const live = () => this.nodes.filter((n) => n.process.alive);
    await this.waitFor(
      'cluster_state:ok and replicas in sync',
      async () => {
        for (const n of live()) {
          const info = String(await n.process.command('CLUSTER', 'INFO'));
          if (!info.includes('cluster_state:ok')) return false;
          const nodesText = String(await n.process.command('CLUSTER', 'NODES'));
          if (/fail|handshake/.test(nodesText)) return false;
          const replication = String(await n.process.command('INFO', 'replication'));
          if (replication.includes('role:slave')) {
            if (!replication.includes('master_link_status:up')) return false;
            if (replication.includes('master_sync_in_progress:1')) return false;
          }
        }
        // Every node must see the same number of replicas (gossip of REPLICATE has reached everyone).
        const counts = await Promise.all(
          live().map(
            async (n) => (String(await n.process.command('CLUSTER', 'NODES')).match(/slave/g) ?? []).length,
          ),
        );
        return new Set(counts).size === 1;
      },
      timeoutMs,
    );
  }

  /**
   * Polls `predicate` every 50 ms until it is true; throws a named error on timeout, with the reason
   * the last poll gave (an error it threw), not an older one a later poll got past.
   */
  async waitFor(what: string, predicate: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    while (Date.now() < deadline) {
      try {
        if (await predicate()) return;
        lastError = undefined;
      } catch (error) {
        lastError = error;
      }
      await sleep(50);
    }
    throw new Error(
      `timed out after ${timeoutMs} ms waiting for: ${what}${lastError ? ` (${String(lastError)})` : ''}`,
    );
  }

  /** The build every node runs. */
  get server(): ServerSpec {
    return this.options.server ?? defaultServer();
  }

  /** Seeds in `host:port` form, as a user would pass them. */
  get seeds(): string[] {
    return this.nodes.map((n) => n.address);
  }

  node(address: string): HarnessNode {
    const found = this.nodes.find((n) => n.address === address || n.id === address);
    if (!found) throw new Error(`no node ${address} in this cluster`);
    return found;
  }

  /** The master that owns `slot` in the slot table of `asking` (default: the first live node). */
  async ownerOf(slot: number, asking?: HarnessNode): Promise<HarnessNode | undefined> {
    return (await this.slotOwners(asking))[slot];
  }

  /** The whole slot table (`CLUSTER SLOTS`) of `asking` (default: the first live node), indexed by slot. */
  async slotOwners(asking?: HarnessNode): Promise<(HarnessNode | undefined)[]> {
    const observer = asking ?? this.nodes.find((n) => n.process.alive);
    const owners: (HarnessNode | undefined)[] = new Array(SLOT_COUNT).fill(undefined);
    if (!observer) return owners;
    const reply = (await observer.process.command('CLUSTER', 'SLOTS')) as [
      number,
      number,
      [string, number, string],
    ][];
    for (const [start, end, [, , id]] of reply) {
      const owner = this.nodes.find((n) => n.id === id);
      for (let slot = start; slot <= end; slot++) owners[slot] = owner;
    }
    return owners;
  }

  /** Current masters by live role (changes after failovers). */
  async liveMasters(): Promise<HarnessNode[]> {
    const result: HarnessNode[] = [];
    for (const n of this.nodes) {
      if (!n.process.alive) continue;
      try {
        const replication = String(await n.process.command('INFO', 'replication'));
        if (replication.includes('role:master')) result.push(n);
      } catch {
        // paused or dying: not counted
      }
    }
    return result;
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.process.stop()));
    if (this.certDir) rmSync(this.certDir, { recursive: true, force: true });
  }
}
