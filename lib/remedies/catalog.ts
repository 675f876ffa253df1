import type { ClusterView } from '../model/view';
import { type AssignStep, assignUncoveredSlots } from './assign-uncovered-slots';
import type { Executor } from './executor';
import { type ForgetStep, forgetGhostNode } from './forget-ghost-node';
import type { RemedyId } from './ids';
import { type PromoteStep, promoteReplica } from './promote-replica';
import { type StabilizeStep, stabilizeOpenSlot } from './stabilize-open-slot';
import type { ApplyOutcome, Escalation, Remedy, RemedySettings } from './types';

/** An action of any remedy that can be applied (every remedy's steps). */
export type AnyStep = AssignStep | StabilizeStep | PromoteStep | ForgetStep;

/** One thing a remedy would do, derived from one snapshot: a step, or an escalation. */
export type PlannedAction = AnyStep | Escalation;

/** What a remedy is, whatever its steps: for the allow-list and for listing. */
export type RemedyInfo = Pick<Remedy<AnyStep>, 'title' | 'optIn'> & { id: RemedyId };

/**
 * Every remedy, in the order they run. Coverage first: with full coverage required, a cluster with
 * uncovered slots is down and refuses the RESTORE-ASKING that MIGRATE needs to close open slots.
 */
export const REMEDIES: readonly (RemedyInfo & {
  plan(view: ClusterView, settings: RemedySettings): PlannedAction[];
})[] = [assignUncoveredSlots, stabilizeOpenSlot, promoteReplica, forgetGhostNode];

/** A step bound to its own remedy: what the runner calls, with no cast between them. */
export interface BoundStep {
  apply(exec: Executor): Promise<ApplyOutcome>;
  verify(view: ClusterView): string | undefined;
}

const bind = <S extends AnyStep>(remedy: Remedy<S>, step: S): BoundStep => ({
  apply: (exec) => remedy.apply(step, exec),
  verify: (view) => remedy.verify(step, view),
});

export function bound(step: AnyStep): BoundStep {
  switch (step.remedy) {
    case 'assign-uncovered-slots':
      return bind(assignUncoveredSlots, step);
    case 'stabilize-open-slot':
      return bind(stabilizeOpenSlot, step);
    case 'promote-replica':
      return bind(promoteReplica, step);
    case 'forget-ghost-node':
      return bind(forgetGhostNode, step);
  }
}
