import { describe, expect, it } from 'vitest';
import { configDrift } from '../../../lib/checks/config-drift';
import { epochCollision } from '../../../lib/checks/epoch-collision';
import { managedService } from '../../../lib/checks/managed-service';
import { masterWithoutReplica } from '../../../lib/checks/master-without-replica';
import { memoryHeadroomLow } from '../../../lib/checks/memory-headroom-low';
import { replicaColocated } from '../../../lib/checks/replica-colocated';
import { buildSnapshot, type ClusterSpec, healthySpec, nodeId } from './build';

describe('config-drift', () => {
  it('compares maxmemory between masters only', () => {
    const spec: ClusterSpec = {
      ...healthySpec(),
      config: { d: { maxmemory: '1000' }, e: { maxmemory: '1000' } },
    };
    expect(configDrift.run(buildSnapshot(spec))).toEqual([]);
    spec.config = { b: { maxmemory: '1000' } };
    const [finding] = configDrift.run(buildSnapshot(spec));
    expect(finding?.nodes).toEqual(['127.0.0.1:7001']);
    expect(finding?.evidence.settings).toEqual({
      maxmemory: { 0: ['127.0.0.1:7000', '127.0.0.1:7002'], 1000: ['127.0.0.1:7001'] },
    });
  });
});

describe('memory-headroom-low', () => {
  const memory = (used: number, max: number, policy: string) =>
    `# Memory\r\nused_memory:${used}\r\nmaxmemory:${max}\r\nmaxmemory_policy:${policy}`;

  it('warns above 90% under noeviction and volatile-*, informs under allkeys-*, ignores no limit', () => {
    const spec: ClusterSpec = {
      ...healthySpec(),
      info: {
        a: memory(950, 1000, 'volatile-lru'),
        b: memory(950, 1000, 'allkeys-lfu'),
        c: memory(5_000_000, 0, 'noeviction'),
        d: memory(999, 1000, 'noeviction'),
      },
    };
    const findings = memoryHeadroomLow.run(buildSnapshot(spec));
    expect(findings.map((f) => [f.nodes?.[0], f.severity])).toEqual([
      ['127.0.0.1:7000', 'warning'],
      ['127.0.0.1:7001', 'info'],
    ]);
    expect(
      memoryHeadroomLow.run(
        buildSnapshot({ ...healthySpec(), info: { a: memory(900, 1000, 'noeviction') } }),
      ),
    ).toEqual([]);
  });
});

describe('epoch-collision', () => {
  it('ignores epoch 0 and replicas, which carry their master epoch', () => {
    const spec: ClusterSpec = { ...healthySpec(), views: { a: { b: { epoch: 0 }, c: { epoch: 0 } } } };
    expect(epochCollision.run(buildSnapshot(spec))).toEqual([]);
  });

  it('groups one collision seen by several observers', () => {
    const spec: ClusterSpec = { ...healthySpec(), views: { a: { c: { epoch: 2 } }, d: { c: { epoch: 2 } } } };
    const [finding] = epochCollision.run(buildSnapshot(spec));
    expect(finding?.evidence.collisions).toEqual([
      {
        epoch: 2,
        masters: [
          { id: nodeId('b'), address: '127.0.0.1:7001' },
          { id: nodeId('c'), address: '127.0.0.1:7002' },
        ],
        seenBy: ['127.0.0.1:7000', '127.0.0.1:7003'],
      },
    ]);
  });
});

describe('master-without-replica', () => {
  it('a replica with nofailover is no failover candidate', () => {
    const spec: ClusterSpec = { ...healthySpec(), views: { e: { e: { flags: ['nofailover'] } } } };
    const [finding] = masterWithoutReplica.run(buildSnapshot(spec));
    expect(finding?.nodes).toEqual(['127.0.0.1:7001', '127.0.0.1:7004']);
    expect(finding?.evidence.replicas).toEqual([
      { id: nodeId('e'), address: '127.0.0.1:7004', problem: 'has nofailover set' },
    ]);
  });
});

describe('replica-colocated', () => {
  it('warns per master when the cluster spans hosts, matching by IP or by hostname', () => {
    const spec = healthySpec();
    const hosts: Record<string, [string, string?]> = {
      a: ['10.0.0.1'],
      d: ['10.0.0.1'],
      b: ['10.0.0.2', 'node-b'],
      e: ['10.0.0.3', 'node-b'],
      c: ['10.0.0.4'],
      f: ['10.0.0.5'],
    };
    for (const n of spec.nodes) {
      const [ip, hostname] = hosts[n.name] ?? ['127.0.0.1'];
      n.ip = ip;
      if (hostname) n.hostname = hostname;
    }
    const findings = replicaColocated.run(buildSnapshot(spec));
    expect(findings.map((f) => [f.severity, f.nodes])).toEqual([
      ['warning', ['10.0.0.1:7000', '10.0.0.1:7003']],
      ['warning', ['10.0.0.2:7001', '10.0.0.3:7004']],
    ]);
  });
});

describe('managed-service', () => {
  it('lists the refused commands per node', () => {
    const spec: ClusterSpec = {
      ...healthySpec(),
      extra: { a: { restrictedCommands: ['CONFIG'] }, b: { restrictedCommands: ['CONFIG'] } },
    };
    const [finding] = managedService.run(buildSnapshot(spec));
    expect(finding?.severity).toBe('info');
    expect(finding?.evidence.restrictedCommands).toEqual({
      '127.0.0.1:7000': ['CONFIG'],
      '127.0.0.1:7001': ['CONFIG'],
    });
  });
});
