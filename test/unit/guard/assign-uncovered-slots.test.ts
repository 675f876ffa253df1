import { describe, expect, it } from 'vitest';
import { candidateActions } from '../../../lib/guard/plan';
import type { PlannedAction } from '../../../lib/remedies/catalog';
import { type ClusterSpec, healthySpec, type NodeSpec } from '../checks/build';
import { A, B, C, cliAt, entryFor, planTwice, policy, snapshotAt, withKeys } from './snapshot';

/** Three masters (a, b, c on 7000-7002) with these slot tokens, and their replicas. */
function masters(a: string, b: string, c: string): ClusterSpec {
  const slots: Record<string, string> = { a, b, c };
  return {
    ...healthySpec(),
    nodes: healthySpec().nodes.map((n): NodeSpec => (slots[n.name] ? { ...n, slots: slots[n.name] } : n)),
  };
}

/** Key counts of `slots` on every master: zero unless given. */
function counted(spec: ClusterSpec, slots: number[], holders: Record<string, Record<number, number>> = {}) {
  const zero = Object.fromEntries(slots.map((s) => [s, 0]));
  return withKeys(spec, {
    a: { ...zero, ...holders.a },
    b: { ...zero, ...holders.b },
    c: { ...zero, ...holders.c },
  });
}

const range = (first: number, last: number) => Array.from({ length: last - first + 1 }, (_, i) => first + i);

/** A planned action as these tests read it: whatever its sub-case, its params by name. */
type Planned = PlannedAction & { params: Record<string, unknown> };

function assign(spec: ClusterSpec): Planned[] {
  return candidateActions(snapshotAt(spec), policy()).filter(
    (a) => a.remedy === 'assign-uncovered-slots',
  ) as Planned[];
}

describe('assign-uncovered-slots', () => {
  it('is not applicable when every slot is covered', () => {
    expect(assign(healthySpec())).toEqual([]);
  });

  it('no keys anywhere: the neighbouring range owner takes the slots, so its range stays contiguous', () => {
    const [action, ...rest] = assign(counted(masters('100-5460', '5461-10921', '10922-16383'), range(0, 99)));
    expect(rest).toEqual([]);
    expect(action?.subCase).toBe('no-keys');
    expect(action?.escalate).toBeUndefined();
    expect(action?.key).toBe('assign-uncovered-slots:0-99');
    expect(action?.slots).toEqual([[0, 99]]);
    expect(action?.nodes).toEqual([A]);
    expect(action?.commands).toEqual([cliAt(A, 'CLUSTER', 'ADDSLOTSRANGE', 0, 99)]);
  });

  it('no keys, a gap between two masters: the neighbour with fewer slots takes it', () => {
    // 5400-5500 uncovered; a has 5400 slots, b 5421.
    const spec = counted(masters('0-5399', '5501-10921', '10922-16383'), range(5400, 5500));
    expect(assign(spec).map((a) => a.commands)).toEqual([[cliAt(A, 'CLUSTER', 'ADDSLOTSRANGE', 5400, 5500)]]);
    // b with fewer slots than a: b takes it.
    const flipped = counted(masters('0-5399', '5501-10800', '10801-16383'), range(5400, 5500));
    expect(assign(flipped).map((a) => a.commands)).toEqual([
      [cliAt(B, 'CLUSTER', 'ADDSLOTSRANGE', 5400, 5500)],
    ]);
  });

  it('no keys, neighbours with equal slot counts: the lower address, every time', () => {
    // a 0-5399 and b 5501-10900 both own 5400 slots.
    const spec = counted(masters('0-5399', '5501-10900', '10901-16383'), range(5400, 5500));
    const once = assign(spec);
    expect(once.map((a) => a.nodes)).toEqual([[A]]);
    expect(assign(spec)).toEqual(once);
  });

  it('no keys and no neighbour owner: the master with fewest slots', () => {
    // 5000-5099 uncovered; 5000 has keys on b, 5099 on c, so 5001-5098 borders no owned slot.
    // a owns 5000 slots, b 5822, c 5462: a takes the empty middle.
    const spec = counted(masters('0-4999', '5100-10921', '10922-16383'), range(5000, 5099), {
      b: { 5000: 2 },
      c: { 5099: 1 },
    });
    const byNode = Object.fromEntries(assign(spec).map((a) => [a.nodes[0], [a.subCase, a.slots]]));
    expect(byNode).toEqual({
      [A]: ['no-keys', [[5001, 5098]]],
      [B]: ['keys-on-one-master', [[5000, 5000]]],
      [C]: ['keys-on-one-master', [[5099, 5099]]],
    });
  });

  it('keys of the slot on exactly one master: that master, even when it is not a neighbour', () => {
    const spec = counted(masters('0-99 101-5460', '5461-10921', '10922-16383'), [100], { c: { 100: 3 } });
    const [action, ...rest] = assign(spec);
    expect(rest).toEqual([]);
    expect(action?.subCase).toBe('keys-on-one-master');
    expect(action?.commands).toEqual([cliAt(C, 'CLUSTER', 'ADDSLOTSRANGE', 100, 100)]);
    expect(action?.params.owner).toMatchObject({ address: C });
  });

  it('keys of the slot on several masters: escalated with a runbook, nothing assigned', () => {
    const spec = counted(masters('0-99 101-5460', '5461-10921', '10922-16383'), [100], {
      b: { 100: 1 },
      c: { 100: 3 },
    });
    const [action, ...rest] = assign(spec);
    expect(rest).toEqual([]);
    expect(action?.subCase).toBe('escalate');
    expect(action?.escalate).toMatch(/several masters/);
    expect(action?.commands).toEqual([]);
    expect(action?.runbook?.join('\n')).toMatch(/COUNTKEYSINSLOT/);
    expect(action?.runbook?.join('\n')).toMatch(/never REPLACE/);
    const entry = entryFor(planTwice(spec), 'assign-uncovered-slots:100');
    expect(entry.status).toBe('escalated');
    expect(entry.guard).toBe('known-safe');
  });

  it('uncovered slots while a master is unreachable: escalated, its keys are unknown', () => {
    const spec: ClusterSpec = {
      ...counted(masters('100-5460', '5461-10921', '10922-16383'), range(0, 99)),
      unreachable: ['c'],
    };
    const [action, ...rest] = assign(spec);
    expect(rest).toEqual([]);
    expect(action?.escalate).toMatch(/cannot see every node \(127\.0\.0\.1:7002\)/);
    expect(action?.commands).toEqual([]);
  });

  it('an unreachable replica of a master in sight hides no keys: the empty slots are still assigned', () => {
    const spec: ClusterSpec = {
      ...counted(masters('100-5460', '5461-10921', '10922-16383'), range(0, 99)),
      unreachable: ['e'],
    };
    const [action, ...rest] = assign(spec);
    expect(rest).toEqual([]);
    expect(action?.escalate).toBeUndefined();
    expect(action?.subCase).toBe('no-keys');
    expect(action?.slots).toEqual([[0, 99]]);
  });

  it("a lost shard's slots are never handed to another master", () => {
    // c failed (flagged fail by everyone, unreachable) and its replica f is gone: 10922-16383 is
    // still claimed by c in every view, so it is not "uncovered"; promote-replica escalates it.
    const failed = { flags: ['fail'], pongAgoMs: 30 * 60_000, link: 'disconnected' as const };
    const spec: ClusterSpec = {
      nodes: healthySpec().nodes.filter((n) => n.name !== 'f'),
      views: Object.fromEntries(['a', 'b', 'd', 'e'].map((o) => [o, { c: failed }])),
      unreachable: ['c'],
    };
    const plan = planTwice(spec, spec, policy({ allow: ['assign-uncovered-slots', 'promote-replica'] }));
    expect(plan.entries.filter((e) => e.action.remedy === 'assign-uncovered-slots')).toEqual([]);
    const lost = entryFor(plan, `promote-replica:${'c'.repeat(40)}`);
    expect(lost.status).toBe('escalated');
    expect(lost.reason).toMatch(/the shard is lost/);
    // Nothing in the plan acts: the only entry is the escalation.
    expect(plan.entries.map((e) => [e.action.remedy, e.status])).toEqual([['promote-replica', 'escalated']]);
    expect(plan.entries.flatMap((e) => e.action.commands).join('\n')).not.toMatch(/ADDSLOTS/);
  });

  it('a lost shard plus other uncovered slots: the uncovered slots are escalated too', () => {
    const failed = { flags: ['fail'], pongAgoMs: 30 * 60_000, link: 'disconnected' as const };
    const base = masters('100-5460', '5461-10921', '10922-16383');
    const spec: ClusterSpec = {
      ...counted(base, range(0, 99)),
      nodes: base.nodes.filter((n) => n.name !== 'f'),
      views: Object.fromEntries(['a', 'b', 'd', 'e'].map((o) => [o, { c: failed }])),
      unreachable: ['c'],
    };
    const [action, ...rest] = assign(spec);
    expect(rest).toEqual([]);
    expect(action?.slots).toEqual([[0, 99]]);
    expect(action?.escalate).toMatch(/cannot see every node/);
    expect(action?.commands).toEqual([]);
  });

  it('a reachable master whose keys were not counted is not taken as holding none: escalated', () => {
    // COUNTKEYSINSLOT failed on c (observe keeps it reachable, with no slotKeyCounts): the keys of
    // slot 100 may be on c, so giving 100 to a is not a known-safe sub-case.
    const spec = withKeys(masters('0-99 101-5460', '5461-10921', '10922-16383'), {
      a: { 100: 0 },
      b: { 100: 0 },
    });
    const snapshot = snapshotAt(spec);
    for (const node of snapshot.nodes) if (node.address === C) delete node.slotKeyCounts;
    const actions = candidateActions(snapshot, policy()).filter((a) => a.remedy === 'assign-uncovered-slots');
    expect(actions.map((a) => a.subCase)).toEqual(['escalate']);
  });
});
