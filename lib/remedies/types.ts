import type { ClusterView } from '../checks/view';
import type { SlotRange } from '../topology/types';
import type { Executor } from './executor';

/**
 * One thing a remedy would do, derived from one snapshot. `fingerprint` names the observed facts
 * the action depends on (markers, key counts, flags): two observations with the same fingerprint
 * mean no progress in between.
 */
export interface PlannedAction {
  remedy: string;
  /** Stable identity across observations, e.g. `stabilize-open-slot:300`. */
  key: string;
  /** The observed sub-case, e.g. `rollback`, `complete`; `escalate` when no safe action exists. */
  subCase: string;
  summary: string;
  slots: SlotRange[];
  /** Addresses (as dialled) the action writes to or reads from. */
  nodes: string[];
  /** What would run, as a person would type it. */
  commands: string[];
  /** Facts that must be unchanged between observations and re-verified before acting. */
  fingerprint: string;
  /** Set when the situation is not a known-safe sub-case: the action is escalated, never applied. */
  escalate?: string;
  runbook?: string[];
  /** Upper bound of keys this action moves (budget). */
  keysToMove?: number;
  /**
   * Slots this action hands to a node that does not already hold their data (budget); default: all
   * of `slots`. A promoted replica already holds its master's data, so a promotion counts none.
   */
  slotsReassigned?: number;
  /** Remedy-specific data the apply step needs (ids, internal addresses). Plain data. */
  params: Record<string, unknown>;
}

export interface ApplyOutcome {
  /** What was actually sent, in order. */
  executed: string[];
  keysMoved: number;
}

export interface Remedy {
  id: string;
  title: string;
  /** Off unless the allow-list names it explicitly. */
  optIn: boolean;
  /** Candidate actions for this snapshot ("not applicable" is an empty list). */
  plan(view: ClusterView, settings: RemedySettings): PlannedAction[];
  /** Writes. Called only after every guard allowed it and the preconditions were re-verified. */
  apply(action: PlannedAction, exec: Executor): Promise<ApplyOutcome>;
  /** On a fresh view after acting: undefined when the intended state holds, else what is still wrong. */
  verify(action: PlannedAction, view: ClusterView): string | undefined;
}

export interface RemedySettings {
  /** forget-ghost-node: how long a node must have been silent (ms since its last pong). */
  ghostMinAgeMs: number;
  /** promote-replica: how long a master must have been silent. */
  failedMasterMinAgeMs: number;
  /** promote-replica: use TAKEOVER (no master majority) when FORCE is not enough. */
  allowTakeover: boolean;
  /** Keys per MIGRATE batch. */
  migrateBatch: number;
  /** Wall clock for ages (ms since epoch); a parameter so plans stay pure. */
  now: number;
}

export const DEFAULT_SETTINGS: Omit<RemedySettings, 'now'> = {
  ghostMinAgeMs: 10 * 60_000,
  failedMasterMinAgeMs: 2 * 60_000,
  allowTakeover: false,
  migrateBatch: 100,
};
