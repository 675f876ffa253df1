import type { ClusterView } from '../model/view';
import { rangesContain } from '../topology/slots';
import type { Guard } from './types';

/**
 * The first slot outside `except` on which two reachable masters disagree, if any. Read from the view's
 * segments (runs of slots over which no view changes), so a thousand masters cost segments × masters,
 * not 16 384 slots × masters.
 */
export function disagreementOutside(
  view: ClusterView,
  except: [number, number][],
): { slot: number; a: string; b: string } | undefined {
  const columns = view.observers.flatMap((o, i) => (o.self.role === 'master' ? [i] : []));
  const [reference, ...rest] = columns;
  if (reference === undefined) return undefined;
  const address = (i: number) => view.observers[i]?.observation.address ?? '';
  for (const other of rest) {
    for (const segment of view.segments()) {
      if (segment.owners[other] === segment.owners[reference]) continue;
      for (let slot = segment.first; slot <= segment.last; slot++)
        if (!rangesContain(except, slot)) return { slot, a: address(reference), b: address(other) };
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
