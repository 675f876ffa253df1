import type { ClusterView } from '../checks/view';
import type { NodeObservation } from '../observe/types';
import { rangesContain } from '../topology/slots';
import { SLOT_COUNT } from '../topology/types';
import type { Guard } from './types';

const tables = new WeakMap<NodeObservation, (string | undefined)[]>();

/** An observer's slot -> owner id table, built once per observation. */
export function ownerTable(observation: NodeObservation): (string | undefined)[] {
  let table = tables.get(observation);
  if (!table) {
    table = new Array(SLOT_COUNT).fill(undefined);
    for (const entry of observation.clusterNodes ?? []) {
      for (const [first, last] of entry.slots) for (let s = first; s <= last; s++) table[s] = entry.id;
    }
    tables.set(observation, table);
  }
  return table;
}

/** The first slot outside `except` on which two reachable masters disagree, if any. */
export function disagreementOutside(
  view: ClusterView,
  except: [number, number][],
): { slot: number; a: string; b: string } | undefined {
  const masters = view.observers.filter((o) => o.self.role === 'master');
  const [reference, ...rest] = masters.map((m) => ({
    address: m.observation.address,
    table: ownerTable(m.observation),
  }));
  if (!reference) return undefined;
  for (const other of rest) {
    for (let slot = 0; slot < SLOT_COUNT; slot++) {
      if (reference.table[slot] !== other.table[slot] && !rangesContain(except, slot)) {
        return { slot, a: reference.address, b: other.address };
      }
    }
  }
  return undefined;
}

/** Rule 3: every node the action touches is reachable, and the reachable masters agree on every other slot. */
export const agreement: Guard = {
  id: 'agreement',
  check({ action, second }) {
    const reachable = new Set(second.observers.map((o) => o.observation.address));
    const missing = action.nodes.filter((a) => !reachable.has(a));
    if (missing.length > 0) return { status: 'refused', reason: `not reachable: ${missing.join(', ')}` };
    const split = disagreementOutside(second, action.slots);
    if (split) {
      return {
        status: 'refused',
        reason: `masters disagree about slot ${split.slot} (${split.a} vs ${split.b}), outside the slots being fixed`,
      };
    }
    return undefined;
  },
};
