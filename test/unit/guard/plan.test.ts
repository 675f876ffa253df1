import { describe, expect, it } from 'vitest';
import { agreement } from '../../../lib/guard/agreement';
import { planRemediation } from '../../../lib/guard/plan';
import { DEFAULT_BUDGET, type GuardInput } from '../../../lib/guard/types';
import { ClusterView } from '../../../lib/model/view';
import type { PlannedAction } from '../../../lib/remedies/catalog';
import { type ClusterSpec, healthySpec, type NodeSpec, nodeId } from '../checks/build';
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
  SETTLE_MS,
  snapshotAt,
  withKeys,
  withMarkers,
} from './snapshot';

const KEY = 'stabilize-open-slot:300';

/** b importing 300 from a, no key on b: the importing-only sub-case, which every guard can let through. */
const importingOnly = (): ClusterSpec =>
  withKeys(withMarkers(healthySpec(), { b: [importing(300, 'a')] }), {
    a: { 300: 4 },
    b: { 300: 0 },
    c: { 300: 0 },
  });

/** a migrating 300 to b, b importing it, with these key counts (complete when both have keys). */
const bothSides = (keysA: number, keysB: number): ClusterSpec =>
  withKeys(withMarkers(healthySpec(), { a: [migrating(300, 'b')], b: [importing(300, 'a')] }), {
    a: { 300: keysA },
    b: { 300: keysB },
    c: { 300: 0 },
  });

describe('mode', () => {
  it('off: planned but refused by the mode guard', () => {
    const plan = planTwice(importingOnly(), importingOnly(), policy({ mode: 'off' }));
    expect(plan.mode).toBe('off');
    expect(plan.entries.map((e) => [e.action.key, e.status, e.guard, e.reason])).toEqual([
      [KEY, 'refused', 'mode', 'remediation mode is off'],
    ]);
  });

  it('dry-run: the entry and its commands are planned, marked dry-run, not allowed', () => {
    const entry = entryFor(planTwice(importingOnly(), importingOnly(), policy({ mode: 'dry-run' })), KEY);
    expect(entry.status).toBe('dry-run');
    expect(entry.guard).toBe('mode');
    expect(entry.reason).toMatch(/dry-run: would apply/);
    expect(entry.action.commands).toEqual([cliAt(B, 'CLUSTER', 'SETSLOT', 300, 'STABLE')]);
  });

  it('auto: allowed when every guard passes', () => {
    const plan = planTwice(importingOnly(), importingOnly(), policy({ mode: 'auto' }));
    expect(plan.settleMs).toBe(SETTLE_MS);
    expect(plan.entries.map((e) => [e.action.key, e.status, e.reason])).toEqual([
      [KEY, 'allowed', 'every guard allows it'],
    ]);
  });

  it('a healthy cluster plans nothing in any mode', () => {
    for (const mode of ['off', 'dry-run', 'auto'] as const) {
      expect(planTwice(healthySpec(), healthySpec(), policy({ mode })).entries).toEqual([]);
    }
  });
});

describe('allow-list', () => {
  it('a remedy not on the list is refused by the allow-list guard, which says what the list holds', () => {
    const entry = entryFor(
      planTwice(importingOnly(), importingOnly(), policy({ allow: ['assign-uncovered-slots'] })),
      KEY,
    );
    expect([entry.status, entry.guard]).toEqual(['refused', 'allow-list']);
    expect(entry.reason).toBe('stabilize-open-slot is not on the allow-list (assign-uncovered-slots)');
  });

  it('an empty list refuses everything, even in dry-run', () => {
    const entry = entryFor(
      planTwice(importingOnly(), importingOnly(), policy({ mode: 'dry-run', allow: [] })),
      KEY,
    );
    expect([entry.status, entry.guard]).toEqual(['refused', 'allow-list']);
    expect(entry.reason).toMatch(/\(empty\)/);
  });

  it('a remedy named on the list is allowed', () => {
    const entry = entryFor(
      planTwice(importingOnly(), importingOnly(), policy({ allow: ['stabilize-open-slot'] })),
      KEY,
    );
    expect(entry.status).toBe('allowed');
  });

  describe('opt-in remedies act only when named', () => {
    /** c failed 30 min ago, unreachable; its replica f (reachable) can take over. */
    const failedMaster = (): ClusterSpec => {
      const failed = { flags: ['fail'], pongAgoMs: 30 * 60_000, link: 'disconnected' as const };
      return {
        ...healthySpec(),
        views: Object.fromEntries(['a', 'b', 'd', 'e', 'f'].map((o) => [o, { c: failed }])),
        unreachable: ['c'],
        info: { f: 'slave_repl_offset:1234' },
      };
    };
    const PROMOTE = `promote-replica:${nodeId('c')}`;

    it('promote-replica without --allow: refused as opt-in', () => {
      const entry = entryFor(planTwice(failedMaster()), PROMOTE);
      expect([entry.status, entry.guard]).toEqual(['refused', 'allow-list']);
      expect(entry.reason).toBe(
        'promote-replica is opt-in: add it to the allow-list (--allow promote-replica)',
      );
    });

    it('promote-replica named: allowed, FAILOVER FORCE on the replica', () => {
      const entry = entryFor(
        planTwice(failedMaster(), failedMaster(), policy({ allow: ['promote-replica'] })),
        PROMOTE,
      );
      expect(entry.status).toBe('allowed');
      expect(entry.action.commands).toEqual([cliAt('127.0.0.1:7005', 'CLUSTER', 'FAILOVER', 'FORCE')]);
    });

    /** A node 9 (no slots, nobody's master) flagged fail by everyone, silent for 20 min. */
    const ghost = (): ClusterSpec => {
      const base = healthySpec();
      const nodes: NodeSpec[] = [...base.nodes, { name: '9', port: 7009 }];
      const dead = { flags: ['fail'], pongAgoMs: 20 * 60_000, link: 'disconnected' as const };
      return {
        nodes,
        views: Object.fromEntries(base.nodes.map((n) => [n.name, { 9: dead }])),
        unreachable: ['9'],
      };
    };
    const FORGET = `forget-ghost-node:${nodeId('9')}`;

    it('forget-ghost-node without --allow: refused as opt-in', () => {
      const entry = entryFor(planTwice(ghost()), FORGET);
      expect([entry.status, entry.guard]).toEqual(['refused', 'allow-list']);
      expect(entry.reason).toMatch(/forget-ghost-node is opt-in/);
    });

    it('forget-ghost-node named: allowed, FORGET on every reachable node', () => {
      const entry = entryFor(planTwice(ghost(), ghost(), policy({ allow: ['forget-ghost-node'] })), FORGET);
      expect(entry.status).toBe('allowed');
      expect(entry.action.commands).toEqual(
        [7000, 7001, 7002, 7003, 7004, 7005].map((p) =>
          cliAt(`127.0.0.1:${p}`, 'CLUSTER', 'FORGET', nodeId('9')),
        ),
      );
    });
  });
});

describe('persistence', () => {
  it('the same open slot, markers and key counts in both observations: allowed', () => {
    expect(entryFor(planTwice(bothSides(4, 3)), KEY).status).toBe('allowed');
  });

  it('key counts moved between the two observations (a reshard in flight): refused', () => {
    const entry = entryFor(planTwice(bothSides(4, 3), bothSides(3, 4)), KEY);
    expect([entry.status, entry.guard]).toEqual(['refused', 'persistence']);
    expect(entry.reason).toMatch(/changed between observations 5000 ms apart/);
  });

  it('a marker that appeared only in the second observation: refused as too new', () => {
    const entry = entryFor(planTwice(healthySpec(), importingOnly()), KEY);
    expect([entry.status, entry.guard]).toEqual(['refused', 'persistence']);
    expect(entry.reason).toMatch(/not seen in the first observation/);
  });

  it('a second marker that appeared since the first observation (sub-case changed): refused', () => {
    // First: b importing only. Then a starts migrating to it: rollback now, importing-only before.
    const entry = entryFor(planTwice(importingOnly(), bothSides(4, 0)), KEY);
    expect(entry.action.subCase).toBe('rollback');
    expect([entry.status, entry.guard]).toEqual(['refused', 'persistence']);
  });

  it('observations closer than settleMs: refused, even when nothing changed', () => {
    const entry = entryFor(planTwice(importingOnly(), importingOnly(), policy(), 1_000), KEY);
    expect([entry.status, entry.guard]).toEqual(['refused', 'persistence']);
    expect(entry.reason).toBe('observations only 1000 ms apart (settle 5000 ms)');
  });

  it('in dry-run a persistence refusal is shown as refused, not as would-apply', () => {
    const entry = entryFor(planTwice(bothSides(4, 3), bothSides(3, 4), policy({ mode: 'dry-run' })), KEY);
    expect([entry.status, entry.guard]).toEqual(['refused', 'persistence']);
  });
});

describe('agreement and reachability', () => {
  /** In c's view b gave slot 9000 to c: the masters disagree about a slot the action does not fix. */
  const splitOn9000 = (spec: ClusterSpec): ClusterSpec =>
    ownedInViews(ownedInViews(spec, ['c'], 'b', '5461-8999 9001-10921'), ['c'], 'c', '9000 10922-16383');

  it('masters disagreeing about a slot outside the action: refused, naming the slot and the two views', () => {
    const spec = withKeys(withMarkers(splitOn9000(healthySpec()), { b: [importing(300, 'a')] }), {
      a: { 300: 4 },
      b: { 300: 0 },
      c: { 300: 0 },
    });
    const entry = entryFor(planTwice(spec), KEY);
    expect([entry.status, entry.guard]).toEqual(['refused', 'agreement']);
    expect(entry.reason).toBe(
      `masters disagree about slot 9000 (${A} vs ${C}), outside the slots being fixed`,
    );
  });

  it('masters disagreeing only about the slot being fixed: not an agreement refusal', () => {
    // b and c already say b owns 300, a still says a: the finalise sub-case, allowed.
    const moved = ownedInViews(
      ownedInViews(healthySpec(), ['b', 'c', 'd', 'e', 'f'], 'a', '0-299 301-5460'),
      ['b', 'c', 'd', 'e', 'f'],
      'b',
      '300 5461-10921',
    );
    const spec = withKeys(withMarkers(moved, { a: [migrating(300, 'b')], b: [importing(300, 'a')] }), {
      a: { 300: 0 },
      b: { 300: 5 },
      c: { 300: 0 },
    });
    const entry = entryFor(planTwice(spec), KEY);
    expect(entry.action.subCase).toBe('finalise');
    expect(entry.status).toBe('allowed');
  });

  it('an involved node unreachable: the action never runs (the remedy escalates it first)', () => {
    const spec: ClusterSpec = {
      ...withKeys(withMarkers(healthySpec(), { a: [migrating(300, 'b')] }), { a: { 300: 4 }, c: { 300: 0 } }),
      unreachable: ['b'],
    };
    const entry = entryFor(planTwice(spec), KEY);
    expect([entry.status, entry.guard]).toEqual(['escalated', 'known-safe']);
    expect(entry.reason).toMatch(new RegExp(`unreachable but not flagged fail by the cluster: ${B}`));
  });

  it('the agreement guard itself refuses an action that touches a node the second observation did not reach', () => {
    const first = snapshotAt(importingOnly());
    const second = snapshotAt({ ...importingOnly(), unreachable: ['e'] }, SETTLE_MS);
    const action: PlannedAction = {
      remedy: 'stabilize-open-slot',
      key: KEY,
      subCase: 'importing-only',
      summary: '',
      slots: [[300, 300]],
      nodes: [B, '127.0.0.1:7004'],
      commands: [],
      fingerprint: '',
      params: {
        slots: [
          {
            subCase: 'importing-only',
            slot: 300,
            finalOwner: nodeId('a'),
            importer: { id: nodeId('b'), address: B },
          },
        ],
      },
    };
    const input: GuardInput = {
      action,
      earlier: action,
      first: new ClusterView(first),
      second: new ClusterView(second),
      policy: policy(),
      spent: { actions: 0, slots: 0, keysMoved: 0 },
    };
    expect(agreement.check(input)).toEqual({ status: 'refused', reason: 'not reachable: 127.0.0.1:7004' });
    expect(agreement.check({ ...input, action: { ...action, nodes: [B] } })).toBeUndefined();
  });
});

describe('budget (DEFAULT_BUDGET)', () => {
  it('many open slots of one sub-case between the same nodes: one action, charged by slots, allowed', () => {
    const slots = Array.from({ length: 1000 }, (_, i) => 300 + i);
    const zero = Object.fromEntries(slots.map((s) => [s, 0]));
    const spec = withKeys(withMarkers(healthySpec(), { b: slots.map((s) => importing(s, 'a')) }), {
      a: zero,
      b: zero,
      c: zero,
    });
    const plan = planTwice(spec);
    expect(plan.entries.map((e) => [e.action.key, e.action.subCase, e.status])).toEqual([
      ['stabilize-open-slot:300-1299', 'importing-only', 'allowed'],
    ]);
    expect(plan.entries[0]?.action.slots).toEqual([[300, 1299]]);
    expect(plan.entries[0]?.action.summary).toMatch(/^1000 slots \(300-1299\), each like slot 300: /);
  });

  it('the slot budget is spent across actions: the group that does not fit is refused, dry-run alike', () => {
    const slots = Array.from({ length: 30 }, (_, i) => 300 + i);
    const zero = Object.fromEntries(slots.map((s) => [s, 0]));
    // 300-309 importing-only on b; 310-329 importing-only on c: two groups.
    const spec = withKeys(
      withMarkers(healthySpec(), {
        b: slots.slice(0, 10).map((s) => importing(s, 'a')),
        c: slots.slice(10).map((s) => importing(s, 'a')),
      }),
      { a: zero, b: zero, c: zero },
    );
    for (const mode of ['auto', 'dry-run'] as const) {
      const plan = planTwice(spec, spec, policy({ mode, budget: { ...DEFAULT_BUDGET, maxSlots: 15 } }));
      expect(plan.entries.map((e) => [e.action.key, e.status, e.reason])).toEqual([
        ['stabilize-open-slot:300-309', mode === 'auto' ? 'allowed' : 'dry-run', expect.any(String)],
        ['stabilize-open-slot:310-329', 'refused', 'budget: 15 slot(s) per run'],
      ]);
    }
  });

  it('more slots than maxSlots in one action: refused by budget', () => {
    // a keeps 3000-5460: 0-2999 (3000 slots, no keys) is uncovered.
    const uncovered = Object.fromEntries(Array.from({ length: 3000 }, (_, s) => [s, 0]));
    const spec = withKeys(
      {
        ...healthySpec(),
        nodes: healthySpec().nodes.map((n) => (n.name === 'a' ? { ...n, slots: '3000-5460' } : n)),
      },
      { a: uncovered, b: uncovered, c: uncovered },
    );
    const entry = entryFor(planTwice(spec), 'assign-uncovered-slots:0-2999');
    expect([entry.status, entry.guard, entry.reason]).toEqual([
      'refused',
      'budget',
      'budget: 2048 slot(s) per run',
    ]);
  });

  it('more keys to move than maxKeysMoved: refused by budget', () => {
    const entry = entryFor(planTwice(bothSides(DEFAULT_BUDGET.maxKeysMoved + 1, 3)), KEY);
    expect(entry.action.subCase).toBe('complete');
    expect([entry.status, entry.guard, entry.reason]).toEqual([
      'refused',
      'budget',
      'budget: 1000000 key(s) moved per run',
    ]);
  });

  it('exactly maxKeysMoved keys: allowed', () => {
    expect(entryFor(planTwice(bothSides(DEFAULT_BUDGET.maxKeysMoved, 3)), KEY).status).toBe('allowed');
  });

  it('escalated entries spend nothing', () => {
    // 300 has keys on a third node (escalated); 301 is importing-only. One slot allowed per run.
    const spec = withKeys(withMarkers(healthySpec(), { b: [importing(300, 'a'), importing(301, 'a')] }), {
      a: { 300: 4, 301: 0 },
      b: { 300: 0, 301: 0 },
      c: { 300: 2, 301: 0 },
    });
    const plan = planTwice(spec, spec, policy({ budget: { ...DEFAULT_BUDGET, maxSlots: 1 } }));
    expect(plan.entries.map((e) => [e.action.key, e.status])).toEqual([
      ['stabilize-open-slot:300', 'escalated'],
      ['stabilize-open-slot:301', 'allowed'],
    ]);
  });
});

describe('managed service', () => {
  const managed = (): ClusterSpec => {
    const spec = importingOnly();
    return { ...spec, extra: { ...spec.extra, a: { ...spec.extra?.a, restrictedCommands: ['CONFIG'] } } };
  };

  it('CONFIG refused by a node: every remedy is unavailable, in auto as in dry-run', () => {
    for (const mode of ['auto', 'dry-run'] as const) {
      const entry = entryFor(planTwice(managed(), managed(), policy({ mode })), KEY);
      expect([entry.status, entry.guard]).toEqual(['unavailable', 'managed-service']);
      expect(entry.reason).toMatch(/1 node\(s\) restrict commands \(CONFIG\): a managed service/);
    }
  });

  it('the same cluster without the restriction is allowed (the restriction is what refused it)', () => {
    expect(entryFor(planTwice(importingOnly()), KEY).status).toBe('allowed');
  });
});

describe('planRemediation is pure', () => {
  it('the same two snapshots give the same plan', () => {
    const first = snapshotAt(bothSides(4, 3));
    const second = snapshotAt(bothSides(4, 3), SETTLE_MS);
    expect(planRemediation(first, second, policy())).toEqual(planRemediation(first, second, policy()));
  });
});

describe('a failed master that still owns slots', () => {
  /** c failed 30 min ago, unreachable, no replica left, and still owns 10922-16383 in every view. */
  const lostShard = (): ClusterSpec => {
    const failed = { flags: ['fail'], pongAgoMs: 30 * 60_000, link: 'disconnected' as const };
    return {
      nodes: healthySpec().nodes.filter((n) => n.name !== 'f'),
      views: Object.fromEntries(['a', 'b', 'd', 'e'].map((o) => [o, { c: failed }])),
      unreachable: ['c'],
    };
  };

  it('is never forgotten as a ghost, even with every remedy allowed: only the escalation is planned', () => {
    const every = policy({
      allow: ['assign-uncovered-slots', 'stabilize-open-slot', 'promote-replica', 'forget-ghost-node'],
    });
    const plan = planTwice(lostShard(), lostShard(), every);
    expect(plan.entries.map((e) => [e.action.key, e.status, e.guard])).toEqual([
      [`promote-replica:${nodeId('c')}`, 'escalated', 'known-safe'],
    ]);
    expect(plan.entries[0]?.action.commands).toEqual([]);
    expect(plan.entries[0]?.action.runbook?.[0]).toMatch(/back with its data; its slots stay with it/);
  });

  it('a ghost silent for less than the threshold: escalated with the FORGET commands as its runbook, none to run', () => {
    const young = policy({
      allow: ['forget-ghost-node'],
      settings: { ...policy().settings, ghostMinAgeMs: 60 * 60_000 },
    });
    const ghostly = (): ClusterSpec => {
      const base = healthySpec();
      const dead = { flags: ['fail'], pongAgoMs: 20 * 60_000, link: 'disconnected' as const };
      return {
        nodes: [...base.nodes, { name: '9', port: 7009 }],
        views: Object.fromEntries(base.nodes.map((n) => [n.name, { 9: dead }])),
        unreachable: ['9'],
      };
    };
    const entry = entryFor(planTwice(ghostly(), ghostly(), young), `forget-ghost-node:${nodeId('9')}`);
    expect([entry.status, entry.guard]).toEqual(['escalated', 'known-safe']);
    expect(entry.reason).toMatch(/silent for 120\d s only \(threshold 3600 s\)/);
    expect(entry.action.commands).toEqual([]);
    expect(entry.action.runbook?.slice(1)).toEqual(
      [7000, 7001, 7002, 7003, 7004, 7005].map((p) =>
        cliAt(`127.0.0.1:${p}`, 'CLUSTER', 'FORGET', nodeId('9')),
      ),
    );
  });

  it("its dead replica is never forgotten as a ghost: it may hold the shard's only copy", () => {
    const failed = { flags: ['fail'], pongAgoMs: 30 * 60_000, link: 'disconnected' as const };
    const spec: ClusterSpec = {
      ...healthySpec(),
      views: Object.fromEntries(['a', 'b', 'd', 'e'].map((o) => [o, { c: failed, f: failed }])),
      unreachable: ['c', 'f'],
    };
    const every = policy({ allow: ['promote-replica', 'forget-ghost-node'] });
    const plan = planTwice(spec, spec, every);
    expect(plan.entries.map((e) => [e.action.remedy, e.status])).toEqual([
      ['promote-replica', 'escalated'],
      ['forget-ghost-node', 'escalated'],
    ]);
    expect(plan.entries[1]?.reason).toMatch(/replicates 127\.0\.0\.1:7002, which is down with its slots/);
    expect(plan.entries[1]?.action.commands).toEqual([]);
  });

  it('a promotion spends no slot budget: the replica already holds the data', () => {
    // c owns 5462 slots and its replica f can take over: allowed even with a slot budget of 0.
    const failed = { flags: ['fail'], pongAgoMs: 30 * 60_000, link: 'disconnected' as const };
    const spec: ClusterSpec = {
      ...healthySpec(),
      views: Object.fromEntries(['a', 'b', 'd', 'e', 'f'].map((o) => [o, { c: failed }])),
      unreachable: ['c'],
    };
    const noSlots = policy({ allow: ['promote-replica'], budget: { ...DEFAULT_BUDGET, maxSlots: 0 } });
    const entry = entryFor(planTwice(spec, spec, noSlots), `promote-replica:${nodeId('c')}`);
    expect(entry.status).toBe('allowed');
    expect(entry.action.slots).toEqual([[10922, 16383]]);
  });
});
