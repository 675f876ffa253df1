import { clusterStateFail } from './cluster-state-fail';
import { nodeUnreachable } from './node-unreachable';
import { slotOpen } from './slot-open';
import { slotsUncovered } from './slots-uncovered';
import type { Check } from './types';

/** Every check, in the order their findings are worth reading. Adding a check: one file, one line here. */
export const CHECKS: readonly Check[] = [clusterStateFail, slotsUncovered, slotOpen, nodeUnreachable];
