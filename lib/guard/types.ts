import type { ClusterView } from '../model/view';
import type { PlannedAction } from '../remedies/catalog';
import type { RemedyId } from '../remedies/ids';
import type { RemedySettings } from '../remedies/types';
import type { Mode } from './modes';

export type { Mode } from './modes';

/** What one run may change: slots touched and keys moved (not actions: an action may group many slots). */
export interface Budget {
  maxSlots: number;
  maxKeysMoved: number;
}

export interface Policy {
  mode: Mode;
  /** Remedy ids allowed to act; opt-in remedies act only when listed. Undefined: every non-opt-in remedy. */
  allow?: RemedyId[];
  /** Minimum time between the two observations the persistence guard compares. */
  settleMs: number;
  /**
   * Actions the last two scheduled checks planned with the same facts (key -> fingerprint), from
   * stored state. Set in the remediation function: then nothing else may act. Unset for the CLI.
   */
  confirmed?: Record<string, string>;
  /**
   * Actions whose last attempt failed (key -> fingerprint of the state it failed on), from stored
   * notices: escalated while the state is the same. Unset for the CLI.
   */
  failedBefore?: Record<string, string>;
  budget: Budget;
  settings: Omit<RemedySettings, 'now'>;
}

export type EntryStatus = 'allowed' | 'dry-run' | 'refused' | 'escalated' | 'unavailable';

/** One candidate action and the guard that decided it. */
export interface PlanEntry {
  action: PlannedAction;
  status: EntryStatus;
  /** The guard that refused, or the last one that allowed. */
  guard: string;
  reason: string;
  /** Every guard asked, in order, and what it said (`pass`, or its verdict): the plan shows them all. */
  verdicts?: { guard: string; status: 'pass' | GuardVerdict['status'] }[];
}

export interface Plan {
  mode: Mode;
  settleMs: number;
  entries: PlanEntry[];
}

/** What a guard sees: the action as planned on the second observation, both views, the policy, the budget so far. */
export interface GuardInput {
  action: PlannedAction;
  /** The action as planned on the first observation, if it was planned then. */
  earlier?: PlannedAction;
  first: ClusterView;
  second: ClusterView;
  policy: Policy;
  spent: { actions: number; slots: number; keysMoved: number };
}

export interface GuardVerdict {
  status: Exclude<EntryStatus, 'allowed'>;
  reason: string;
}

/** One rule of DESIGN §5: undefined lets the action through, a verdict stops it. */
export interface Guard {
  id: string;
  check(input: GuardInput): GuardVerdict | undefined;
}

export const DEFAULT_BUDGET: Budget = { maxSlots: 2048, maxKeysMoved: 1_000_000 };
