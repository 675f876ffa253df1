import type { ClusterView } from '../model/view';
import { rangesContain } from '../topology/slots';
import { SLOT_COUNT } from '../topology/types';
import type { Guard } from './types';

/** The first slot outside `except` on which two reachable masters disagree, if any. */
export function disagreementOutside(
  view: ClusterView,
  except: [number, number][],
): { slot: number; a: string; b: string } | undefined {
  const masters = view.observers.filter((o) => o.self.role === 'master');
  const [reference, ...rest] = masters.map((m) => ({
    address: m.observation.address,
    table: view.ownersIn(m.observation),
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
