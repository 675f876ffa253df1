import { expect } from 'vitest';
import { candidateActions, planRemediation } from '../../../lib/guard/plan';
import { DEFAULT_BUDGET, type Plan, type PlanEntry, type Policy } from '../../../lib/guard/types';
import type { Snapshot } from '../../../lib/observe/types';
import type { PlannedAction } from '../../../lib/remedies/catalog';
import { DEFAULT_SETTINGS } from '../../../lib/remedies/types';
import { buildSnapshot, type ClusterSpec, NOW, nodeId } from '../checks/build';

/**
 * Guard-test helpers on top of the checks' snapshot builder (test/unit/checks/build.ts): open-slot
 * markers on a node's own line, key counts, two observations `settleMs` apart, and a policy.
 */

export const SETTLE_MS = 5_000;

/** Addresses the builder gives healthySpec()'s nodes. */
export const A = '127.0.0.1:7000';
export const B = '127.0.0.1:7001';
export const C = '127.0.0.1:7002';
export const D = '127.0.0.1:7003';
export const E = '127.0.0.1:7004';
/** A replication id a promoted replica and its demoted master keep as master_replid2. */
export const REPLID = 'c9462ed258953261e503d78663c4c9c4dabbae90';

/** `redis-cli -h 127.0.0.1 -p <port> ...`, as runbooks and planned commands print it. */
export const cliAt = (address: string, ...args: (string | number)[]): string => {
  const [host, port] = address.split(':');
  return ['redis-cli', '-h', host, '-p', port, ...args.map(String)].join(' ');
};

export function policy(overrides: Partial<Policy> = {}): Policy {
  return {
    mode: 'auto',
    settleMs: SETTLE_MS,
    budget: DEFAULT_BUDGET,
    settings: DEFAULT_SETTINGS,
    ...overrides,
  };
}

/** `CLUSTER NODES` slot tokens: `node` migrating `slot` to `to` / importing it from `from`. */
export const migrating = (slot: number, to: string): string => `[${slot}->-${nodeId(to)}]`;
export const importing = (slot: number, from: string): string => `[${slot}-<-${nodeId(from)}]`;

/**
 * Appends marker tokens to each named node's own (`myself`) line, as Redis prints them: only the
 * node itself shows its markers. Keeps any per-view slot override already in the spec.
 */
export function withMarkers(spec: ClusterSpec, markers: Record<string, string[]>): ClusterSpec {
  const views = { ...spec.views };
  for (const [name, tokens] of Object.entries(markers)) {
    const own = views[name]?.[name]?.slots ?? spec.nodes.find((n) => n.name === name)?.slots ?? '';
    views[name] = { ...views[name], [name]: { ...views[name]?.[name], slots: `${own} ${tokens.join(' ')}` } };
  }
  return { ...spec, views };
}

/** In the views of `observers`, `node` owns `slots` (a slot token string). */
export function ownedInViews(
  spec: ClusterSpec,
  observers: string[],
  node: string,
  slots: string,
): ClusterSpec {
  const views = { ...spec.views };
  for (const o of observers) views[o] = { ...views[o], [node]: { ...views[o]?.[node], slots } };
  return { ...spec, views };
}

/** `CLUSTER COUNTKEYSINSLOT` results per node: name -> slot -> count. */
export function withKeys(spec: ClusterSpec, counts: Record<string, Record<number, number>>): ClusterSpec {
  const extra = { ...spec.extra };
  for (const [name, bySlot] of Object.entries(counts)) {
    extra[name] = {
      ...extra[name],
      slotKeyCounts: { ...extra[name]?.slotKeyCounts, ...Object.fromEntries(Object.entries(bySlot)) },
    };
  }
  return { ...spec, extra };
}

/** The snapshot of `spec`, taken `afterMs` after the builder's NOW. */
export function snapshotAt(spec: ClusterSpec, afterMs = 0): Snapshot {
  return { ...buildSnapshot(spec), takenAt: new Date(NOW + afterMs).toISOString() };
}

/** Plans on two observations `gapMs` apart: `first`, then `second` (default: the same cluster again). */
export function planTwice(
  first: ClusterSpec,
  second: ClusterSpec = first,
  p: Policy = policy(),
  gapMs = p.settleMs,
): Plan {
  return planRemediation(snapshotAt(first), snapshotAt(second, gapMs), p);
}

/** The one entry of the plan for `key` (fails loudly when absent). */
export function entryFor(plan: Plan, key: string): PlanEntry {
  const entry = plan.entries.find((e) => e.action.key === key);
  if (!entry)
    throw new Error(`no plan entry ${key}; have ${plan.entries.map((e) => e.action.key).join(', ')}`);
  return entry;
}

/** A stabilize-open-slot action, with its slots' plans as plain records. */
export type StabilizeAction = PlannedAction & { params?: { slots: Record<string, unknown>[] } };

/** The one stabilize-open-slot action planned from one observation of `spec` (fails unless exactly one). */
export function stabilizeAction(spec: ClusterSpec): StabilizeAction {
  const actions = candidateActions(snapshotAt(spec), policy()).filter(
    (a) => a.remedy === 'stabilize-open-slot',
  );
  expect(actions).toHaveLength(1);
  return actions[0] as StabilizeAction;
}

/** `CLUSTER SETSLOT <slot> NODE <owner>` sent to each address, as planned commands print it. */
export const setslotNodeAt = (slot: number, owner: string, ...addresses: string[]): string[] =>
  addresses.map((a) => cliAt(a, 'CLUSTER', 'SETSLOT', slot, 'NODE', nodeId(owner)));
