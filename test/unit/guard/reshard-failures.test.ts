import { describe, expect, it } from 'vitest';
import { replicaMarkStale } from '../../../lib/checks/replica-mark-stale';
import { slotOpen } from '../../../lib/checks/slot-open';
import { candidateActions } from '../../../lib/guard/plan';
import { DEFAULT_SETTINGS } from '../../../lib/remedies/types';
import { type ClusterSpec, healthySpec, nodeId } from '../checks/build';
import {
  A,
  B,
  C,
  cliAt,
  D,
  E,
  importing,
  migrating,
  policy,
  REPLID,
  setslotNodeAt,
  snapshotAt,
  stabilizeAction,
  withKeys,
  withMarkers,
} from './snapshot';

/** Slot 300 belongs to a (0-5460) in healthySpec(); b is the usual target. */
const SLOT = 300;

/** Every reachable observer flags `dead` fail (and prints `overrides` for some nodes). */
function deadIn(spec: ClusterSpec, dead: string[], overrides: Record<string, Record<string, object>> = {}) {
  const views: ClusterSpec['views'] = {};
  for (const o of spec.nodes.map((n) => n.name).filter((n) => !dead.includes(n))) {
    views[o] = Object.fromEntries(dead.map((d) => [d, { flags: ['fail'], link: 'disconnected' as const }]));
    for (const [node, line] of Object.entries(overrides[o] ?? {}))
      views[o][node] = { ...views[o][node], ...line };
  }
  return { ...spec, views, unreachable: dead };
}

/** `dead` (a master) is down and its replica `heir` took its slots over (a promoted replica keeps master_replid2). */
function promoted(dead: string, heir: string, overrides: Record<string, Record<string, object>> = {}) {
  const base = healthySpec();
  const slots = base.nodes.find((n) => n.name === dead)?.slots;
  const nodes = base.nodes.map((n) =>
    n.name === dead
      ? { ...n, slots: '' }
      : n.name === heir
        ? { name: heir, port: n.port, slots, epoch: 7 }
        : n,
  );
  return { ...deadIn({ ...base, nodes }, [dead], overrides), info: { [heir]: `master_replid2:${REPLID}` } };
}

const stabilize = stabilizeAction;
const node = (owner: string, ...addresses: string[]) => setslotNodeAt(SLOT, owner, ...addresses);

describe('case 1: partial finalisation', () => {
  it('the source gave the slot up and names the importer, nobody claims it, every key on the importer: importer-finalise', () => {
    const spec = withKeys(
      withMarkers(
        {
          ...healthySpec(),
          views: { a: { a: { slots: '0-299 301-5460' }, b: { slots: '300 5461-10921' } } },
        },
        { b: [importing(SLOT, 'a')] },
      ),
      { a: { [SLOT]: 0 }, b: { [SLOT]: 10 }, c: { [SLOT]: 0 } },
    );
    const action = stabilize(spec);
    expect(action.subCase).toBe('importer-finalise');
    expect(action.commands).toEqual(node('b', B, A, C));
    expect(action.params?.slots[0]?.finalOwner).toBe(nodeId('b'));
  });

  it('the source gave the slot up but still holds keys: escalated', () => {
    const spec = withKeys(
      withMarkers(
        {
          ...healthySpec(),
          views: { a: { a: { slots: '0-299 301-5460' }, b: { slots: '300 5461-10921' } } },
        },
        { b: [importing(SLOT, 'a')] },
      ),
      { a: { [SLOT]: 1 }, b: { [SLOT]: 10 }, c: { [SLOT]: 0 } },
    );
    expect(stabilize(spec).escalate).toMatch(/gave the slot up but still holds keys/);
  });

  it('the importer holds keys, its source owns the slot by its own word and is not migrating: resume', () => {
    const spec = withKeys(withMarkers(healthySpec(), { b: [importing(SLOT, 'a')] }), {
      a: { [SLOT]: 4 },
      b: { [SLOT]: 2 },
      c: { [SLOT]: 0 },
    });
    const action = stabilize(spec);
    expect(action.subCase).toBe('resume');
    expect(action.commands[0]).toBe(cliAt(A, 'CLUSTER', 'SETSLOT', SLOT, 'MIGRATING', nodeId('b')));
    expect(action.keysToMove).toBe(4);
  });
});

describe('case 2: the target died and its replica was promoted', () => {
  const spec = (heirKeys: number, info = true) => {
    const s = withKeys(withMarkers(promoted('b', 'e'), { a: [migrating(SLOT, 'b')] }), {
      a: { [SLOT]: 180 },
      c: { [SLOT]: 0 },
      e: { [SLOT]: heirKeys },
    });
    return info ? s : { ...s, info: {} };
  };

  it('Redis 7 (no IMPORTING on the heir, the source MIGRATING to the dead id): retarget-promoted-target', () => {
    const action = stabilize(spec(120));
    expect(action.subCase).toBe('retarget-promoted-target');
    expect(action.nodes).toEqual([A, E]);
    expect(action.commands.slice(0, 2)).toEqual([
      cliAt(E, 'CLUSTER', 'SETSLOT', SLOT, 'IMPORTING', nodeId('a')),
      cliAt(A, 'CLUSTER', 'SETSLOT', SLOT, 'MIGRATING', nodeId('e')),
    ]);
    expect(action.commands.slice(-3)).toEqual(node('e', E, A, C));
    expect(action.summary).toContain(
      `its replica ${E} was promoted and holds 120 moved key(s) without an IMPORTING mark`,
    );
    expect(action.keysToMove).toBe(180);
  });

  it('a run killed after the heir got its IMPORTING mark: the same sub-case, without that command', () => {
    const action = stabilize(withMarkers(spec(120), { e: [importing(SLOT, 'a')] }));
    expect(action.subCase).toBe('retarget-promoted-target');
    expect(action.commands[0]).toBe(cliAt(A, 'CLUSTER', 'SETSLOT', SLOT, 'MIGRATING', nodeId('e')));
  });

  it('keys on a node that shows no sign of a promotion: escalated, nothing decided by key counts alone', () => {
    expect(stabilize(spec(120, false)).escalate).toMatch(/no sign of having been promoted/);
  });

  it('no live node holds or imports a moved key: hold (they may exist only on the dead node)', () => {
    const action = stabilize(spec(0));
    expect(action.escalate).toMatch(/^hold: .*owns no slot now and no live node holds or imports a key/);
    expect(action.runbook?.join('\n')).toContain(`cluster-doctor fix ${A} --yes`);
  });

  it('forget-ghost-node never forgets the dead target while the mark names it', () => {
    const snapshot = snapshotAt(spec(120));
    const plan = candidateActions(snapshot, policy({ settings: { ...DEFAULT_SETTINGS, ghostMinAgeMs: 0 } }));
    const forget = plan.find((a) => a.remedy === 'forget-ghost-node');
    expect(forget?.subCase).toBe('escalate');
    expect(forget?.escalate).toContain(
      `${A} migrates slot ${SLOT} to it: forgetting it would clear that mark`,
    );
  });
});

describe('case 3: the source died and its replica was promoted', () => {
  // The importing target b ignores gossip about the slot: it still gives 300 to the dead a.
  const spec = () =>
    withKeys(
      withMarkers(promoted('a', 'd', { b: { a: { slots: '300' }, d: { slots: '0-299 301-5460' } } }), {
        b: [importing(SLOT, 'a')],
      }),
      { b: { [SLOT]: 120 }, c: { [SLOT]: 0 }, d: { [SLOT]: 180 } },
    );

  it('retarget-promoted-source: the target view first, then both marks, then the move', () => {
    const action = stabilize(spec());
    expect(action.subCase).toBe('retarget-promoted-source');
    expect(action.commands.slice(0, 3)).toEqual([
      cliAt(B, 'CLUSTER', 'SETSLOT', SLOT, 'NODE', nodeId('d')),
      cliAt(B, 'CLUSTER', 'SETSLOT', SLOT, 'IMPORTING', nodeId('d')),
      cliAt(D, 'CLUSTER', 'SETSLOT', SLOT, 'MIGRATING', nodeId('b')),
    ]);
    expect(action.commands.slice(-3)).toEqual(node('b', B, D, C));
    expect(action.nodes).toEqual([B, D]);
  });

  it('one critical slot-open finding says what happened: who died, who was promoted, who still names the dead owner', () => {
    const [finding] = slotOpen.run(snapshotAt(spec()));
    expect(finding?.severity).toBe('critical');
    expect(finding?.summary).toContain(
      `the move's source ${A} (${nodeId('a').slice(0, 8)}) is down (flagged fail)`,
    );
    expect(finding?.summary).toContain(
      `${D} (${nodeId('d').slice(0, 8)}) was promoted from replica and holds 180 key(s)`,
    );
    expect(finding?.summary).toContain(
      `${B}, importing, ignores gossip about the slot: it still names the dead node as owner`,
    );
  });
});

describe('case 4: the target died with its whole shard', () => {
  it('hold: escalated, never STABLE, with the runbook to bring it back', () => {
    const spec = withKeys(withMarkers(deadIn(healthySpec(), ['b', 'e']), { a: [migrating(SLOT, 'b')] }), {
      a: { [SLOT]: 180 },
      c: { [SLOT]: 0 },
    });
    const action = stabilize(spec);
    expect(action.escalate).toMatch(
      /^hold: the move's target .* is down with its whole shard .*it still owns 5461 slot\(s\)/,
    );
    expect(action.commands).toEqual([]);
    expect(
      action.runbook?.some((l) => l.includes(`CLUSTER SETSLOT ${SLOT} STABLE`) && l.startsWith('# Never')),
    ).toBe(true);
  });

  it('a side unreachable but not (yet) failed: escalated, wait for failure detection', () => {
    const spec = withKeys(
      withMarkers({ ...healthySpec(), unreachable: ['b'] }, { a: [migrating(SLOT, 'b')] }),
      {
        a: { [SLOT]: 180 },
        c: { [SLOT]: 0 },
      },
    );
    expect(stabilize(spec).escalate).toMatch(/not flagged fail by the cluster.*wait for failure detection/);
  });
});

describe('case 6: a replica mark its primary does not have (Valkey 8)', () => {
  it('found by replica-mark-stale; planned as STABLE on the primary; a mark the primary has too is neither', () => {
    const stale = withMarkers(healthySpec(), { d: [migrating(SLOT, 'b')] });
    const [finding] = replicaMarkStale.run(snapshotAt(stale));
    expect(finding?.summary).toBe(
      `replica ${D} shows slot ${SLOT} migrating to ${B}; its primary ${A} has no mark on that slot: a failover would promote a phantom open slot`,
    );
    const [action] = candidateActions(snapshotAt(stale), policy());
    expect([action?.key, action?.subCase, action?.commands]).toEqual([
      `stabilize-open-slot:replica-mark:${SLOT}`,
      'replica-mark',
      [cliAt(A, 'CLUSTER', 'SETSLOT', SLOT, 'STABLE')],
    ]);
    const copied = withKeys(withMarkers(stale, { a: [migrating(SLOT, 'b')] }), {
      a: { [SLOT]: 3 },
      b: { [SLOT]: 0 },
      c: { [SLOT]: 0 },
    });
    expect(replicaMarkStale.run(snapshotAt(copied))).toEqual([]);
    expect(candidateActions(snapshotAt(copied), policy()).map((a) => a.subCase)).toEqual(['migrating-only']);
  });
});

describe('case 6: a replica whose primary the checker cannot reach', () => {
  it('is not called stale: the primary may well have the mark', () => {
    const spec = withMarkers({ ...healthySpec(), unreachable: ['a'] }, { d: [migrating(SLOT, 'b')] });
    expect(replicaMarkStale.run(snapshotAt(spec))).toEqual([]);
  });
});
