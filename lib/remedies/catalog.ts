import { assignUncoveredSlots } from './assign-uncovered-slots';
import { forgetGhostNode } from './forget-ghost-node';
import { promoteReplica } from './promote-replica';
import { stabilizeOpenSlot } from './stabilize-open-slot';
import type { Remedy } from './types';

/**
 * Every remedy, in the order they run. Coverage first: with full coverage required, a cluster with
 * uncovered slots is down and refuses the RESTORE-ASKING that MIGRATE needs to close open slots.
 */
export const REMEDIES: readonly Remedy[] = [
  assignUncoveredSlots,
  stabilizeOpenSlot,
  promoteReplica,
  forgetGhostNode,
];

export const remedyIds = REMEDIES.map((r) => r.id);
