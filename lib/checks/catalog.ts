import { clusterStateFail } from './cluster-state-fail';
import { configDisagreement } from './config-disagreement';
import { configDrift } from './config-drift';
import { epochCollision } from './epoch-collision';
import { keysInUnownedSlot } from './keys-in-unowned-slot';
import { managedService } from './managed-service';
import { masterWithoutReplica } from './master-without-replica';
import { memoryHeadroomLow } from './memory-headroom-low';
import { mixedVersions } from './mixed-versions';
import { nodeFailed } from './node-failed';
import { nodeHandshake } from './node-handshake';
import { nodePfail } from './node-pfail';
import { nodeUnreachable } from './node-unreachable';
import { replicaColocated } from './replica-colocated';
import { replicaLagging } from './replica-lagging';
import { replicaLinkDown } from './replica-link-down';
import { replicaMarkStale } from './replica-mark-stale';
import { slotOpen } from './slot-open';
import { slotsImbalanced } from './slots-imbalanced';
import { slotsOwnerFailed } from './slots-owner-failed';
import { slotsUncovered } from './slots-uncovered';
import { topologyParseError } from './topology-parse-error';
import type { Check } from './types';

/** Every check, in the order their findings are worth reading. Adding a check: one file, one line here. */
export const CHECKS: readonly Check[] = [
  clusterStateFail,
  slotsUncovered,
  slotOpen,
  replicaMarkStale,
  nodeUnreachable,
  slotsOwnerFailed,
  configDisagreement,
  keysInUnownedSlot,
  nodeFailed,
  nodePfail,
  nodeHandshake,
  masterWithoutReplica,
  replicaLinkDown,
  replicaLagging,
  epochCollision,
  memoryHeadroomLow,
  configDrift,
  mixedVersions,
  topologyParseError,
  slotsImbalanced,
  replicaColocated,
  managedService,
];
