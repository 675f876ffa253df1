import { describe, expect, it } from 'vitest';
import { configDisagreement } from '../../../lib/checks/config-disagreement';
import { keysInUnownedSlot } from '../../../lib/checks/keys-in-unowned-slot';
import { slotsImbalanced } from '../../../lib/checks/slots-imbalanced';
import { buildSnapshot, type ClusterSpec, healthySpec, nodeId } from './build';

describe('config-disagreement', () => {
  it('a node claiming in its own myself line slots the others give elsewhere', () => {
    // b's own table: it took slot 100 from a (a real view never has two owners for one slot).
    const spec: ClusterSpec = {
      ...healthySpec(),
      views: { b: { a: { slots: '0-99 101-5460' }, b: { slots: '100 5461-10921' } } },
    };
    const [finding] = configDisagreement.run(buildSnapshot(spec));
    expect(finding?.severity).toBe('critical');
    expect(finding?.slots).toEqual([[100, 100]]);
    expect(finding?.nodes).toEqual(['127.0.0.1:7001']);
    expect(finding?.evidence.disagreements).toEqual([
      {
        slots: '100',
        majorityOwner: nodeId('a'),
        ownerByObserver: {
          '127.0.0.1:7000': nodeId('a'),
          '127.0.0.1:7001': nodeId('b'),
          '127.0.0.1:7002': nodeId('a'),
          '127.0.0.1:7003': nodeId('a'),
          '127.0.0.1:7004': nodeId('a'),
          '127.0.0.1:7005': nodeId('a'),
        },
        keysByNode: {},
      },
    ]);
    expect(finding?.runbook).toContain(
      `redis-cli -h 127.0.0.1 -p 7001 CLUSTER SETSLOT 100 NODE ${nodeId('a')}`,
    );
  });

  it('a replica whose view lost slots: ranges merged, one entry per distinct disagreement', () => {
    const spec: ClusterSpec = {
      ...healthySpec(),
      views: { f: { a: { slots: '0-99 200-5460' }, c: { slots: '10922-16000' } } },
    };
    const [finding] = configDisagreement.run(buildSnapshot(spec));
    expect(finding?.slots).toEqual([
      [100, 199],
      [16001, 16383],
    ]);
    expect(finding?.nodes).toEqual(['127.0.0.1:7005']);
    const listed = finding?.evidence.disagreements as { slots: string; ownerByObserver: object }[];
    expect(listed.map((d) => d.slots)).toEqual(['100-199', '16001-16383']);
    expect(listed[0]?.ownerByObserver).toMatchObject({ '127.0.0.1:7005': null });
  });

  it('is silent when every view agrees', () => {
    expect(configDisagreement.run(buildSnapshot(healthySpec()))).toEqual([]);
  });
});

describe('keys-in-unowned-slot', () => {
  it('ignores owned and importing slots, and slots nobody owns (slots-uncovered says it)', () => {
    const spec: ClusterSpec = {
      ...healthySpec(),
      views: Object.fromEntries(
        ['a', 'b', 'c', 'd', 'e', 'f'].map((o) => [o, { c: { slots: '10922-16000' } }]),
      ),
      extra: { a: { slotKeyCounts: { 5: 3, 6000: 2, 6001: 0, 7000: 4, 16100: 9 } } },
    };
    // a imports 7000: its own line carries the marker.
    spec.views = { ...spec.views, a: { ...spec.views?.a, a: { slots: `0-5460 [7000-<-${nodeId('b')}]` } } };
    const [finding] = keysInUnownedSlot.run(buildSnapshot(spec));
    expect(finding?.slots).toEqual([[6000, 6000]]);
    expect(finding?.nodes).toEqual(['127.0.0.1:7000', '127.0.0.1:7001']);
    expect(finding?.evidence.totalKeys).toBe(2);
  });
});

describe('slots-imbalanced', () => {
  const layout = (a: number, b: number): ClusterSpec => ({
    nodes: [
      { name: 'a', port: 7000, slots: `0-${a - 1}`, epoch: 1 },
      { name: 'b', port: 7001, slots: `${a}-${a + b - 1}`, epoch: 2 },
      { name: 'c', port: 7002, slots: `${a + b}-16383`, epoch: 3 },
    ],
  });

  it('fires past 1.5x between the biggest and the smallest master', () => {
    const [finding] = slotsImbalanced.run(buildSnapshot(layout(4000, 6100)));
    expect(finding?.severity).toBe('info');
    expect(finding?.nodes).toEqual(['127.0.0.1:7002', '127.0.0.1:7000']);
    expect(finding?.evidence.ratio).toBe(1.57);
  });

  it('is silent at 1.5x or below, and with one master', () => {
    expect(slotsImbalanced.run(buildSnapshot(layout(4096, 6144)))).toEqual([]);
    const one: ClusterSpec = { nodes: [{ name: 'a', port: 7000, slots: '0-16383', epoch: 1 }] };
    expect(slotsImbalanced.run(buildSnapshot(one))).toEqual([]);
  });
});

describe('config-disagreement while a node learns the slot map', () => {
  it('a node serving no slot that knows no owner yet for slots everyone else agrees on: info, a bounded transition', () => {
    const spec = healthySpec();
    spec.views = { f: { c: { slots: '' } } };
    const [finding] = configDisagreement.run(buildSnapshot(spec));
    expect(finding?.severity).toBe('info');
    expect(finding?.summary).toMatch(
      /^127\.0\.0\.1:7005 serving no slot do\(es\) not know the owner of 5462 slot\(s\) \(10922-16383\) yet/,
    );
    expect(finding?.evidence.transition).toEqual({ state: 'learning the slot map', boundSeconds: 60 });
  });

  it('a node that names another owner, or a master that knows none: critical', () => {
    const named = healthySpec();
    named.views = { f: { c: { slots: '' }, b: { slots: '5461-16383' } } };
    expect(configDisagreement.run(buildSnapshot(named))[0]?.severity).toBe('critical');
    const master = healthySpec();
    master.views = { a: { c: { slots: '' } } };
    expect(configDisagreement.run(buildSnapshot(master))[0]?.severity).toBe('critical');
  });
});
