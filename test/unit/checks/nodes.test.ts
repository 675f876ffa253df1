import { describe, expect, it } from 'vitest';
import { clusterStateFail } from '../../../lib/checks/cluster-state-fail';
import { nodeFailed } from '../../../lib/checks/node-failed';
import { nodeHandshake } from '../../../lib/checks/node-handshake';
import { nodePfail } from '../../../lib/checks/node-pfail';
import { slotsOwnerFailed } from '../../../lib/checks/slots-owner-failed';
import { buildSnapshot, type ClusterSpec, healthySpec, nodeId } from './build';

/** The healthy layout where replica f is dead: every other node flags it, as they would. */
function deadReplica(pongAgoMs: number, override: Record<string, unknown> = {}): ClusterSpec {
  const line = { flags: ['fail'], link: 'disconnected' as const, pongAgoMs, ...override };
  return {
    ...healthySpec(),
    unreachable: ['f'],
    views: Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map((o) => [o, { f: line }])),
  };
}

describe('node-handshake', () => {
  it('a dead slotless node silent for more than 20 node timeouts is a ghost to forget', () => {
    const [ghost] = nodeHandshake.run(buildSnapshot(deadReplica(20 * 15_000 + 1000)));
    expect(ghost?.severity).toBe('warning');
    expect(ghost?.nodes).toEqual(['127.0.0.1:7005']);
    expect(ghost?.evidence).toMatchObject({ kind: 'dead', id: nodeId('f'), silentForMs: 301_000 });
    expect(ghost?.remedy).toBe('forget-ghost-node');
    expect(ghost?.runbook).toContain(`redis-cli -h 127.0.0.1 -p 7000 CLUSTER FORGET ${nodeId('f')}`);
  });

  it('a node that died recently, or that one observer still reaches, is not a ghost', () => {
    expect(nodeHandshake.run(buildSnapshot(deadReplica(60_000)))).toEqual([]);
    const spec = deadReplica(10 * 60_000);
    spec.views = { ...spec.views, e: { f: { flags: [], link: 'connected', pongAgoMs: 10 } } };
    expect(nodeHandshake.run(buildSnapshot(spec))).toEqual([]);
  });

  it('a noaddr entry is a ghost; one still owning slots gets no remedy', () => {
    const spec = healthySpec();
    spec.nodes.push({ name: '9', port: 0, ip: '', slots: '' });
    spec.views = { a: { 9: { flags: ['noaddr', 'fail'], slots: '16383' } }, b: { 9: { absent: true } } };
    for (const o of ['c', 'd', 'e', 'f', '9']) spec.views[o] = { 9: { absent: true } };
    spec.unreachable = ['9'];
    const [ghost] = nodeHandshake.run(buildSnapshot(spec));
    expect(ghost?.evidence.kind).toBe('noaddr');
    expect(ghost?.nodes).toBeUndefined();
    expect(ghost?.evidence.address).toBeNull();
    expect(ghost?.remedy).toBeUndefined();
  });
});

describe('node-failed, node-pfail, slots-owner-failed: who has to say so', () => {
  it('one observer of five flagging a master fail is node-failed, not slots-owner-failed', () => {
    const spec: ClusterSpec = { ...healthySpec(), views: { d: { b: { flags: ['fail'] } } } };
    const snapshot = buildSnapshot(spec);
    const [failed] = nodeFailed.run(snapshot);
    expect(failed?.evidence).toMatchObject({ flaggedFailBy: ['127.0.0.1:7003'], ownedSlots: 5461 });
    expect(failed?.summary).toContain('flagged fail by 1 of 5 observer(s) and still owns 5461 slot(s)');
    expect(slotsOwnerFailed.run(snapshot)).toEqual([]);
    expect(nodePfail.run(snapshot)).toEqual([]);
  });

  it('a master the majority flags fail, with a failed replica: critical without a remedy', () => {
    const line = { flags: ['fail'], link: 'disconnected' as const };
    const spec: ClusterSpec = {
      ...healthySpec(),
      unreachable: ['b', 'e'],
      views: Object.fromEntries(['a', 'c', 'd', 'f'].map((o) => [o, { b: line, e: line }])),
    };
    const [finding] = slotsOwnerFailed.run(buildSnapshot(spec));
    expect(finding?.slots).toEqual([[5461, 10921]]);
    expect(finding?.remedy).toBeUndefined();
    expect(finding?.summary).toContain('none of its 1 replica(s) took over');
  });

  it('fail? from some observers only is node-pfail', () => {
    const spec: ClusterSpec = { ...healthySpec(), views: { a: { c: { flags: ['fail?'] } } } };
    const [pfail] = nodePfail.run(buildSnapshot(spec));
    expect(pfail?.nodes).toEqual(['127.0.0.1:7002']);
    expect(pfail?.evidence.flaggedPfailBy).toEqual(['127.0.0.1:7000']);
  });
});

describe('cluster-state-fail', () => {
  const failing = (names: string[]) => {
    const spec = healthySpec();
    spec.extra = Object.fromEntries(names.map((n) => [n, { clusterInfo: { cluster_state: 'fail' } }]));
    return buildSnapshot(spec);
  };

  it('a node that serves slots and reports fail: critical, its clients see CLUSTERDOWN', () => {
    const [finding] = clusterStateFail.run(failing(['a', 'd']));
    expect(finding?.severity).toBe('critical');
    expect(finding?.summary).toBe('2 node(s) report cluster_state:fail: clients see "CLUSTERDOWN"');
    expect(finding?.evidence).not.toHaveProperty('transition');
  });

  it('only a node serving no slot (a replica that just joined) while every owner says ok: a bounded transition, info', () => {
    const [finding] = clusterStateFail.run(failing(['f']));
    expect(finding?.severity).toBe('info');
    expect(finding?.summary).toMatch(/^1 node\(s\) serving no slot report cluster_state:fail/);
    expect(finding?.evidence.transition).toEqual({ state: 'learning the slot map', boundSeconds: 60 });
  });
});
