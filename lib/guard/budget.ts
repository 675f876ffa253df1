import type { PlannedAction } from '../remedies/catalog';
import { countSlots } from '../topology/slots';
import type { Guard } from './types';

/** Slots an action charges against the run's slot budget. */
export const slotsCharged = (action: PlannedAction): number =>
  action.slotsReassigned ?? countSlots(action.slots);

/**
 * Rule 5 (first half): this run's budget of slots and keys moved is not spent. It counts work, not
 * actions: one action may close a thousand slots left open between the same two nodes.
 */
export const budget: Guard = {
  id: 'budget',
  check({ action, policy, spent }) {
    const b = policy.budget;
    const slots = slotsCharged(action);
    if (spent.slots + slots > b.maxSlots)
      return { status: 'refused', reason: `budget: ${b.maxSlots} slot(s) per run` };
    if (spent.keysMoved + (action.keysToMove ?? 0) > b.maxKeysMoved) {
      return { status: 'refused', reason: `budget: ${b.maxKeysMoved} key(s) moved per run` };
    }
    return undefined;
  },
};
