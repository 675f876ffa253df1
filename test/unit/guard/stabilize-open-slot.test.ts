import { describe, expect, it } from 'vitest';
import { candidateActions } from '../../../lib/guard/plan';
import { ClusterView } from '../../../lib/model/view';
import { type AnyStep, bound, type PlannedAction } from '../../../lib/remedies/catalog';
import { type ClusterSpec, healthySpec, nodeId } from '../checks/build';
import {
  A,
  B,
  C,
  cliAt,
  entryFor,
  importing,
  migrating,
  ownedInViews,
  planTwice,
  policy,
  snapshotAt,
  stabilizeAction,
  withKeys,
  withMarkers,
} from './snapshot';

/** Slot 300 belongs to a (0-5460) in healthySpec(); b is the usual target. */
const SLOT = 300;

/** A planned action as these tests read it: whatever its sub-case, its params by name. */
type Planned = PlannedAction & { params: Record<string, unknown> };

function stabilize(spec: ClusterSpec): Planned {
  const action = stabilizeAction(spec);
  // One slot per action here: its plan's fields, by name.
  return { ...action, params: action.params?.slots[0] ?? {} } as Planned;
}

/** a migrating 300 to b, b importing it from a, with these key counts. */
const bothSides = (keysA: number, keysB: number, base: ClusterSpec = healthySpec()): ClusterSpec =>
  withKeys(withMarkers(base, { a: [migrating(SLOT, 'b')], b: [importing(SLOT, 'a')] }), {
    a: { [SLOT]: keysA },
    b: { [SLOT]: keysB },
    c: { [SLOT]: 0 },
  });

/** The majority (b and c) already gives 300 to b; a's own view still says a. Apply before markers. */
const targetOwnsByMajority = (spec: ClusterSpec): ClusterSpec =>
  ownedInViews(
    ownedInViews(spec, ['b', 'c', 'd', 'e', 'f'], 'a', '0-299 301-5460'),
    ['b', 'c', 'd', 'e', 'f'],
    'b',
    '300 5461-10921',
  );

const setslotNode = (owner: string, ...addresses: string[]) =>
  addresses.map((a) => cliAt(a, 'CLUSTER', 'SETSLOT', SLOT, 'NODE', nodeId(owner)));

describe('stabilize-open-slot: known-safe sub-cases', () => {
  it('importing-only with no keys on the importer: STABLE on the importer only', () => {
    const spec = withKeys(withMarkers(healthySpec(), { b: [importing(SLOT, 'a')] }), {
      a: { [SLOT]: 4 },
      b: { [SLOT]: 0 },
      c: { [SLOT]: 0 },
    });
    const action = stabilize(spec);
    expect(action.key).toBe('stabilize-open-slot:300');
    expect(action.subCase).toBe('importing-only');
    expect(action.escalate).toBeUndefined();
    expect(action.slots).toEqual([[SLOT, SLOT]]);
    expect(action.nodes).toEqual([A, B]);
    expect(action.commands).toEqual([cliAt(B, 'CLUSTER', 'SETSLOT', SLOT, 'STABLE')]);
  });

  it('migrating-only with an empty target that is not importing: STABLE on the source only', () => {
    const spec = withKeys(withMarkers(healthySpec(), { a: [migrating(SLOT, 'b')] }), {
      a: { [SLOT]: 4 },
      b: { [SLOT]: 0 },
      c: { [SLOT]: 0 },
    });
    const action = stabilize(spec);
    expect(action.subCase).toBe('migrating-only');
    expect(action.commands).toEqual([cliAt(A, 'CLUSTER', 'SETSLOT', SLOT, 'STABLE')]);
  });

  it('both sides open and no key on the target: roll back, importing side first', () => {
    const action = stabilize(bothSides(4, 0));
    expect(action.subCase).toBe('rollback');
    expect(action.commands).toEqual([
      cliAt(B, 'CLUSTER', 'SETSLOT', SLOT, 'STABLE'),
      cliAt(A, 'CLUSTER', 'SETSLOT', SLOT, 'STABLE'),
    ]);
    expect(action.params.finalOwner).toBe(nodeId('a'));
    expect(action.keysToMove).toBeUndefined();
  });

  it('keys on both sides: finish the move with MIGRATE KEYS (never REPLACE), then SETSLOT NODE everywhere', () => {
    const action = stabilize(bothSides(4, 3));
    expect(action.subCase).toBe('complete');
    expect(action.keysToMove).toBe(4);
    expect(action.params.finalOwner).toBe(nodeId('b'));
    expect(action.params.migrateTo).toEqual({ host: '127.0.0.1', port: 7001 });
    expect(action.commands).toEqual([
      `${cliAt(A, 'CLUSTER', 'GETKEYSINSLOT', SLOT, 100)}   # repeat until empty:`,
      `${cliAt(A, 'MIGRATE', '127.0.0.1', 7001, '""', 0, 10000, 'KEYS', '<keys...>')}   # never REPLACE`,
      // The new owner first, then the old one, then every other master.
      ...setslotNode('b', B, A, C),
    ]);
    const runnable = action.commands.map((c) => c.split('#')[0] ?? '');
    for (const command of runnable) expect(command).not.toMatch(/\b(REPLACE|FLUSHALL|FLUSHDB|RESET|DEL)\b/);
  });

  it('every key already on the target: finalise (SETSLOT NODE target on target, source, others)', () => {
    const action = stabilize(bothSides(0, 7));
    expect(action.subCase).toBe('finalise');
    expect(action.keysToMove).toBeUndefined();
    expect(action.params.finalOwner).toBe(nodeId('b'));
    expect(action.commands).toEqual(setslotNode('b', B, A, C));
  });

  it('the majority already gives the slot to the target, both sides still open, source empty: finalise', () => {
    const action = stabilize(bothSides(0, 7, targetOwnsByMajority(healthySpec())));
    expect(action.subCase).toBe('finalise');
    expect(action.params.finalOwner).toBe(nodeId('b'));
    expect(action.commands).toEqual(setslotNode('b', B, A, C));
  });

  it('the target owns the slot and the source is still migrating to it: owner-finalise on the laggards only', () => {
    const spec = withKeys(withMarkers(targetOwnsByMajority(healthySpec()), { a: [migrating(SLOT, 'b')] }), {
      a: { [SLOT]: 0 },
      b: { [SLOT]: 7 },
      c: { [SLOT]: 0 },
    });
    const action = stabilize(spec);
    expect(action.subCase).toBe('owner-finalise');
    expect(action.params.finalOwner).toBe(nodeId('b'));
    // c already agrees: only a, which still says it owns the slot, is told.
    expect(action.commands).toEqual(setslotNode('b', A));
  });
});

describe('stabilize-open-slot: everything else is escalated with a runbook', () => {
  const expectEscalated = (action: PlannedAction, reason: RegExp) => {
    expect(action.subCase).toBe('escalate');
    expect(action.escalate).toMatch(reason);
    expect(action.commands).toEqual([]);
    expect(action.runbook?.length).toBeGreaterThan(0);
    expect(action.runbook).toContain(cliAt(A, 'CLUSTER', 'COUNTKEYSINSLOT', SLOT));
  };

  it('importing-only, the importer holds keys, and its source is not the owner', () => {
    const spec = withKeys(withMarkers(healthySpec(), { b: [importing(SLOT, 'c')] }), {
      a: { [SLOT]: 4 },
      b: { [SLOT]: 2 },
      c: { [SLOT]: 0 },
    });
    expectEscalated(stabilize(spec), /importing and already holds 2 key/);
  });

  it('the owner itself importing the slot', () => {
    const spec = withKeys(withMarkers(healthySpec(), { a: [importing(SLOT, 'b')] }), {
      a: { [SLOT]: 0 },
      b: { [SLOT]: 0 },
      c: { [SLOT]: 0 },
    });
    expectEscalated(stabilize(spec), /owner itself is importing/);
  });

  it('migrating-only but the target holds keys without importing', () => {
    const spec = withKeys(withMarkers(healthySpec(), { a: [migrating(SLOT, 'b')] }), {
      a: { [SLOT]: 4 },
      b: { [SLOT]: 1 },
      c: { [SLOT]: 0 },
    });
    expectEscalated(stabilize(spec), /holds keys of the slot but is not importing/);
  });

  it('owner-finalise shape but the source still holds keys', () => {
    const spec = withKeys(withMarkers(targetOwnsByMajority(healthySpec()), { a: [migrating(SLOT, 'b')] }), {
      a: { [SLOT]: 3 },
      b: { [SLOT]: 7 },
      c: { [SLOT]: 0 },
    });
    expectEscalated(stabilize(spec), /still holds 3 key/);
  });

  it('several importers', () => {
    const spec = withKeys(
      withMarkers(healthySpec(), {
        a: [migrating(SLOT, 'b')],
        b: [importing(SLOT, 'a')],
        c: [importing(SLOT, 'a')],
      }),
      { a: { [SLOT]: 4 }, b: { [SLOT]: 0 }, c: { [SLOT]: 0 } },
    );
    expectEscalated(stabilize(spec), /1 migrating and 2 importing marker/);
  });

  it('keys of the slot on a third node', () => {
    const spec = withKeys(bothSides(4, 3), { c: { [SLOT]: 1 } });
    expectEscalated(stabilize(spec), new RegExp(`keys of the slot on a third node: ${C}`));
  });

  it('an unreachable side', () => {
    const spec: ClusterSpec = {
      ...withKeys(withMarkers(healthySpec(), { a: [migrating(SLOT, 'b')] }), {
        a: { [SLOT]: 4 },
        c: { [SLOT]: 0 },
      }),
      unreachable: ['b'],
    };
    expectEscalated(stabilize(spec), new RegExp(`unreachable but not flagged fail by the cluster: ${B}`));
  });

  it('markers naming different peers', () => {
    const spec = withKeys(
      withMarkers(healthySpec(), { a: [migrating(SLOT, 'b')], c: [importing(SLOT, 'b')] }),
      {
        a: { [SLOT]: 4 },
        b: { [SLOT]: 0 },
        c: { [SLOT]: 0 },
      },
    );
    expectEscalated(stabilize(spec), /different peers/);
  });

  it('the masters split evenly on the owner', () => {
    // Two masters: a says a owns 300, b says b does.
    const two: ClusterSpec = {
      nodes: [
        { name: 'a', port: 7000, slots: '0-8191', epoch: 1 },
        { name: 'b', port: 7001, slots: '8192-16383', epoch: 2 },
      ],
    };
    const split = ownedInViews(ownedInViews(two, ['b'], 'a', '0-299 301-8191'), ['b'], 'b', '300 8192-16383');
    const spec = withKeys(withMarkers(split, { a: [migrating(SLOT, 'b')], b: [importing(SLOT, 'a')] }), {
      a: { [SLOT]: 4 },
      b: { [SLOT]: 0 },
    });
    expectEscalated(stabilize(spec), /do not agree on an owner/);
  });

  it('reaches the plan as escalated by the known-safe guard, whatever the mode and allow-list', () => {
    const spec = withKeys(bothSides(4, 3), { c: { [SLOT]: 1 } });
    for (const mode of ['off', 'dry-run', 'auto'] as const) {
      const entry = entryFor(planTwice(spec, spec, policy({ mode, allow: [] })), 'stabilize-open-slot:300');
      expect(entry.status).toBe('escalated');
      expect(entry.guard).toBe('known-safe');
      expect(entry.reason).toMatch(/third node/);
    }
  });
});

describe('stabilize-open-slot: key counts that were not observed', () => {
  it('a side whose keys were not counted is escalated, not rolled back as if empty', () => {
    // COUNTKEYSINSLOT failed on b (observe keeps it reachable, with no slotKeyCounts). "No key on
    // the target" was not observed, so rollback (which would strand any keys b holds) is not known-safe.
    const spec = withKeys(
      withMarkers(healthySpec(), { a: [migrating(SLOT, 'b')], b: [importing(SLOT, 'a')] }),
      {
        a: { [SLOT]: 4 },
        c: { [SLOT]: 0 },
      },
    );
    const snapshot = snapshotAt(spec);
    for (const node of snapshot.nodes) if (node.address === B) delete node.slotKeyCounts;
    const [action] = candidateActions(snapshot, policy()).filter((a) => a.remedy === 'stabilize-open-slot');
    expect(action?.subCase).toBe('escalate');
  });
});

describe('stabilize-open-slot: verify judges what the action wrote', () => {
  // b importing 300 from a, nobody migrating: importing-only, STABLE on b. Verified on the state after.
  const before = withKeys(withMarkers(healthySpec(), { b: [importing(SLOT, 'a')] }), {
    a: { [SLOT]: 4 },
    b: { [SLOT]: 0 },
    c: { [SLOT]: 0 },
  });
  const verifyOn = (after: ClusterSpec) =>
    bound(stabilizeAction(before) as unknown as AnyStep).verify(new ClusterView(snapshotAt(after)));

  it('passes once no master and no replica of b shows the mark', () => {
    expect(verifyOn(healthySpec())).toBeUndefined();
  });

  it("fails while b's replica still shows the importing copy it should lose with b's STABLE (Valkey 8)", () => {
    expect(verifyOn(withMarkers(healthySpec(), { e: [importing(SLOT, 'a')] }))).toBe(
      `slot ${SLOT} still open on 127.0.0.1:7004`,
    );
  });

  it('fails while b itself is still importing', () => {
    expect(verifyOn(withMarkers(healthySpec(), { b: [importing(SLOT, 'a')] }))).toBe(
      `slot ${SLOT} still open on ${B}`,
    );
  });

  it("a stale copy on a replica of a, which the action never wrote to, is replica-mark's, not a failure", () => {
    const after = withMarkers(healthySpec(), { d: [migrating(SLOT, 'b')] });
    expect(verifyOn(after)).toBeUndefined();
    // ...and the next plan closes it on its own.
    const next = candidateActions(snapshotAt(after), policy()).filter(
      (a) => a.remedy === 'stabilize-open-slot',
    );
    expect(next.map((a) => a.subCase)).toEqual(['replica-mark']);
  });
});
