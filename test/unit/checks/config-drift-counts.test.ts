import { describe, expect, it } from 'vitest';
import { configDrift } from '../../../lib/checks/config-drift';
import { buildSnapshot, type ClusterSpec, healthySpec } from './build';

describe('config-drift counts what it says it counts', () => {
  it('maxmemory is compared between masters, and the summary says masters (a replica with X is not counted)', () => {
    // b (master) and e (its replica) both have 1000: only b is in the masters-only count.
    const spec: ClusterSpec = {
      ...healthySpec(),
      config: { b: { maxmemory: '1000' }, e: { maxmemory: '1000' } },
    };
    const [finding] = configDrift.run(buildSnapshot(spec));
    expect(finding?.summary).toBe(
      'settings differ across nodes: maxmemory (0 on 2 masters, 1000 on 1 master)',
    );
  });

  it('cluster-wide settings are compared across every node, and the summary says nodes', () => {
    const spec: ClusterSpec = {
      ...healthySpec(),
      config: { b: { 'cluster-node-timeout': '5000' }, e: { 'cluster-node-timeout': '5000' } },
    };
    const [finding] = configDrift.run(buildSnapshot(spec));
    expect(finding?.summary).toBe(
      'settings differ across nodes: cluster-node-timeout (15000 on 4 nodes, 5000 on 2 nodes)',
    );
  });
});
