import type { ClusterView } from '../model/view';
import type { SlotRange } from '../topology/types';
import type { Executor } from './executor';
import type { RemedyId } from './ids';

/**
 * What every planned action carries, whatever its remedy and sub-case. `fingerprint` names the
 * observed facts the action depends on (markers, key counts, flags): two observations with the
 * same fingerprint mean no progress in between.
 */
export interface ActionBase {
  remedy: RemedyId;
  /** Stable identity across observations, e.g. `stabilize-open-slot:300`. */
  key: string;
  summary: string;
  slots: SlotRange[];
  /** Addresses (as dialled) the action writes to or reads from. */
  nodes: string[];
  /** What would run, as a person would type it. */
  commands: string[];
  /** Facts that must be unchanged between observations and re-verified before acting. */
  fingerprint: string;
  runbook?: string[];
  /** Upper bound of keys this action moves (budget). */
  keysToMove?: number;
  /**
   * Slots this action hands to a node that does not already hold their data (budget); default: all
   * of `slots`. A promoted replica already holds its master's data, so a promotion counts none.
   */
  slotsReassigned?: number;
}

/**
 * One known-safe sub-case of remedy `R`, with the plain data its apply step needs. Each remedy's
 * steps are a union of these tagged by `subCase`, so `switch (step.subCase)` narrows `params`.
 */
export interface Step<R extends RemedyId, S extends string, P> extends ActionBase {
  remedy: R;
  subCase: S;
  params: P;
  /** Only an escalation carries a reason. */
  escalate?: never;
}

/** No known-safe sub-case: a person decides, with the reason and a runbook. Never applied. */
export interface Escalation extends ActionBase {
  subCase: 'escalate';
  escalate: string;
  runbook: string[];
}

export interface ApplyOutcome {
  /** What was actually sent, in order. */
  executed: string[];
  keysMoved: number;
}

/** Any remedy's step, as the shape every remedy's steps share. */
export type SomeStep = Step<RemedyId, string, unknown>;

export interface Remedy<S extends SomeStep> {
  id: S['remedy'];
  title: string;
  /** Off unless the allow-list names it explicitly. */
  optIn: boolean;
  /** Candidate actions for this snapshot ("not applicable" is an empty list). */
  plan(view: ClusterView, settings: RemedySettings): (S | Escalation)[];
  /** Writes. Called only after every guard allowed it and the preconditions were re-verified. */
  apply(step: S, exec: Executor): Promise<ApplyOutcome>;
  /** On a fresh view after acting: undefined when the intended state holds, else what is still wrong. */
  verify(step: S, view: ClusterView): string | undefined;
}

export interface RemedySettings {
  /** forget-ghost-node: how long a node must have been silent (ms since its last pong). */
  ghostMinAgeMs: number;
  /** promote-replica: how long a master must have been silent. */
  failedMasterMinAgeMs: number;
  /** promote-replica: use TAKEOVER (no master majority) when FORCE is not enough. */
  allowTakeover: boolean;
  /** Most keys per MIGRATE batch (fewer for big keys or a slow source: remedies/migrate-batch.ts). */
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
