import { describe, expect, it } from 'vitest';
import { slotOpen } from '../../../lib/checks/slot-open';
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
  REPLID,
  setslotNodeAt,
  snapshotAt,
  stabilizeAction,
  withKeys,
  withMarkers,
} from './snapshot';

/**
 * A node of a move stalls past the node timeout (SIGSTOP, a long MIGRATE, a fork, a paused VM), its
 * replica is promoted, and it comes back as a replica of that heir, which cleared its own mark: the
 * other side's mark names a node that answers but is no longer a master (issue 23).
 */

/** Slot 300 belongs to a (0-5460) in healthySpec(); b is the usual target. */
const SLOT = 300;
const OTHER = '5816727537835f6e2def397ff65710db2f4ff230';

/**
 * `old` (a master) stalled: its replica `heir` took its slots over and `old` came back as a replica of
 * `heir`, in sync. Both keep the old stream's id as `master_replid2` (a partial resync).
 */
function demoted(old: string, heir: string, replid2 = REPLID): ClusterSpec {
  const base = healthySpec();
  const slots = base.nodes.find((n) => n.name === old)?.slots;
  const port = (name: string) => base.nodes.find((n) => n.name === name)?.port as number;
  const nodes = base.nodes.map((n) =>
    n.name === old
      ? { name: old, port: port(old), replicaOf: heir }
      : n.name === heir
        ? { name: heir, port: port(heir), slots, epoch: 7 }
        : n,
  );
  return {
    ...base,
    nodes,
    info: { [heir]: `master_replid2:${REPLID}`, [old]: `master_replid2:${replid2}` },
  };
}

/** Keys of the slot on the demoted replica (what observe counts on a replica a mark names). */
const replicaKeys = (spec: ClusterSpec, name: string, n: number | undefined): ClusterSpec => ({
  ...spec,
  extra: {
    ...spec.extra,
    [name]: { ...spec.extra?.[name], ...(n === undefined ? {} : { replicaSlotKeyCounts: { [SLOT]: n } }) },
  },
});

const stabilize = stabilizeAction;
const node = (owner: string, ...addresses: string[]) => setslotNodeAt(SLOT, owner, ...addresses);

describe('the target stalled: b came back as a replica of its promoted replica e', () => {
  const spec = (
    o: { heirKeys?: number; held?: number; replid2?: string; more?: Partial<ClusterSpec> } = {},
  ) =>
    replicaKeys(
      withKeys(withMarkers({ ...demoted('b', 'e', o.replid2), ...o.more }, { a: [migrating(SLOT, 'b')] }), {
        a: { [SLOT]: 180 },
        c: { [SLOT]: 0 },
        e: { [SLOT]: o.heirKeys ?? 120 },
      }),
      'b',
      'held' in o ? o.held : (o.heirKeys ?? 120),
    );

  it('Redis 7 (the source MIGRATING to a replica, the heir holds the moved keys unmarked): retarget-promoted-target', () => {
    const action = stabilize(spec());
    expect(action.subCase).toBe('retarget-promoted-target');
    // The demoted node is read (its proofs), never written to.
    expect(action.nodes).toEqual([A, B, E]);
    expect(action.commands.slice(0, 2)).toEqual([
      cliAt(E, 'CLUSTER', 'SETSLOT', SLOT, 'IMPORTING', nodeId('a')),
      cliAt(A, 'CLUSTER', 'SETSLOT', SLOT, 'MIGRATING', nodeId('e')),
    ]);
    expect(action.commands.every((c) => !c.includes(`-p 7001 `))).toBe(true);
    expect(action.commands.slice(-3)).toEqual(node('e', E, A, C));
    expect(action.summary).toContain(
      `the move's target ${B} (${nodeId('b').slice(0, 8)}) is no longer a master: it is a replica of ${E}`,
    );
    expect(action.params?.slots[0]?.replaced).toEqual({ id: nodeId('b'), address: B, state: 'demoted' });
    expect(action.keysToMove).toBe(180);
  });

  it('a run killed after the heir got its IMPORTING mark: the same sub-case, without that command', () => {
    const action = stabilize(withMarkers(spec(), { e: [importing(SLOT, 'a')] }));
    expect(action.subCase).toBe('retarget-promoted-target');
    expect(action.commands[0]).toBe(cliAt(A, 'CLUSTER', 'SETSLOT', SLOT, 'MIGRATING', nodeId('e')));
  });

  it('one critical slot-open finding names the demoted node, its heir, and a runbook that re-targets', () => {
    const [finding] = slotOpen.run(snapshotAt(spec()));
    expect(finding?.severity).toBe('critical');
    expect(finding?.summary).toContain(
      `the move's target ${B} (${nodeId('b').slice(0, 8)}) is no longer a master: it is a replica of ${E}`,
    );
    expect(finding?.summary).toContain(
      `${E} (${nodeId('e').slice(0, 8)}) was promoted from replica and holds 120`,
    );
    expect(finding?.evidence.replacedPeers).toEqual([
      { id: nodeId('b'), address: B, state: 'demoted', replicaOf: E },
    ]);
    expect(finding?.runbook).toContain(cliAt(E, 'CLUSTER', 'SETSLOT', SLOT, 'IMPORTING', nodeId('a')));
    expect(finding?.runbook).toContain(cliAt(A, 'CLUSTER', 'SETSLOT', SLOT, 'MIGRATING', nodeId('e')));
    expect(finding?.runbook?.some((l) => l.includes('STABLE') && !l.startsWith('# Never'))).toBe(false);
  });

  describe('anything unexpected escalates', () => {
    const cases: [string, ClusterSpec, RegExp][] = [
      [
        'the demoted node replicates another node',
        spec({
          more: {
            nodes: demoted('b', 'e').nodes.map((n) => (n.name === 'b' ? { ...n, replicaOf: 'c' } : n)),
          },
        }),
        /replicates 127\.0\.0\.1:7002 .*, not the promoted 127\.0\.0\.1:7004/,
      ],
      [
        'the heir took over another stream',
        spec({ replid2: OTHER }),
        /took over replication stream c946.*, not 5816/,
      ],
      [
        'the demoted node resynced from scratch',
        spec({ replid2: '0000000000000000000000000000000000000000' }),
        /resynced from scratch .*not known-safe/,
      ],
      [
        'the demoted node is not in sync yet',
        spec({
          more: {
            info: {
              e: `master_replid2:${REPLID}`,
              b: `master_replid2:${REPLID}\r\nmaster_link_status:down\r\nmaster_sync_in_progress:1`,
            },
          },
        }),
        /not in sync with .* yet \(master_link_status:down, master_sync_in_progress:1\): wait/,
      ],
      [
        'the demoted node holds keys the heir lacks',
        spec({ held: 150 }),
        /holds 150 key\(s\) of the slot, more than the 120/,
      ],
      ['its keys were not counted', spec({ held: undefined }), /keys of the slot on .* could not be counted/],
      [
        'the heir shows no promotion',
        spec({ more: { info: { b: `master_replid2:${REPLID}` } } }),
        /no sign of having been promoted/,
      ],
      [
        'the demoted node claims a slot itself',
        spec({ more: { views: { b: { b: { slots: '300' } } } } }),
        /says it is a replica but claims 1 slot range/,
      ],
    ];
    for (const [what, s, reason] of cases) {
      it(what, () => {
        const action = stabilize(s);
        expect(action.subCase).toBe('escalate');
        expect(action.escalate).toMatch(reason);
        expect(action.commands).toEqual([]);
      });
    }

    it('keys of the slot on a third node', () => {
      const action = stabilize(withKeys(spec(), { c: { [SLOT]: 5 } }));
      expect(action.escalate).toMatch(/keys of the slot on several nodes/);
    });
  });
});

describe('the source stalled: a came back as a replica of its promoted replica d', () => {
  // Redis 7.0: the importing target b dropped a's slots when a turned replica, and ignores the gossip
  // naming d for the slot: it names no owner, and says cluster_state:fail.
  const spec = (o: { bNames?: string; state?: string } = {}) =>
    replicaKeys(
      withKeys(
        withMarkers(
          {
            ...demoted('a', 'd'),
            views: { b: { d: { slots: o.bNames ?? '0-299 301-5460' } } },
            extra: { b: { clusterInfo: { cluster_state: o.state ?? 'fail' } } },
          },
          { b: [importing(SLOT, 'a')] },
        ),
        { b: { [SLOT]: 120 }, c: { [SLOT]: 0 }, d: { [SLOT]: 180 } },
      ),
      'a',
      180,
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
    expect(action.nodes).toEqual([A, B, D]);
    expect(action.summary).toContain('it names no owner for it (cluster_state:fail)');
    expect(action.keysToMove).toBe(180);
  });

  it('Redis 7.4 (the target already names the heir, cluster_state:ok): the same sub-case', () => {
    const action = stabilize(spec({ bNames: '0-5460', state: 'ok' }));
    expect(action.subCase).toBe('retarget-promoted-source');
    expect(action.summary).not.toContain('ignores gossip');
  });

  it('a run killed after the target was re-pointed converges: resume from the heir', () => {
    const repointed = withMarkers(
      { ...spec({ bNames: '0-5460', state: 'ok' }), views: { b: { b: { slots: '5461-10921' } } } },
      { b: [importing(SLOT, 'd')] },
    );
    const action = stabilize(repointed);
    expect(action.subCase).toBe('resume');
    expect(action.commands[0]).toBe(cliAt(D, 'CLUSTER', 'SETSLOT', SLOT, 'MIGRATING', nodeId('b')));
  });

  it('one critical slot-open finding: the demoted source, the heir, the importer that names no owner', () => {
    const [finding] = slotOpen.run(snapshotAt(spec()));
    expect(finding?.severity).toBe('critical');
    expect(finding?.summary).toContain(
      `the move's source ${A} (${nodeId('a').slice(0, 8)}) is no longer a master: it is a replica of ${D}`,
    );
    expect(finding?.summary).toContain(
      `${B}, importing, ignores gossip about the slot: it names no owner for it (cluster_state:fail: its shard answers CLUSTERDOWN)`,
    );
    expect(finding?.runbook).toContain(cliAt(B, 'CLUSTER', 'SETSLOT', SLOT, 'NODE', nodeId('d')));
  });

  it('keys of the slot on a third node: escalated', () => {
    expect(stabilize(withKeys(spec(), { c: { [SLOT]: 3 } })).escalate).toMatch(
      /is no longer a master.*; keys of the slot on a third node: 127\.0\.0\.1:7002/,
    );
  });

  it('the heir took over another stream: escalated', () => {
    const s = spec();
    expect(stabilize({ ...s, info: { ...s.info, a: `master_replid2:${OTHER}` } }).escalate).toMatch(
      /took over replication stream/,
    );
  });
});
