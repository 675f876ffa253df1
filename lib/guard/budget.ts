import type { PlannedAction } from '../remedies/types';
import { countSlots } from '../topology/slots';
import type { Guard } from './types';

/** Slots an action charges against the run's slot budget. */
export const slotsCharged = (action: PlannedAction): number =>
  action.slotsReassigned ?? countSlots(action.slots);

/** Rule 5 (first half): this run's budget of actions, slots and keys moved is not spent. */
export const budget: Guard = {
  id: 'budget',
  check({ action, policy, spent }) {
    const b = policy.budget;
    if (spent.actions + 1 > b.maxActions)
      return { status: 'refused', reason: `budget: ${b.maxActions} action(s) per run` };
    const slots = slotsCharged(action);
    if (spent.slots + slots > b.maxSlots)
      return { status: 'refused', reason: `budget: ${b.maxSlots} slot(s) per run` };
    if (spent.keysMoved + (action.keysToMove ?? 0) > b.maxKeysMoved) {
      return { status: 'refused', reason: `budget: ${b.maxKeysMoved} key(s) moved per run` };
    }
    return undefined;
  },
};
